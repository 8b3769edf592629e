import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openSqliteEngineStore,
  type Delivery,
  type DispatchClaim,
  type EngineStore,
} from '../../../engine/store/index.ts';
import { EventIntake } from '../../../engine/inbox/index.ts';
import { Dispatcher, type DispatchSlots } from '../../../engine/dispatch/dispatcher.ts';
import { TriggerRegistry } from '../../../engine/dispatch/trigger-registry.ts';
import { parseTriggerDefinition } from '../../../engine/triggers/index.ts';

// The dispatcher naming an entry's firings before its accept commits, on a real SQLite
// store: a push's firings go in with it (no dispatchMany), while a guarded one, and any
// behind entries still waiting, go the usual way after the accept.
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A runner's side of claiming at dispatch that grants `free` slots and records what it is told. */
class RecordingSlots implements DispatchSlots {
  free: number;
  begun: Delivery[] = [];
  givenBack: string[] = [];
  constructor(free: number) {
    this.free = free;
  }
  reserve(_lane: string, now: number): DispatchClaim | undefined {
    if (this.free === 0) return undefined;
    this.free--;
    return { owner: 'me', leaseUntil: now + 60_000 };
  }
  started(item: Delivery): void {
    this.begun.push(item);
  }
  unreserve(lane: string): void {
    this.free++;
    this.givenBack.push(lane);
  }
}

async function open(freeSlots: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-dispatch-with-accept-'));
  const store: EngineStore = openSqliteEngineStore(path.join(dir, 'engine.db'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  for (const [name, frequency] of [
    ['plain', undefined],
    ['guarded', 'once'],
  ] as const) {
    const definition = parseTriggerDefinition(
      {
        name,
        type: 'webhook',
        actions: [{ type: 'function', function: name, ...(frequency ? { frequency } : {}) }],
      },
      { generateSecret: () => 'x' },
    );
    await store.triggers.create(
      {
        name,
        type: 'webhook',
        enabled: true,
        definition,
        webhookKeyHash: null,
        webhookKeyHint: null,
      },
      1,
    );
  }
  const registry = await TriggerRegistry.load(store.triggers);
  let dispatchManyCalls = 0;
  const delivery = {
    ...store.delivery,
    dispatchMany: (...args: Parameters<EngineStore['delivery']['dispatchMany']>) => {
      dispatchManyCalls++;
      return store.delivery.dispatchMany(...args);
    },
  };
  let n = 0;
  const ids = { id: () => `id-${++n}`, secret: () => 'unused' };
  const clock = { now: () => 5000 + n };
  const intake = new EventIntake({ delivery, clock, ids });
  const queued: string[][] = [];
  const slots = new RecordingSlots(freeSlots);
  const dispatcher = new Dispatcher({
    delivery,
    registry,
    clock,
    ids,
    onQueued: (lanes) => queued.push(lanes),
    log: { error: () => {} },
    intake,
    slots,
  });
  const hook = (trigger: string, dedupKey: string | null = null) =>
    intake.accept({ source: 'webhook', key: trigger, dedupKey, data: { trigger } });
  return { store, dispatcher, hook, slots, queued, dispatchManyCalls: () => dispatchManyCalls };
}

describe('dispatched with the accept', () => {
  it('writes a push’s firings in its accept: dispatched when answered, its claimed firing started from memory', async () => {
    const { store, hook, slots, queued, dispatchManyCalls } = await open(1);
    const first = await hook('plain');
    expect(await store.delivery.getEntry(first.id)).toMatchObject({ status: 'dispatched' });
    expect(slots.begun).toMatchObject([
      {
        trigger: 'plain',
        inboxId: first.id,
        event: { trigger: 'plain' },
        attempts: 1,
        owner: 'me',
      },
    ]);
    // No slot left: the next one's firing waits in the queue, and the runner hears of its lane.
    const second = await hook('plain');
    expect(await store.delivery.getEntry(second.id)).toMatchObject({ status: 'dispatched' });
    expect(queued).toEqual([['function:plain']]);
    expect(await store.delivery.claim('other', 10_000, 10, undefined, 1000)).toMatchObject([
      { trigger: 'plain', inboxId: second.id, attempts: 1 },
    ]);
    expect(dispatchManyCalls()).toBe(0);
  });

  it('gives the slot back when the push is a repeat: nothing fires twice', async () => {
    const { store, hook, slots } = await open(2);
    expect((await hook('plain', 'retry')).isNew).toBe(true);
    expect((await hook('plain', 'retry')).isNew).toBe(false);
    expect(slots.begun).toHaveLength(1);
    expect(slots.givenBack).toEqual(['function:plain']);
    expect(slots.free).toBe(1);
    expect((await store.delivery.listLogs({ limit: 10, offset: 0 })).total).toBe(1);
  });

  it('leaves a frequency-guarded push to dispatchMany, and a push behind it waits its turn', async () => {
    const { store, dispatcher, hook, dispatchManyCalls } = await open(0);
    const [guarded, behind] = await Promise.all([hook('guarded'), hook('plain')]);
    // Accepted in one group: the guarded one pending, so the one behind it is not passed.
    expect(await store.delivery.getEntry(guarded.id)).toMatchObject({ status: 'pending' });
    expect(await store.delivery.getEntry(behind.id)).toMatchObject({ status: 'pending' });
    await expect.poll(() => dispatchManyCalls()).toBe(1);
    await dispatcher.idle();
    expect(await store.delivery.pending(10)).toEqual([]);
    const claimed = await store.delivery.claim('other', 10_000, 10, undefined, 1000);
    expect(claimed.map((d) => d.trigger)).toEqual(['guarded', 'plain']);
    // Once nothing waits, a push goes in with its accept again.
    const later = await hook('plain');
    expect(await store.delivery.getEntry(later.id)).toMatchObject({ status: 'dispatched' });
    expect(dispatchManyCalls()).toBe(1);
  });
});
