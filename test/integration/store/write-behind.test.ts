import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSqliteEngineStore,
  type EngineStore,
  type NewFiring,
} from '../../../engine/store/index.ts';
import { HOLD_MS } from '../../../engine/store/sqlite/jobs.ts';
import { writeBehindOf } from '../../../engine/store/sqlite/write-behind.ts';

// Jobs, trigger logs and queue items are written behind (engine/store/sqlite/write-behind.ts):
// one transaction per event-loop turn, dispatches one per synchronous run. What another connection sees of the file shows when
// a commit happened; what the store's own reads see shows read-your-writes.
const turn = () => new Promise((resolve) => setImmediate(resolve));

const firing = (logId: string, fn = 'f'): NewFiring => ({
  logId,
  trigger: 't',
  actionIndex: 0,
  action: { type: 'function', function: fn },
  eventType: 'trigger',
  lane: `function:${fn}`,
});

const job = (id: string) => ({
  id,
  function: 'f',
  version: 1,
  source: 'invoke',
  status: 'executing' as const,
  createdAt: 1,
  data: { n: id },
  inboxId: null,
  triggerName: null,
  triggerLogId: null,
});

describe('write-behind of the engine bookkeeping', () => {
  let dir: string;
  let file: string;
  let store: EngineStore;
  let outside: Database.Database;
  const committedJobs = () =>
    (outside.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-write-behind-'));
    file = path.join(dir, 'engine.db');
    store = openSqliteEngineStore(file);
    outside = new Database(file, { readonly: true });
  });

  afterEach(async () => {
    outside.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ended = (result: number) => ({
    status: 'fulfilled' as const,
    finishedAt: 2,
    durationMs: 1,
    cpuMs: 1,
    memoryBytes: 10,
    result,
    error: null,
    log: [],
  });

  it('commits the writes of one turn together, after the turn', async () => {
    await store.jobs.create(job('a'));
    await store.jobs.create(job('b'));
    await store.jobs.finish('a', ended(42));
    await store.jobs.finish('b', ended(43));
    expect(committedJobs()).toBe(0);
    await turn();
    expect(committedJobs()).toBe(2);
    expect(outside.prepare("SELECT status, result FROM jobs WHERE id = 'a'").get()).toEqual({
      status: 'fulfilled',
      result: '42',
    });
  });

  it('writes the row of a job that ends within HOLD_MS once, finished; a longer one as executing at HOLD_MS', async () => {
    await store.jobs.create(job('quick'));
    await store.jobs.create(job('slow'));
    await turn();
    expect(committedJobs()).toBe(0); // both held
    await store.jobs.finish('quick', ended(1));
    await turn();
    expect(outside.prepare('SELECT id, status FROM jobs').all()).toEqual([
      { id: 'quick', status: 'fulfilled' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS + 20));
    await turn();
    expect(outside.prepare("SELECT status FROM jobs WHERE id = 'slow'").get()).toEqual({
      status: 'executing',
    });
    await store.jobs.finish('slow', ended(2));
    await turn();
    expect(outside.prepare("SELECT status, result FROM jobs WHERE id = 'slow'").get()).toEqual({
      status: 'fulfilled',
      result: '2',
    });
  });

  it('lets the store read its own queued writes (the read commits them)', async () => {
    await store.jobs.create(job('a'));
    expect(await store.jobs.get('a')).toMatchObject({
      id: 'a',
      status: 'executing',
      data: { n: 'a' },
    });
    expect(committedJobs()).toBe(1);
  });

  it('does not commit for a read of a table it has no queued write for', async () => {
    await store.jobs.create(job('a'));
    expect(await store.delivery.getLog('nothing')).toBeUndefined();
    expect(committedJobs()).toBe(0);
  });

  it('commits what is queued when the store closes', async () => {
    await store.jobs.create(job('a'));
    await store.close();
    store = openSqliteEngineStore(file);
    expect(await store.jobs.get('a')).toMatchObject({ id: 'a' });
  });

  it('keeps the other writes of a batch when one of them fails, and reports the failure', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await store.jobs.create(job('a'));
      await store.jobs.create(job('a')); // the same id again: a primary key violation
      await store.jobs.create(job('b'));
      // Ended runs' rows go in this turn's batch: the first a, then b, then the second a.
      await store.jobs.finish('b', ended(1));
      await store.jobs.finish('a', ended(2));
      await turn();
      await turn(); // warnings are emitted on the next tick
      expect(committedJobs()).toBe(2);
      expect(warnings.some((m) => /UNIQUE|PRIMARY/i.test(m))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('commits the dispatches of one synchronous run together; the inbox sees them at once', async () => {
    await store.delivery.accept([
      { id: 'in1', source: 'webhook', key: 'hook', dedupKey: null, data: { x: 1 }, receivedAt: 1 },
    ]);
    const dispatched = store.delivery.dispatch('in1', [firing('log1')], 5, { x: 1 });
    const seen = () => ({
      dispatched: (
        outside.prepare("SELECT dispatched FROM inbox WHERE id = 'in1'").get() as {
          dispatched: number;
        }
      ).dispatched,
      queued: (outside.prepare('SELECT count(*) AS n FROM queue').get() as { n: number }).n,
      logs: (outside.prepare('SELECT count(*) AS n FROM trigger_logs').get() as { n: number }).n,
    });
    // Not yet on disk (a crash now leaves the entry pending: dispatched again at start)…
    expect(seen()).toEqual({ dispatched: 0, queued: 0, logs: 0 });
    // …but the store's own readers already see it dispatched (read in this synchronous run).
    const pending = store.delivery.pending(10);
    expect(seen()).toEqual({ dispatched: 0, queued: 0, logs: 0 });
    expect(await pending).toEqual([]);
    expect(await dispatched).toEqual(['log1']);
    expect(seen()).toEqual({ dispatched: 1, queued: 1, logs: 1 });
  });

  it('hands a firing out once, even when its dispatch and claim fall in the same turn', async () => {
    await store.delivery.accept([
      { id: 'in1', source: 'webhook', key: 'hook', dedupKey: null, data: {}, receivedAt: 1 },
    ]);
    const dispatched = store.delivery.dispatch('in1', [firing('log1')], 5, {});
    const first = store.delivery.claim('me', 10, 10, undefined, 60_000);
    const second = store.delivery.claim('me', 10, 10, undefined, 60_000);
    await dispatched;
    expect((await first).map((i) => i.id)).toEqual(['log1']);
    expect(await second).toEqual([]);
    await store.delivery.complete('me', 'log1', { attempts: 1, jobId: null, durationMs: 1 }, 11);
    expect(await store.delivery.nextDueAt()).toBeUndefined();
    expect(await store.delivery.hasUnfinished('t')).toBe(false);
  });

  it('commits bookkeeping with synchronous=NORMAL and leaves the connection FULL for the inbox', () => {
    const db = new Database(path.join(dir, 'levels.db'));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE t (x INTEGER)');
      const writes = writeBehindOf(db);
      const levels: number[] = [];
      writes.defer(['jobs'], () => {
        levels.push(Number(db.pragma('synchronous', { simple: true })));
        db.prepare('INSERT INTO t VALUES (1)').run();
      });
      writes.flush();
      expect(levels).toEqual([1]); // NORMAL while the batch commits
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL again after
      writes.soon(() => db.prepare('INSERT INTO t VALUES (2)').run());
      writes.close(); // commits the open dispatch transaction first
      db.close();
    } finally {
      if (db.open) db.close();
    }
    const check = new Database(path.join(dir, 'levels.db'), { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    check.close();
  });
});

describe('claiming from the in-memory index of due items', () => {
  let dir: string;
  let file: string;
  let store: EngineStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-due-index-'));
    file = path.join(dir, 'engine.db');
    store = openSqliteEngineStore(file);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const claim = (
    now: number,
    limit: number,
    lanes?: { perLane: number; running: Map<string, number> },
  ) => store.delivery.claim('me', now, limit, lanes, 60_000);

  /** An inbox entry dispatched at `now` with these firings; its data is `{ n }`. */
  const fire = async (firings: NewFiring[], now: number, withEvent = true) => {
    const id = `in-${firings[0]!.logId}`;
    await store.delivery.accept([
      { id, source: 'webhook', key: 'hook', dedupKey: null, data: { n: id }, receivedAt: now },
    ]);
    await store.delivery.dispatch(id, firings, now, withEvent ? { n: id } : undefined);
  };

  it('hands a retried firing out again at its time, not before', async () => {
    await fire([firing('a')], 1);
    const [item] = await claim(1, 10);
    expect(item).toMatchObject({ id: 'a', lane: 'function:f', attempts: 1, event: { n: 'in-a' } });
    await store.delivery.retry('me', 'a', 100, { attempts: 1, jobId: null, durationMs: 1 }, 2);
    expect(await claim(99, 10)).toEqual([]);
    expect(await store.delivery.nextDueAt()).toBe(100);
    expect(await claim(100, 10)).toMatchObject([{ id: 'a', attempts: 2 }]);
  });

  it('finds the unclaimed items of a previous process (reading their event back), and its claims once released', async () => {
    await fire([firing('a'), firing('b'), firing('c', 'g')], 1);
    expect((await claim(1, 1)).map((i) => i.id)).toEqual(['a']);
    await turn();
    await store.close();
    store = openSqliteEngineStore(file);
    const found = await claim(1, 10, { perLane: 1, running: new Map() });
    expect(found.map((i) => [i.id, i.event])).toEqual([
      ['b', { n: 'in-a' }],
      ['c', { n: 'in-a' }],
    ]);
    expect(await store.delivery.releaseAbandoned(1)).toBe(3);
    expect((await claim(1, 10)).map((i) => i.id)).toEqual(['a', 'b', 'c']);
  });

  it('does not hand out a firing whose dispatch was rolled back', async () => {
    // The same firing id twice aborts this dispatch (its savepoint) after the first was inserted.
    await expect(fire([firing('ok'), firing('ok')], 1)).rejects.toThrow(/UNIQUE|PRIMARY/i);
    expect(await claim(1, 10)).toEqual([]);
  });
});
