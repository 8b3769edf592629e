import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEngineStore, type EngineStore } from '../../../engine/store/index.ts';
import { EventIntake } from '../../../engine/inbox/index.ts';

// The one intake on a real SQLite store: it stamps events, stores them durably, and wakes
// whoever dispatches only for new ones.
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function open(): { store: EngineStore; intake: EventIntake; wakes: () => number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-intake-'));
  const store = openSqliteEngineStore(path.join(dir, 'engine.db'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  let n = 0;
  const intake = new EventIntake({
    delivery: store.delivery,
    clock: { now: () => 5000 },
    ids: { id: () => `id-${++n}`, secret: () => 'unused' },
  });
  let woken = 0;
  intake.onAccepted(() => woken++);
  return { store, intake, wakes: () => woken };
}

describe('EventIntake', () => {
  it('stamps id and time, stores the event, and wakes the dispatcher for new events only', async () => {
    const { store, intake, wakes } = open();
    const first = await intake.accept({
      source: 'timer',
      key: 'tick',
      dedupKey: 'slot-1',
      data: { at: 1 },
    });
    expect(first).toEqual({ id: 'id-1', isNew: true, receivedAt: 5000 });
    expect(wakes()).toBe(1);
    const again = await intake.accept({
      source: 'timer',
      key: 'tick',
      dedupKey: 'slot-1',
      data: { at: 1 },
    });
    expect(again.isNew).toBe(false);
    expect(wakes()).toBe(1);
    expect(await store.delivery.pending(10)).toMatchObject([
      { id: 'id-1', source: 'timer', key: 'tick', data: { at: 1 }, receivedAt: 5000 },
    ]);
  });

  it('refuses an event that cannot be stored as JSON, alone, and wakes nobody', async () => {
    const { store, intake, wakes } = open();
    await expect(
      intake.accept({ source: 'webhook', key: 'h', dedupKey: null, data: { n: 1n } }),
    ).rejects.toMatchObject({ code: 'E_EVENT_NOT_STORABLE' });
    expect(wakes()).toBe(0);
    expect(await store.delivery.pending(10)).toEqual([]);
  });

  it('replays a set-aside entry and wakes the dispatcher for it', async () => {
    const { store, intake, wakes } = open();
    const { id } = await intake.accept({ source: 'webhook', key: 'h', dedupKey: null, data: {} });
    await store.delivery.setAside(id, 'Error: bad', 6000);
    expect(await intake.replay('unknown')).toBe(false);
    expect(wakes()).toBe(1);
    expect(await intake.replay(id)).toBe(true);
    expect(wakes()).toBe(2);
    expect((await store.delivery.pending(10)).map((e) => e.id)).toEqual([id]);
  });
});
