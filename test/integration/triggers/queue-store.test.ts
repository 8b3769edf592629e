import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openSqliteEngineStore,
  type EngineStore,
  type NewFiring,
} from '../../../engine/store/index.ts';
import { startTestEngine } from '../../helpers/engine.ts';

// The Queue and TriggerLogStore ports on a real SQLite file: what the dispatcher and the
// runner rely on (frequency guards inside the dispatch transaction, per-lane claims,
// release after a crash, replay), and the runner's refusal to exceed the attempts.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-queue-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openStore(dir = tempDir()): EngineStore {
  const store = openSqliteEngineStore(path.join(dir, 'engine.db'));
  cleanups.push(() => store.close());
  return store;
}

let next = 0;
const firing = (
  trigger: string,
  action: Record<string, unknown>,
  more: Partial<NewFiring> = {},
): NewFiring => ({
  logId: `log-${++next}`,
  trigger,
  actionIndex: 0,
  action,
  event: { n: next },
  eventType: 'webhook',
  ...more,
});

describe('Queue.dispatch', () => {
  it('reads frequency guards in the same transaction as the inserts: 100 `once` firings in one batch enqueue one', () => {
    const store = openStore();
    const once = { since: 0, admit: (last: number | undefined) => last === undefined };
    store.queue.dispatch(
      null,
      Array.from({ length: 100 }, () => firing('t', { type: 'table' }, { guard: once })),
      1000,
    );
    expect(store.queue.claimDue(1000, 1000)).toHaveLength(1);
    store.queue.dispatch(null, [firing('t', { type: 'table' }, { guard: once })], 2000);
    expect(store.queue.claimDue(2000, 1000)).toHaveLength(0);
    // A guard counts from `since` (the trigger's last save).
    store.queue.dispatch(
      null,
      [firing('t', { type: 'table' }, { guard: { ...once, since: 1500 } })],
      3000,
    );
    expect(store.queue.claimDue(3000, 1000)).toHaveLength(1);
  });

  it('marks the inbox entry dispatched with its firings, and only then', () => {
    const store = openStore();
    store.inbox.accept({
      id: 'in-1',
      source: 'webhook',
      key: 't',
      dedupKey: null,
      data: {},
      receivedAt: 1,
    });
    expect(store.inbox.pending(10)).toHaveLength(1);
    store.queue.dispatch('in-1', [firing('t', { type: 'table' })], 10);
    expect(store.inbox.pending(10)).toHaveLength(0);
    expect(store.triggerLogs.list({ trigger: 't', limit: 10, offset: 0 }).objects[0]).toMatchObject(
      { inboxId: 'in-1', status: 'pending', attempts: 0 },
    );
  });
});

describe('Queue.claimDue', () => {
  it('takes oldest first, at most the cap per lane counting what runs, one lane per function', () => {
    const store = openStore();
    const f = { type: 'function', function: 'f' };
    // Two triggers calling f share its lane; g and a table action have their own.
    store.queue.dispatch(
      null,
      Array.from({ length: 6 }, () => firing('a', f)),
      1,
    );
    store.queue.dispatch(
      null,
      Array.from({ length: 6 }, () => firing('b', f)),
      2,
    );
    store.queue.dispatch(
      null,
      Array.from({ length: 3 }, () => firing('c', { type: 'function', function: 'g' })),
      3,
    );
    store.queue.dispatch(
      null,
      Array.from({ length: 3 }, () => firing('d', { type: 'table' })),
      4,
    );
    const claimed = store.queue.claimDue(10, 100, {
      perLane: 4,
      running: new Map([['function:f', 1]]),
    });
    const lanes = claimed.map((i) => i.lane);
    expect(lanes).toEqual([
      'function:f',
      'function:f',
      'function:f',
      'function:g',
      'function:g',
      'function:g',
      'action:d#0',
      'action:d#0',
      'action:d#0',
    ]);
    expect(claimed.every((i) => i.attempts === 1)).toBe(true);
    // Claimed items are not handed out again; the rest of f waits for room.
    expect(
      store.queue.claimDue(10, 100, { perLane: 4, running: new Map([['function:f', 4]]) }),
    ).toEqual([]);
    expect(
      store.queue
        .claimDue(10, 100, { perLane: 4, running: new Map([['function:f', 3]]) })
        .map((i) => i.trigger),
    ).toEqual(['a']);
  });

  it('does not hand out items before their time; releaseClaims makes claimed ones due again, attempts kept', () => {
    const store = openStore();
    store.queue.dispatch(null, [firing('t', { type: 'table' })], 100);
    expect(store.queue.claimDue(99, 10)).toEqual([]);
    expect(store.queue.nextRunAt()).toBe(100);
    const [item] = store.queue.claimDue(100, 10);
    expect(store.queue.nextRunAt()).toBeUndefined();
    expect(store.queue.hasUnfinished('t')).toBe(true);
    expect(store.queue.releaseClaims()).toBe(1);
    expect(store.queue.claimDue(100, 10)).toMatchObject([{ id: item!.id, attempts: 2 }]);
    store.queue.retryAt(item!.id, 500);
    expect(store.queue.nextRunAt()).toBe(500);
    store.queue.complete(item!.id);
    expect(store.queue.hasUnfinished('t')).toBe(false);
  });
});

describe('Queue.replay', () => {
  it('puts a finished firing back with fresh attempts, and refuses one still queued', () => {
    const store = openStore();
    const f = firing('t', { type: 'table' });
    store.queue.dispatch(null, [f], 1);
    expect(store.queue.replay(f.logId, 2)).toBe(false);
    const [item] = store.queue.claimDue(1, 10);
    store.triggerLogs.update(
      f.logId,
      { status: 'dead_letter', attempts: 1, errorType: 'E_X', error: 'x' },
      3,
    );
    store.queue.remove(item!.id);
    expect(store.queue.replay(f.logId, 4)).toBe(true);
    expect(store.triggerLogs.get(f.logId)).toMatchObject({
      status: 'pending',
      attempts: 0,
      errorType: null,
      error: null,
    });
    expect(store.queue.claimDue(4, 10)).toMatchObject([
      { triggerLogId: f.logId, attempts: 1, event: f.event },
    ]);
    expect(store.queue.replay('unknown', 5)).toBe(false);
  });
});

describe('the job runner after crashes', () => {
  it('dead-letters a firing whose last allowed attempt was interrupted, without running it again', async () => {
    const dataDir = tempDir();
    const first = await startTestEngine({ dataDir });
    expect(
      (await first.api('PUT', '/functions/never', { code: 'exports.main = async () => 1;' }))
        .status,
    ).toBe(201);
    expect(
      (
        await first.api('POST', '/triggers', {
          name: 'crashy',
          type: 'webhook',
          actions: [{ type: 'function', function: 'never' }],
          retry: { attempts: 2, backoff: '10ms' },
        })
      ).status,
    ).toBe(201);
    await first.close();

    // Two attempts started and were cut short by crashes (claimed, never finished).
    const store = openSqliteEngineStore(path.join(dataDir, 'engine.db'));
    store.queue.dispatch(
      null,
      [
        firing(
          'crashy',
          { type: 'function', function: 'never' },
          { logId: 'cut-short', eventType: 'webhook' },
        ),
      ],
      Date.now(),
    );
    for (let i = 0; i < 2; i++) {
      expect(store.queue.claimDue(Date.now(), 10)).toHaveLength(1);
      store.queue.releaseClaims();
    }
    store.close();

    const second = await startTestEngine({ dataDir });
    cleanups.push(() => second.close());
    await second.engine.settled();
    const log = (await second.api('GET', '/triggers/crashy/logs/cut-short')).body;
    expect(log).toMatchObject({
      status: 'dead_letter',
      attempts: 2,
      error_type: 'E_ATTEMPT_INTERRUPTED',
    });
    expect((await second.api('GET', '/functions/never/jobs')).body.meta.total_count).toBe(0);
  });
});

describe('TriggerLogStore.prune', () => {
  it('drops finished rows before the cut-off, keeps pending ones and the latest of each action', () => {
    const store = openStore();
    const rows = [
      firing('t', { type: 'table' }),
      firing('t', { type: 'table' }),
      firing('t', { type: 'table' }),
      firing('u', { type: 'table' }),
    ];
    rows.forEach((f, i) => store.queue.dispatch(null, [f], 10 + i));
    for (const f of rows.slice(0, 2))
      store.triggerLogs.update(f.logId, { status: 'succeeded' }, 20);
    store.triggerLogs.update(rows[3]!.logId, { status: 'dead_letter' }, 20);
    // rows[0]: old and finished → dropped; rows[1]: finished; rows[2]: pending, t's latest; rows[3]: u's latest.
    expect(store.triggerLogs.prune(1000)).toBe(2);
    expect(
      store.triggerLogs
        .list({ limit: 10, offset: 0 })
        .objects.map((l) => l.id)
        .sort(),
    ).toEqual([rows[2]!.logId, rows[3]!.logId].sort());
  });
});
