/**
 * The EngineStore contract: what the dispatcher, the job runner, the admin API and retention
 * rely on, through the port only (no SQL, nothing backend-specific). Every implementation —
 * SQLite (test/integration/store/engine-store-contract.test.ts), PostgreSQL — must pass it.
 *
 * Times are given explicitly (`now` arguments), never read from a clock, so a backend must
 * decide due items, leases and frequency windows by the times it is told. Nothing here
 * measures time.
 *
 * Concurrency: calls are made together with Promise.all. When the backend can open a second
 * instance on the same database that may run at the same time as the first (`another`:
 * PostgreSQL), half of them go through it; SQLite is one process per database whose calls
 * run one at a time on one thread, so both halves go through the one instance there.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  EngineStore,
  FrequencyGuard,
  InboxEntry,
  NewFiring,
} from '../../engine/store/index.ts';
import type { Action } from '../../engine/triggers/index.ts';

export interface OpenedEngineStore {
  store: EngineStore;
  /**
   * A second instance on the same database whose calls may run concurrently with the first
   * one's; closed by `close`. Absent where the backend allows one instance per database.
   */
  another?: () => Promise<EngineStore>;
  /**
   * Closes `store` and opens the same database again (what the next start of the engine
   * sees); `close` then closes the new instance.
   */
  reopen(): Promise<EngineStore>;
  /** Closes the instance(s) and removes the database. */
  close(): Promise<void>;
}

const OWNER_A = 'owner-a';
const OWNER_B = 'owner-b';
const LONG_LEASE = 3_600_000;

const table: Action = { type: 'table', table: 't', record: {} };
const fn = (name: string): Action => ({ type: 'function', function: name });

export function engineStoreContract(label: string, open: () => Promise<OpenedEngineStore>): void {
  describe(`EngineStore contract: ${label}`, () => {
    let opened: OpenedEngineStore;
    let store: EngineStore;
    let n = 0;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    /** Two instances where the backend has them, else the one twice. */
    const pair = async (): Promise<[EngineStore, EngineStore]> => [
      store,
      opened.another ? await opened.another() : store,
    ];

    const entry = (more: Partial<InboxEntry> = {}): InboxEntry => {
      n++;
      return {
        id: `in-${n}-${Math.random().toString(36).slice(2, 8)}`,
        source: 'webhook',
        key: 'hook',
        dedupKey: null,
        data: { n, MsgId: `m${n}`, FromUserName: `user-${n}`, Event: 'subscribe' },
        receivedAt: 1000 + n,
        ...more,
      };
    };

    const firing = (
      trigger: string,
      action: Action = table,
      more: Partial<NewFiring> = {},
    ): NewFiring => {
      n++;
      return {
        logId: `log-${n}-${Math.random().toString(36).slice(2, 8)}`,
        trigger,
        actionIndex: 0,
        action,
        eventType: 'webhook',
        lane: action.type === 'function' ? `function:${action.function}` : `action:${trigger}#0`,
        ...more,
      };
    };

    /** Accepts one entry and dispatches these firings for it at `now`; returns the entry. */
    const fire = async (firings: NewFiring[], now: number, e = entry()): Promise<InboxEntry> => {
      await store.delivery.accept([e]);
      await store.delivery.dispatch(e.id, firings, now);
      return e;
    };

    const claimAll = (now: number, owner = OWNER_A, leaseMs = LONG_LEASE) =>
      store.delivery.claim(owner, now, 1000, undefined, leaseMs);

    describe('accept (the inbox)', () => {
      it('stores entries in order and says which were new; a seen dedup key is not stored again', async () => {
        const a = entry({ dedupKey: 'k1', receivedAt: 1 });
        const b = entry({ dedupKey: 'k2', receivedAt: 2 });
        expect(await store.delivery.accept([a, b])).toEqual([true, true]);
        // Seen before, seen within the same batch, and one with no key (never a repeat).
        const again = entry({ dedupKey: 'k1', receivedAt: 3 });
        const twin1 = entry({ dedupKey: 'k3', receivedAt: 4 });
        const twin2 = entry({ dedupKey: 'k3', receivedAt: 5 });
        const keyless = entry({ receivedAt: 6 });
        expect(await store.delivery.accept([again, twin1, twin2, keyless])).toEqual([
          false,
          true,
          false,
          true,
        ]);
        const pending = await store.delivery.pending(10);
        expect(pending.map((p) => p.id)).toEqual([a.id, b.id, twin1.id, keyless.id]);
        expect(pending[0]).toMatchObject({ source: 'webhook', key: 'hook', data: a.data });
        expect(await store.delivery.pending(2)).toHaveLength(2);
      });

      it('scopes dedup keys by source and key', async () => {
        const results = await store.delivery.accept([
          entry({ source: 'wechat_message', key: 'wx1', dedupKey: 'same' }),
          entry({ source: 'wechat_message', key: 'wx2', dedupKey: 'same' }),
          entry({ source: 'timer', key: 'wx1', dedupKey: 'same' }),
        ]);
        expect(results).toEqual([true, true, true]);
      });

      it('stores a retry arriving concurrently once', async () => {
        const [a, b] = await pair();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 === 0 ? a : b).delivery.accept([
              entry({ source: 'wechat_message', key: 'wx', dedupKey: 'retry' }),
            ]),
          ),
        );
        expect(results.flat().filter(Boolean)).toHaveLength(1);
        expect(await store.delivery.pending(100)).toHaveLength(1);
      });

      it('lists entries newest first with their status, and finds one', async () => {
        const a = entry({ receivedAt: 10 });
        const b = entry({ receivedAt: 20 });
        await store.delivery.accept([a, b]);
        await store.delivery.dispatch(a.id, [], 30);
        const all = await store.delivery.listEntries({ limit: 10, offset: 0 });
        expect(all.total).toBe(2);
        expect(all.objects.map((e) => [e.id, e.status])).toEqual([
          [b.id, 'pending'],
          [a.id, 'dispatched'],
        ]);
        const pending = await store.delivery.listEntries({
          status: 'pending',
          limit: 10,
          offset: 0,
        });
        expect(pending).toMatchObject({ total: 1, objects: [{ id: b.id }] });
        expect(await store.delivery.getEntry(a.id)).toMatchObject({
          id: a.id,
          source: 'webhook',
          key: 'hook',
          receivedAt: 10,
          status: 'dispatched',
          error: null,
          failedAt: null,
        });
        expect(await store.delivery.getEntry('nope')).toBeUndefined();
      });

      it('sets a failing entry aside (out of pending, with its error) and replays it', async () => {
        const a = entry();
        const b = entry();
        await store.delivery.accept([a, b]);
        await store.delivery.setAside(a.id, 'Error: bad rule', 50);
        expect((await store.delivery.pending(10)).map((p) => p.id)).toEqual([b.id]);
        expect(await store.delivery.getEntry(a.id)).toMatchObject({
          status: 'dispatch_failed',
          error: 'Error: bad rule',
          failedAt: 50,
        });
        expect(await store.delivery.replayEntry(b.id)).toBe(false); // not set aside
        expect(await store.delivery.replayEntry(a.id)).toBe(true);
        expect(await store.delivery.getEntry(a.id)).toMatchObject({
          status: 'pending',
          error: null,
        });
        expect(await store.delivery.replayEntry(a.id)).toBe(false);
      });
    });

    describe('dispatch', () => {
      it('marks the entry dispatched and writes a pending log row and a due item per firing, in one step', async () => {
        const e = entry();
        await store.delivery.accept([e]);
        const f1 = firing('t');
        const f2 = firing('u', fn('f'), { eventType: 'trigger' });
        expect(await store.delivery.dispatch(e.id, [f1, f2], 100)).toEqual([f1.logId, f2.logId]);
        expect(await store.delivery.pending(10)).toEqual([]);
        expect(await store.delivery.getLog(f1.logId)).toMatchObject({
          id: f1.logId,
          trigger: 't',
          triggeredAt: 100,
          inboxId: e.id,
          event: e.data,
          actionIndex: 0,
          action: table,
          eventType: 'webhook',
          lane: 'action:t#0',
          status: 'pending',
          attempts: 0,
          jobId: null,
        });
        const claimed = await claimAll(100);
        expect(claimed.map((d) => d.id).sort()).toEqual([f1.logId, f2.logId].sort());
        expect(claimed.find((d) => d.id === f2.logId)).toMatchObject({
          trigger: 'u',
          action: fn('f'),
          eventType: 'trigger',
          lane: 'function:f',
          inboxId: e.id,
          event: e.data,
          attempts: 1,
          owner: OWNER_A,
        });
      });

      it('hands the event to the claim whether or not the dispatcher passed it along', async () => {
        const e1 = entry();
        const e2 = entry();
        await store.delivery.accept([e1, e2]);
        const f1 = firing('t');
        const f2 = firing('t');
        await store.delivery.dispatch(e1.id, [f1], 10, e1.data);
        await store.delivery.dispatch(e2.id, [f2], 10);
        const claimed = await claimAll(10);
        expect(Object.fromEntries(claimed.map((d) => [d.id, d.event]))).toEqual({
          [f1.logId]: e1.data,
          [f2.logId]: e2.data,
        });
      });

      it('does nothing for an entry already dispatched: nothing fires twice', async () => {
        const e = entry();
        await store.delivery.accept([e]);
        await store.delivery.dispatch(e.id, [firing('t')], 10);
        expect(await store.delivery.dispatch(e.id, [firing('t')], 11)).toEqual([]);
        expect((await store.delivery.listLogs({ limit: 10, offset: 0 })).total).toBe(1);
      });

      it('is all or nothing: a dispatch that fails leaves the entry pending and writes no row', async () => {
        const e = entry();
        await store.delivery.accept([e]);
        const ok = firing('t');
        // The same firing id twice cannot be stored in any backend.
        const clash = { ...firing('t'), logId: ok.logId };
        await expect(store.delivery.dispatch(e.id, [ok, clash], 10)).rejects.toBeDefined();
        expect((await store.delivery.pending(10)).map((p) => p.id)).toEqual([e.id]);
        expect(await store.delivery.getLog(ok.logId)).toBeUndefined();
        expect(await claimAll(10)).toEqual([]);
        expect(await store.delivery.nextDueAt()).toBeUndefined();
        // The store is still usable: the entry dispatches once its firings are sound.
        expect(await store.delivery.dispatch(e.id, [firing('t')], 11)).toHaveLength(1);
      });

      it('concurrent dispatches of one entry fire it once', async () => {
        const [a, b] = await pair();
        const e = entry();
        await store.delivery.accept([e]);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 === 0 ? a : b).delivery.dispatch(e.id, [firing('t')], 10),
          ),
        );
        expect(results.flat()).toHaveLength(1);
      });
    });

    describe('dispatchMany (several entries, one transaction)', () => {
      it('dispatches each entry with its firings and says, per entry, what it admitted', async () => {
        const [e1, e2, e3, done] = [entry(), entry(), entry(), entry()];
        await store.delivery.accept([e1, e2, e3, done]);
        await store.delivery.dispatch(done.id, [], 5);
        const f1 = firing('t');
        const f2 = firing('u', fn('f'));
        const f3 = firing('t');
        const results = await store.delivery.dispatchMany(
          [
            { inboxId: e1.id, firings: [f1, f2], event: e1.data },
            { inboxId: e2.id, firings: [] },
            { inboxId: done.id, firings: [firing('t')] },
            { inboxId: e3.id, firings: [f3] },
          ],
          10,
        );
        expect(results).toEqual([
          { admitted: [f1.logId, f2.logId] },
          { admitted: [] },
          { admitted: [] },
          { admitted: [f3.logId] },
        ]);
        expect(await store.delivery.pending(10)).toEqual([]);
        const claimed = await claimAll(10);
        expect(Object.fromEntries(claimed.map((d) => [d.id, [d.inboxId, d.event]]))).toEqual({
          [f1.logId]: [e1.id, e1.data],
          [f2.logId]: [e1.id, e1.data],
          [f3.logId]: [e3.id, e3.data],
        });
        expect((await store.delivery.listLogs({ limit: 10, offset: 0 })).total).toBe(3);
      });

      it('one entry that cannot be stored fails alone: the others are dispatched, it stays pending', async () => {
        const [good1, bad, good2] = [entry(), entry(), entry()];
        await store.delivery.accept([good1, bad, good2]);
        const ok = firing('t');
        const clash = { ...firing('t'), logId: ok.logId };
        const g1 = firing('t');
        const g2 = firing('g', table, { guard: { kind: 'once', since: 0 } });
        const results = await store.delivery.dispatchMany(
          [
            { inboxId: good1.id, firings: [g1] },
            { inboxId: bad.id, firings: [ok, clash] },
            { inboxId: good2.id, firings: [g2] },
          ],
          10,
        );
        expect(results[0]).toEqual({ admitted: [g1.logId] });
        expect(results[1]).toHaveProperty('error');
        expect(results[2]).toEqual({ admitted: [g2.logId] });
        expect((await store.delivery.pending(10)).map((p) => p.id)).toEqual([bad.id]);
        expect(await store.delivery.getLog(ok.logId)).toBeUndefined();
        expect((await claimAll(10)).map((d) => d.id).sort()).toEqual([g1.logId, g2.logId].sort());
      });

      it('decides the guards in the order given across entries: `once` admits the first only', async () => {
        const entries = Array.from({ length: 5 }, () => entry());
        await store.delivery.accept(entries);
        const guarded = entries.map(() =>
          firing('t', table, { guard: { kind: 'once', since: 0 } }),
        );
        const free = entries.map(() => firing('free'));
        const results = await store.delivery.dispatchMany(
          entries.map((e, i) => ({ inboxId: e.id, firings: [guarded[i]!, free[i]!] })),
          10,
        );
        expect(results).toEqual(
          entries.map((_, i) => ({
            admitted: i === 0 ? [guarded[0]!.logId, free[0]!.logId] : [free[i]!.logId],
          })),
        );
      });

      it('concurrent batches over the same entries fire each entry once and `once` once', async () => {
        const [a, b] = await pair();
        const entries = Array.from({ length: 30 }, () => entry());
        await store.delivery.accept(entries);
        const batchOf = (from: EngineStore, order: InboxEntry[]) =>
          from.delivery.dispatchMany(
            order.map((e) => ({
              inboxId: e.id,
              firings: [firing('t'), firing('g', table, { guard: { kind: 'once', since: 0 } })],
            })),
            10,
          );
        const results = await Promise.all([
          batchOf(a, entries),
          batchOf(b, [...entries].reverse()),
          batchOf(a, entries.slice(10)),
          batchOf(b, entries.slice(0, 20)),
        ]);
        const admitted = results.flat().flatMap((r) => ('admitted' in r ? r.admitted : []));
        expect(results.flat().every((r) => 'admitted' in r)).toBe(true);
        const logs = await store.delivery.listLogs({ limit: 100, offset: 0 });
        expect(admitted).toHaveLength(31);
        expect(logs.total).toBe(31);
        expect(logs.objects.filter((l) => l.trigger === 'g')).toHaveLength(1);
        expect(
          new Set(logs.objects.filter((l) => l.trigger === 't').map((l) => l.inboxId)).size,
        ).toBe(30);
        expect(await store.delivery.pending(100)).toEqual([]);
      });
    });

    describe('frequency guards, decided inside the dispatch', () => {
      const once = (since = 0): FrequencyGuard => ({ kind: 'once', since });
      const every = (ms: number, since = 0): FrequencyGuard => ({ kind: 'atMostEvery', ms, since });

      it('`once`: 100 firings in one dispatch admit one, later ones none, until the trigger is saved again', async () => {
        const burst = Array.from({ length: 100 }, () => firing('t', table, { guard: once() }));
        await fire(burst, 1000);
        expect(await claimAll(1000)).toHaveLength(1);
        await fire([firing('t', table, { guard: once() })], 2000);
        expect(await claimAll(2000)).toHaveLength(0);
        // Counted from `since` (the trigger's last save): a save at 1500 starts it over.
        await fire([firing('t', table, { guard: once(1500) })], 3000);
        expect(await claimAll(3000)).toHaveLength(1);
      });

      it('`once` holds under concurrent dispatches of different entries', async () => {
        const [a, b] = await pair();
        const entries = Array.from({ length: 20 }, () => entry());
        await store.delivery.accept(entries);
        const admitted = await Promise.all(
          entries.map((e, i) =>
            (i % 2 === 0 ? a : b).delivery.dispatch(
              e.id,
              [firing('t', table, { guard: once() })],
              500,
            ),
          ),
        );
        expect(admitted.flat()).toHaveLength(1);
        expect((await store.delivery.listLogs({ trigger: 't', limit: 100, offset: 0 })).total).toBe(
          1,
        );
      });

      it('`atMostEvery`: one per window, per trigger action; a firing in the future blocks too', async () => {
        const guard = every(1000);
        await fire([firing('t', table, { guard }), firing('t', table, { guard })], 10_000);
        // Another action of the same trigger has its own window.
        await fire([firing('t', table, { guard, actionIndex: 1, lane: 'action:t#1' })], 10_001);
        expect(await claimAll(10_001)).toHaveLength(2);
        await fire([firing('t', table, { guard })], 10_999);
        expect(await claimAll(10_999)).toHaveLength(0);
        await fire([firing('t', table, { guard })], 11_000);
        expect(await claimAll(11_000)).toHaveLength(1);
        // The clock went back: the last firing is "in the future", still within the window.
        await fire([firing('t', table, { guard })], 5000);
        expect(await claimAll(11_000)).toHaveLength(0);
      });

      it('`atMostEvery` holds under concurrent dispatches', async () => {
        const [a, b] = await pair();
        const entries = Array.from({ length: 20 }, () => entry());
        await store.delivery.accept(entries);
        const admitted = await Promise.all(
          entries.map((e, i) =>
            (i % 2 === 0 ? a : b).delivery.dispatch(
              e.id,
              [firing('t', table, { guard: every(60_000) })],
              500 + i,
            ),
          ),
        );
        expect(admitted.flat()).toHaveLength(1);
      });

      it('a firing with no guard is always admitted, and does not count against itself', async () => {
        await fire(
          Array.from({ length: 5 }, () => firing('t')),
          10,
        );
        expect(await claimAll(10)).toHaveLength(5);
      });
    });

    describe('claims, leases and outcomes', () => {
      it('takes due items oldest first, at most the cap per lane counting what runs', async () => {
        const f = fn('f');
        await fire(
          Array.from({ length: 6 }, () => firing('a', f)),
          1,
        );
        await fire(
          Array.from({ length: 6 }, () => firing('b', f)),
          2,
        );
        await fire(
          Array.from({ length: 3 }, () => firing('c', fn('g'))),
          3,
        );
        await fire(
          Array.from({ length: 3 }, () => firing('d')),
          4,
        );
        const claimed = await store.delivery.claim(
          OWNER_A,
          10,
          100,
          { perLane: 4, running: new Map([['function:f', 1]]) },
          LONG_LEASE,
        );
        expect(claimed.map((d) => d.lane)).toEqual([
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
        expect(claimed.every((d) => d.attempts === 1 && d.owner === OWNER_A)).toBe(true);
        // Claimed items are not handed out again; the rest of f waits for room.
        expect(
          await store.delivery.claim(
            OWNER_A,
            10,
            100,
            { perLane: 4, running: new Map([['function:f', 4]]) },
            LONG_LEASE,
          ),
        ).toEqual([]);
        const more = await store.delivery.claim(
          OWNER_A,
          10,
          100,
          { perLane: 4, running: new Map([['function:f', 3]]) },
          LONG_LEASE,
        );
        expect(more.map((d) => d.trigger)).toEqual(['a']);
      });

      it('honours the limit, and hands nothing out before its time', async () => {
        await fire([firing('t'), firing('t'), firing('t')], 100);
        expect(await claimAll(99)).toEqual([]);
        expect(await store.delivery.nextDueAt()).toBe(100);
        expect(await store.delivery.claim(OWNER_A, 100, 2, undefined, LONG_LEASE)).toHaveLength(2);
        expect(await store.delivery.claim(OWNER_A, 100, 2, undefined, LONG_LEASE)).toHaveLength(1);
      });

      it('concurrent claims never hand one item to two owners', async () => {
        const [a, b] = await pair();
        await fire(
          Array.from({ length: 20 }, () => firing('t')),
          1,
        );
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? a : b).delivery.claim(`owner-${i}`, 10, 5, undefined, LONG_LEASE),
          ),
        );
        const ids = claims.flat().map((d) => d.id);
        expect(ids).toHaveLength(20);
        expect(new Set(ids).size).toBe(20);
      });

      it('complete: the item goes and the log row records the success, by the owner only', async () => {
        const f = firing('t');
        await fire([f], 10);
        const [d] = await claimAll(10);
        const outcome = { attempts: 1, jobId: 'job-1', durationMs: 5 };
        expect(await store.delivery.complete(OWNER_B, d!.id, outcome, 20)).toBe(false);
        expect(await store.delivery.complete(OWNER_A, d!.id, outcome, 20)).toBe(true);
        expect(await store.delivery.getLog(f.logId)).toMatchObject({
          status: 'succeeded',
          attempts: 1,
          jobId: 'job-1',
          durationMs: 5,
          errorType: null,
          error: null,
          updatedAt: 20,
        });
        expect(await store.delivery.hasUnfinished('t')).toBe(false);
        expect(await store.delivery.complete(OWNER_A, d!.id, outcome, 21)).toBe(false);
        expect(await claimAll(1000)).toEqual([]);
      });

      it('retry: the log row records the failure and the item is due again at its time, attempts counted', async () => {
        const f = firing('t');
        await fire([f], 10);
        const [d] = await claimAll(10);
        const failure = {
          attempts: 1,
          jobId: null,
          durationMs: 3,
          errorType: 'E_X',
          error: 'boom',
        };
        expect(await store.delivery.retry(OWNER_B, d!.id, 500, failure, 20)).toBe(false);
        expect(await store.delivery.retry(OWNER_A, d!.id, 500, failure, 20)).toBe(true);
        expect(await store.delivery.getLog(f.logId)).toMatchObject({
          status: 'failed',
          attempts: 1,
          errorType: 'E_X',
          error: 'boom',
        });
        expect(await store.delivery.nextDueAt()).toBe(500);
        expect(await claimAll(499)).toEqual([]);
        expect(await store.delivery.hasUnfinished('t')).toBe(true);
        const [again] = await claimAll(500);
        expect(again).toMatchObject({ id: f.logId, attempts: 2, event: expect.anything() });
      });

      it('dead letter: the item goes, the log row keeps why; replay queues it again with fresh attempts', async () => {
        const f = firing('t');
        const e = await fire([f], 10);
        expect(await store.delivery.replay(f.logId, 11)).toBe(false); // still queued
        const [d] = await claimAll(10);
        const failure = { attempts: 1, jobId: null, durationMs: 1, errorType: 'E_X', error: 'x' };
        expect(await store.delivery.deadLetter(OWNER_B, d!.id, failure, 20)).toBe(false);
        expect(await store.delivery.deadLetter(OWNER_A, d!.id, failure, 20)).toBe(true);
        expect(await store.delivery.getLog(f.logId)).toMatchObject({
          status: 'dead_letter',
          errorType: 'E_X',
        });
        expect(await store.delivery.hasUnfinished('t')).toBe(false);
        expect(
          (await store.delivery.listLogs({ status: 'dead_letter', limit: 10, offset: 0 })).total,
        ).toBe(1);

        expect(await store.delivery.replay(f.logId, 30)).toBe(true);
        expect(await store.delivery.getLog(f.logId)).toMatchObject({
          status: 'pending',
          attempts: 0,
          errorType: null,
          error: null,
        });
        expect(await claimAll(30)).toMatchObject([
          { id: f.logId, attempts: 1, event: e.data, lane: 'action:t#0', eventType: 'webhook' },
        ]);
        expect(await store.delivery.replay(f.logId, 31)).toBe(false);
        expect(await store.delivery.replay('unknown', 31)).toBe(false);
      });

      it('an expired lease is taken over by another owner (an attempt counted); the old owner can no longer record', async () => {
        const f = firing('t');
        await fire([f], 0);
        const [first] = await store.delivery.claim(OWNER_A, 0, 10, undefined, 1000);
        expect(first).toMatchObject({ attempts: 1, leaseUntil: 1000 });
        expect(await store.delivery.claim(OWNER_B, 999, 10, undefined, 1000)).toEqual([]);
        const [taken] = await store.delivery.claim(OWNER_B, 1000, 10, undefined, 1000);
        expect(taken).toMatchObject({ id: f.logId, attempts: 2, owner: OWNER_B, leaseUntil: 2000 });
        const outcome = { attempts: 1, jobId: null, durationMs: 1 };
        expect(await store.delivery.complete(OWNER_A, f.logId, outcome, 1001)).toBe(false);
        expect(
          await store.delivery.complete(OWNER_B, f.logId, { ...outcome, attempts: 2 }, 1002),
        ).toBe(true);
        expect(await store.delivery.getLog(f.logId)).toMatchObject({
          status: 'succeeded',
          attempts: 2,
        });
      });

      it('completions made together each go by their owner only: a stale one fails alone', async () => {
        const fs = Array.from({ length: 4 }, () => firing('t'));
        await fire(fs, 0);
        const claimed = await store.delivery.claim(OWNER_A, 0, 10, undefined, 1000);
        expect(claimed).toHaveLength(4);
        // One is taken over by B once A's leases expired; A renews the others first.
        const lost = claimed[1]!.id;
        const kept = claimed.map((d) => d.id).filter((id) => id !== lost);
        expect((await store.delivery.renew(OWNER_A, kept, 500, 1000)).sort()).toEqual(kept.sort());
        const taken = await store.delivery.claim(OWNER_B, 1000, 10, undefined, 1000);
        expect(taken.map((d) => d.id)).toEqual([lost]);
        const outcome = (jobId: string) => ({ attempts: 1, jobId, durationMs: 1 });
        // Started in one turn: a backend may send them as one statement.
        const results = await Promise.all([
          ...claimed.map((d) => store.delivery.complete(OWNER_A, d.id, outcome(`a-${d.id}`), 1001)),
          store.delivery.complete(OWNER_B, lost, { ...outcome('b'), attempts: 2 }, 1002),
        ]);
        expect(results).toEqual(claimed.map((d) => d.id !== lost).concat(true));
        for (const d of claimed)
          expect(await store.delivery.getLog(d.id)).toMatchObject(
            d.id === lost
              ? { status: 'succeeded', attempts: 2, jobId: 'b' }
              : { status: 'succeeded', attempts: 1, jobId: `a-${d.id}` },
          );
        expect(await claimAll(5000)).toEqual([]);
      });

      it('unclaim gives back claims that never started: due again, their attempt not counted; only by their owner', async () => {
        const e = entry();
        const [f1, f2] = [firing('t'), firing('t')];
        await fire([f1, f2], 0, e);
        const claimed = await store.delivery.claim(OWNER_A, 0, 10, undefined, LONG_LEASE);
        expect(claimed).toHaveLength(2);
        await store.delivery.unclaim(OWNER_B, [f1.logId]);
        await store.delivery.unclaim(OWNER_A, [f2.logId, 'unknown']);
        expect(await store.delivery.claim(OWNER_B, 1, 10, undefined, LONG_LEASE)).toMatchObject([
          { id: f2.logId, attempts: 1, owner: OWNER_B, event: e.data },
        ]);
        // Still A's: A records its outcome.
        expect(
          await store.delivery.complete(
            OWNER_A,
            f1.logId,
            { attempts: 1, jobId: null, durationMs: 1 },
            2,
          ),
        ).toBe(true);
      });

      it('renew keeps a lease; only its owner can renew it', async () => {
        const f = firing('t');
        await fire([f], 0);
        await store.delivery.claim(OWNER_A, 0, 10, undefined, 1000);
        expect(await store.delivery.renew(OWNER_B, [f.logId], 900, 1000)).toEqual([]);
        expect(await store.delivery.renew(OWNER_A, [f.logId, 'unknown'], 900, 1000)).toEqual([
          f.logId,
        ]);
        expect(await store.delivery.claim(OWNER_B, 1500, 10, undefined, 1000)).toEqual([]);
        expect(await store.delivery.claim(OWNER_B, 1900, 10, undefined, 1000)).toHaveLength(1);
      });

      it('hasUnfinished: a queued or running firing, or a timer tick still in the inbox', async () => {
        expect(await store.delivery.hasUnfinished('tick')).toBe(false);
        const tick = entry({ source: 'timer', key: 'tick', dedupKey: 'slot-1' });
        await store.delivery.accept([tick]);
        expect(await store.delivery.hasUnfinished('tick')).toBe(true);
        await store.delivery.dispatch(tick.id, [firing('tick')], 10);
        expect(await store.delivery.hasUnfinished('tick')).toBe(true);
        const [d] = await claimAll(10);
        expect(await store.delivery.hasUnfinished('tick')).toBe(true);
        await store.delivery.complete(
          OWNER_A,
          d!.id,
          { attempts: 1, jobId: null, durationMs: 1 },
          11,
        );
        expect(await store.delivery.hasUnfinished('tick')).toBe(false);
        expect(await store.delivery.hasUnfinished('other')).toBe(false);
      });
    });

    describe('claimed at dispatch (NewFiring.claimedBy)', () => {
      const claimed = (owner: string, leaseUntil: number) => ({ claimedBy: { owner, leaseUntil } });

      it('is written claimed: no claim hands it out until its lease expires, then it is taken over as attempt 2', async () => {
        const mine = firing('t', table, claimed(OWNER_A, 1000));
        const queued = firing('t');
        const e = entry();
        await store.delivery.accept([e]);
        expect(await store.delivery.dispatch(e.id, [mine, queued], 0, e.data)).toEqual([
          mine.logId,
          queued.logId,
        ]);
        // Only the unclaimed one is due; the claimed one is unfinished and its lease is due.
        expect(
          (await store.delivery.claim(OWNER_B, 0, 10, undefined, 1000)).map((d) => d.id),
        ).toEqual([queued.logId]);
        expect(await store.delivery.claim(OWNER_B, 999, 10, undefined, 1000)).toEqual([]);
        expect(await store.delivery.hasUnfinished('t')).toBe(true);
        expect(await store.delivery.nextDueAt()).toBe(1000);
        expect(await store.delivery.getLog(mine.logId)).toMatchObject({
          status: 'pending',
          inboxId: e.id,
        });
        const [taken] = await store.delivery.claim(OWNER_B, 1000, 10, undefined, 1000);
        expect(taken).toMatchObject({
          id: mine.logId,
          attempts: 2,
          owner: OWNER_B,
          event: e.data,
          lane: 'action:t#0',
        });
        const outcome = { attempts: 1, jobId: null, durationMs: 1 };
        expect(await store.delivery.complete(OWNER_A, mine.logId, outcome, 1001)).toBe(false);
      });

      it('its owner records the outcome with no claim in between; the lease is renewed as any', async () => {
        const done = firing('t', table, claimed(OWNER_A, 1000));
        const again = firing('t', table, claimed(OWNER_A, 1000));
        await fire([done, again], 0);
        expect(await store.delivery.renew(OWNER_B, [done.logId], 500, 1000)).toEqual([]);
        expect(await store.delivery.renew(OWNER_A, [done.logId], 500, 1000)).toEqual([done.logId]);
        const outcome = { attempts: 1, jobId: 'job-x', durationMs: 3 };
        expect(await store.delivery.complete(OWNER_B, done.logId, outcome, 10)).toBe(false);
        expect(await store.delivery.complete(OWNER_A, done.logId, outcome, 10)).toBe(true);
        expect(await store.delivery.getLog(done.logId)).toMatchObject({
          status: 'succeeded',
          attempts: 1,
          jobId: 'job-x',
        });
        // A retry puts it back in the queue, due at its time, as after a claim.
        const failed = { attempts: 1, jobId: null, durationMs: 1, errorType: 'E_X', error: 'x' };
        expect(await store.delivery.retry(OWNER_A, again.logId, 50, failed, 10)).toBe(true);
        expect(await claimAll(49)).toEqual([]);
        expect(await claimAll(50)).toMatchObject([{ id: again.logId, attempts: 2 }]);
      });

      it('several entries in one dispatchMany, claimed or not, each as asked', async () => {
        const a = entry();
        const b = entry();
        await store.delivery.accept([a, b]);
        const fa = firing('t', fn('f'), claimed(OWNER_A, 5000));
        const fb = firing('t', fn('f'));
        const results = await store.delivery.dispatchMany(
          [
            { inboxId: a.id, firings: [fa], event: a.data },
            { inboxId: b.id, firings: [fb], event: b.data },
          ],
          100,
        );
        expect(results).toEqual([{ admitted: [fa.logId] }, { admitted: [fb.logId] }]);
        expect((await claimAll(100)).map((d) => d.id)).toEqual([fb.logId]);
        expect(await claimAll(5000)).toMatchObject([{ id: fa.logId, attempts: 2, event: a.data }]);
      });
    });

    describe('dispatched with its accept (InboxEntry.firings)', () => {
      const claimed = (owner: string, leaseUntil: number) => ({ claimedBy: { owner, leaseUntil } });

      it('stores a new entry dispatched with its firings in the one accept: log rows, due and claimed items', async () => {
        const free = firing('t');
        const mine = firing('u', fn('f'), { ...claimed(OWNER_A, 5000), eventType: 'trigger' });
        const withFirings = entry({ receivedAt: 40, firings: [free, mine] });
        const matchedNothing = entry({ receivedAt: 41, firings: [] });
        const plain = entry({ receivedAt: 42 });
        expect(await store.delivery.accept([withFirings, matchedNothing, plain])).toEqual([
          true,
          true,
          true,
        ]);
        // Only the entry given without firings is left to dispatch.
        expect((await store.delivery.pending(10)).map((p) => p.id)).toEqual([plain.id]);
        expect(await store.delivery.getEntry(withFirings.id)).toMatchObject({
          status: 'dispatched',
        });
        expect(await store.delivery.getEntry(matchedNothing.id)).toMatchObject({
          status: 'dispatched',
        });
        // Triggered and due at the group's latest receivedAt.
        expect(await store.delivery.getLog(free.logId)).toMatchObject({
          trigger: 't',
          triggeredAt: 42,
          inboxId: withFirings.id,
          event: withFirings.data,
          status: 'pending',
          attempts: 0,
        });
        expect(await store.delivery.getLog(mine.logId)).toMatchObject({
          eventType: 'trigger',
          lane: 'function:f',
          status: 'pending',
        });
        expect(await claimAll(41)).toEqual([]);
        expect(await claimAll(42)).toMatchObject([
          { id: free.logId, attempts: 1, event: withFirings.data, inboxId: withFirings.id },
        ]);
        // The claimed one is its owner's until its lease runs out.
        expect(await store.delivery.hasUnfinished('u')).toBe(true);
        const outcome = { attempts: 1, jobId: null, durationMs: 2 };
        expect(await store.delivery.complete(OWNER_B, mine.logId, outcome, 50)).toBe(false);
        expect(await store.delivery.complete(OWNER_A, mine.logId, outcome, 50)).toBe(true);
        expect(await store.delivery.getLog(mine.logId)).toMatchObject({ status: 'succeeded' });
      });

      it('writes no firing for a duplicate, in a later group or in the same one', async () => {
        const first = entry({ dedupKey: 'once', firings: [firing('t')] });
        expect(await store.delivery.accept([first])).toEqual([true]);
        const again = entry({ dedupKey: 'once', firings: [firing('t')] });
        const twin1 = entry({ dedupKey: 'twin', firings: [firing('t')] });
        const twin2 = entry({ dedupKey: 'twin', firings: [firing('t')] });
        expect(await store.delivery.accept([again, twin1, twin2])).toEqual([false, true, false]);
        const logs = await store.delivery.listLogs({ limit: 10, offset: 0 });
        expect(logs.objects.map((l) => l.inboxId).sort()).toEqual([first.id, twin1.id].sort());
        expect((await claimAll(10_000)).map((d) => d.inboxId).sort()).toEqual(
          [first.id, twin1.id].sort(),
        );
      });

      it('refuses a guarded firing (those are decided by dispatch) and stores nothing of the group', async () => {
        const guard: FrequencyGuard = { kind: 'once', since: 0 };
        const ok = entry();
        const guarded = entry({ firings: [firing('t', table, { guard })] });
        await expect(store.delivery.accept([ok, guarded])).rejects.toThrow(/frequency guard/);
        expect(await store.delivery.getEntry(ok.id)).toBeUndefined();
        expect(await store.delivery.pending(10)).toEqual([]);
      });

      it('is undone with its entry: a dispatch never finds it pending, a replay of its log runs it again', async () => {
        const f = firing('t');
        const e = entry({ firings: [f] });
        await store.delivery.accept([e]);
        expect(await store.delivery.dispatch(e.id, [firing('t')], 100)).toEqual([]);
        const [item] = await claimAll(e.receivedAt);
        expect(item).toMatchObject({ id: f.logId });
        const outcome = { attempts: 1, jobId: null, durationMs: 1 };
        expect(await store.delivery.complete(OWNER_A, f.logId, outcome, 90_000)).toBe(true);
        expect(await store.delivery.replay(f.logId, 100_000)).toBe(true);
        expect(await claimAll(100_000)).toMatchObject([{ id: f.logId, event: e.data }]);
      });
    });

    describe('trigger logs', () => {
      it('records a finished firing in one go, with its event from the inbox, and can replay it', async () => {
        const e = entry();
        await store.delivery.accept([e]);
        await store.delivery.dispatch(e.id, [], 5);
        await store.delivery.recordFinished(
          {
            id: 'reply-1',
            trigger: 'r',
            triggeredAt: 5,
            inboxId: e.id,
            actionIndex: 0,
            action: fn('reply'),
            eventType: 'trigger',
            lane: 'function:reply',
            status: 'dead_letter',
            attempts: 1,
            errorType: 'E_REPLY_MISSING',
            error: 'no reply',
            jobId: 'job-9',
            durationMs: 7,
          },
          6,
        );
        expect(await store.delivery.getLog('reply-1')).toMatchObject({
          event: e.data,
          inboxId: e.id,
          status: 'dead_letter',
          jobId: 'job-9',
          updatedAt: 6,
        });
        expect(await store.delivery.replay('reply-1', 10)).toBe(true);
        expect(await claimAll(10)).toMatchObject([
          { id: 'reply-1', lane: 'function:reply', eventType: 'trigger', event: e.data },
        ]);
      });

      it('filters by trigger, status, time and the event fields of a push, newest first', async () => {
        const push = (msgId: string, from: string, event: string) =>
          entry({ data: { MsgId: msgId, FromUserName: from, Event: event } });
        const a = firing('t');
        const b = firing('t');
        const c = firing('u');
        await fire([a], 10, push('1', 'alice', 'subscribe'));
        await fire([b], 20, push('2', 'bob', 'click'));
        await fire(
          [c],
          30,
          entry({ data: { MsgID: '3', FromUserName: 'alice', event: 'create' } }),
        );
        const ids = async (filter: Record<string, unknown>) =>
          (await store.delivery.listLogs({ limit: 10, offset: 0, ...filter })).objects.map(
            (l) => l.id,
          );
        expect(await ids({})).toEqual([c.logId, b.logId, a.logId]);
        expect(await ids({ trigger: 't' })).toEqual([b.logId, a.logId]);
        expect(await ids({ since: 20 })).toEqual([c.logId, b.logId]);
        expect(await ids({ until: 20 })).toEqual([a.logId]);
        expect(await ids({ msgId: '2' })).toEqual([b.logId]);
        expect(await ids({ msgId: '3' })).toEqual([c.logId]);
        expect(await ids({ fromUserName: 'alice' })).toEqual([c.logId, a.logId]);
        expect(await ids({ event: 'create' })).toEqual([c.logId]);
        expect(await ids({ status: 'pending', trigger: 'u' })).toEqual([c.logId]);
        const page = await store.delivery.listLogs({ limit: 1, offset: 1 });
        expect(page.total).toBe(3);
        expect(page.objects.map((l) => l.id)).toEqual([b.logId]);
      });
    });

    describe('jobs', () => {
      it('a job of a firing shows its inbox entry’s event; a direct run keeps its own data', async () => {
        const e = entry();
        await store.delivery.accept([e]);
        const base = {
          function: 'f',
          version: 1,
          source: 'trigger:t',
          status: 'executing' as const,
          triggerName: 't',
          triggerLogId: 'log-x',
        };
        await store.jobs.create({
          ...base,
          id: 'job-a',
          createdAt: 10,
          data: e.data,
          inboxId: e.id,
        });
        await store.jobs.create({
          ...base,
          id: 'job-b',
          createdAt: 20,
          data: { direct: true },
          inboxId: null,
          source: 'invoke',
        });
        expect(await store.jobs.get('job-a')).toMatchObject({ data: e.data, inboxId: e.id });
        await store.jobs.finish('job-b', {
          status: 'fulfilled',
          finishedAt: 25,
          durationMs: 5,
          cpuMs: 1,
          memoryBytes: 100,
          result: { ok: 1 },
          error: null,
          log: [],
        });
        expect(await store.jobs.get('job-b')).toMatchObject({
          data: { direct: true },
          inboxId: null,
          status: 'fulfilled',
          result: { ok: 1 },
          finishedAt: 25,
        });
        const listed = await store.jobs.list({ function: 'f', limit: 10, offset: 0 });
        expect(listed.total).toBe(2);
        expect(listed.objects.map((j) => [j.id, j.data])).toEqual([
          ['job-b', { direct: true }],
          ['job-a', e.data],
        ]);
        expect(
          (await store.jobs.list({ function: 'f', source: 'invoke', limit: 10, offset: 0 })).total,
        ).toBe(1);
        expect(await store.jobs.get('nope')).toBeUndefined();
      });

      const started = (id: string, createdAt: number) => ({
        id,
        function: 'g',
        version: 1,
        source: 'invoke',
        status: 'executing' as const,
        createdAt,
        data: { n: createdAt },
        inboxId: null,
        triggerName: null,
        triggerLogId: null,
      });
      const ended = (n: number) => ({
        status: 'fulfilled' as const,
        finishedAt: 1000 + n,
        durationMs: 2,
        cpuMs: 1,
        memoryBytes: 10,
        result: { n },
        error: null,
        log: [{ level: 'log' as const, message: `ran ${n}`, at: 1000 + n }],
      });

      it('starts and ends of many jobs issued together are each written', async () => {
        await Promise.all([...Array(40).keys()].map((n) => store.jobs.create(started(`j${n}`, n))));
        // Ends of the first 40 mixed with starts of 40 more, all in the same turn.
        await Promise.all(
          [...Array(40).keys()].flatMap((n) => [
            store.jobs.finish(`j${n}`, ended(n)),
            store.jobs.create(started(`j${40 + n}`, 40 + n)),
          ]),
        );
        const page = (status: string) =>
          store.jobs.list({ function: 'g', status, limit: 100, offset: 0 });
        const done = await page('fulfilled');
        expect(done.total).toBe(40);
        expect(done.objects.map((j) => j.id).sort()).toEqual(
          [...Array(40).keys()].map((n) => `j${n}`).sort(),
        );
        expect(await store.jobs.get('j7')).toMatchObject({
          data: { n: 7 },
          createdAt: 7,
          result: { n: 7 },
          finishedAt: 1007,
          log: [{ message: 'ran 7' }],
        });
        expect((await page('executing')).total).toBe(40);
        expect(await store.jobs.get('j47')).toMatchObject({ data: { n: 47 }, finishedAt: null });
      });

      it('an end issued before its start has landed is kept, never undone by the start', async () => {
        const starts = [store.jobs.create(started('a', 1)), store.jobs.create(started('b', 2))];
        // a: ended in the same turn as its start; b: once its start is on its way (a network
        // store sends the turn's writes on the next setImmediate).
        const endA = store.jobs.finish('a', ended(1));
        await new Promise((resolve) => setImmediate(resolve));
        const endB = store.jobs.finish('b', ended(2));
        await Promise.all([...starts, endA, endB]);
        for (const [id, n] of [
          ['a', 1],
          ['b', 2],
        ] as const)
          expect(await store.jobs.get(id)).toMatchObject({
            status: 'fulfilled',
            data: { n },
            createdAt: n,
            result: { n },
          });
        expect((await store.jobs.list({ function: 'g', limit: 10, offset: 0 })).total).toBe(2);
      });

      it('a job not yet ended is seen by reads at once, and its row is written by close', async () => {
        // A store may hold a created job's row back until its run ends (to write it once):
        // its own reads must see it meanwhile, and closing must not lose it.
        const creating = store.jobs.create(started('held', 1));
        expect(await store.jobs.get('held')).toMatchObject({ status: 'executing', data: { n: 1 } });
        const running = await store.jobs.list({
          function: 'g',
          status: 'executing',
          limit: 10,
          offset: 0,
        });
        expect(running.objects.map((j) => j.id)).toEqual(['held']);
        await creating;
        const creatingAnother = store.jobs.create(started('held-2', 2));
        store = await opened.reopen();
        await creatingAnother;
        expect(await store.jobs.get('held-2')).toMatchObject({
          status: 'executing',
          createdAt: 2,
          data: { n: 2 },
        });
        await store.jobs.finish('held-2', ended(2));
        expect(await store.jobs.get('held-2')).toMatchObject({
          status: 'fulfilled',
          result: { n: 2 },
        });
      });

      it('ends jobs left executing, and prunes old finished ones', async () => {
        const base = {
          function: 'f',
          version: 1,
          source: 'invoke',
          status: 'executing' as const,
          data: null,
          inboxId: null,
          triggerName: null,
          triggerLogId: null,
        };
        await store.jobs.create({ ...base, id: 'old', createdAt: 10 });
        await store.jobs.create({ ...base, id: 'new', createdAt: 5000 });
        expect(await store.jobs.failInterrupted(6000)).toBe(2);
        expect(await store.jobs.get('old')).toMatchObject({
          status: 'execution_failed',
          error: { code: 'E_ENGINE_RESTARTED' },
        });
        expect(await store.jobs.pruneBatch(1000, 100)).toBe(1);
        expect(await store.jobs.get('old')).toBeUndefined();
        expect(await store.jobs.get('new')).toBeDefined();
      });
    });

    describe('retention', () => {
      it('prunes finished log rows before the cut-off, keeping pending ones and the latest of each action', async () => {
        const rows = [firing('t'), firing('t'), firing('t'), firing('u')];
        for (const [i, f] of rows.entries()) await fire([f], 10 + i);
        const claimed = await claimAll(100);
        const done = { attempts: 1, jobId: null, durationMs: 1 };
        for (const f of rows.slice(0, 2)) await store.delivery.complete(OWNER_A, f.logId, done, 20);
        await store.delivery.deadLetter(OWNER_A, rows[3]!.logId, done, 20);
        expect(claimed).toHaveLength(4);
        // rows[0]: old and finished → dropped; rows[1]: finished → dropped; rows[2]: still
        // running; rows[3]: u's latest (frequency guards read it).
        expect(await store.delivery.pruneLogs(1000)).toBe(2);
        const left = (await store.delivery.listLogs({ limit: 10, offset: 0 })).objects;
        expect(left.map((l) => l.id).sort()).toEqual([rows[2]!.logId, rows[3]!.logId].sort());
      });

      it('prunes dispatched entries past the cut-off; one a log row or a job still names keeps its event and forgets its key', async () => {
        const pendingOld = entry({ receivedAt: 1, dedupKey: 'p' });
        const plain = entry({ receivedAt: 2, dedupKey: 'd' });
        const logged = entry({ receivedAt: 3, dedupKey: 'l' });
        const jobbed = entry({ receivedAt: 4 });
        const recent = entry({ receivedAt: 5000, dedupKey: 'r' });
        await store.delivery.accept([pendingOld, plain, logged, jobbed, recent]);
        const f = firing('t');
        await store.delivery.dispatch(plain.id, [], 10);
        await store.delivery.dispatch(logged.id, [f], 10);
        await store.delivery.dispatch(jobbed.id, [], 10);
        await store.delivery.dispatch(recent.id, [], 5000);
        await store.jobs.create({
          id: 'job-r',
          function: 'f',
          version: 1,
          source: 'trigger:t',
          status: 'executing',
          createdAt: 10,
          data: jobbed.data,
          inboxId: jobbed.id,
          triggerName: 't',
          triggerLogId: null,
        });
        // plain: dropped; logged: its key forgotten (jobbed has none to forget).
        expect(await store.delivery.pruneEntries(1000)).toBe(2);
        expect(await store.delivery.getEntry(plain.id)).toBeUndefined();
        for (const kept of [pendingOld, logged, jobbed, recent])
          expect(await store.delivery.getEntry(kept.id)).toBeDefined();
        expect((await store.delivery.getLog(f.logId))?.event).toEqual(logged.data);
        expect((await store.jobs.get('job-r'))?.data).toEqual(jobbed.data);
        // Nothing more to prune until the log and the job go.
        expect(await store.delivery.pruneEntries(1000)).toBe(0);
        // Pruned keys are new again; the pending entry's and the recent one's are not.
        expect(
          await store.delivery.accept([
            entry({ dedupKey: 'd', receivedAt: 6000 }),
            entry({ dedupKey: 'l', receivedAt: 6000 }),
            entry({ dedupKey: 'p', receivedAt: 6000 }),
            entry({ dedupKey: 'r', receivedAt: 6000 }),
          ]),
        ).toEqual([true, true, false, false]);
      });
    });

    describe('the other stores', () => {
      it('triggers: create, read (by name and by hook key), list, replace, delete', async () => {
        const definition = {
          name: 'hook',
          type: 'webhook' as const,
          enabled: true,
          condition: { match: 'all' as const, rules: [] },
          actions: [table],
          retry: { attempts: 3, backoff: '1s' },
        };
        const created = await store.triggers.create(
          {
            name: 'hook',
            type: 'webhook',
            enabled: true,
            definition,
            webhookKeyHash: null,
            webhookKeyHint: null,
            webhookKey: 'k'.repeat(40),
          },
          10,
        );
        expect(created).toMatchObject({ webhookKey: 'k'.repeat(40), webhookKeyHint: 'kkkk' });
        expect(await store.triggers.get('hook')).toMatchObject({ definition, createdAt: 10 });
        expect((await store.triggers.get('hook'))?.webhookKey).toBeUndefined();
        expect((await store.triggers.getByWebhookKey('k'.repeat(40)))?.name).toBe('hook');
        expect(await store.triggers.getByWebhookKey('x'.repeat(40))).toBeUndefined();
        const replaced = await store.triggers.replace(
          { ...created, enabled: false, definition: { ...definition, enabled: false } },
          20,
        );
        expect(replaced).toMatchObject({ enabled: false, createdAt: 10, updatedAt: 20 });
        expect((await store.triggers.list()).map((t) => t.name)).toEqual(['hook']);
        expect(await store.triggers.delete('hook')).toBe(true);
        expect(await store.triggers.delete('hook')).toBe(false);
      });

      it('functions: deploy numbers versions and activates them; rollback; delete', async () => {
        const version = { code: 'a', sha256: 'h1', timeoutMs: 100, memoryMb: 64, env: { A: '1' } };
        const first = await store.functions.deploy('f', version, 10);
        expect(first).toMatchObject({
          created: true,
          fn: { activeVersion: 1 },
          version: { version: 1 },
        });
        const second = await store.functions.deploy('f', { ...version, code: 'b' }, 20);
        expect(second).toMatchObject({ created: false, fn: { activeVersion: 2 } });
        expect((await store.functions.getActive('f'))?.code).toBe('b');
        expect((await store.functions.activate('f', 1, 30)).activeVersion).toBe(1);
        expect((await store.functions.getVersion('f', 2))?.env).toEqual({ A: '1' });
        expect((await store.functions.listVersions('f')).map((v) => v.version).sort()).toEqual([
          1, 2,
        ]);
        expect((await store.functions.list()).map((f) => f.name)).toEqual(['f']);
        expect(await store.functions.delete('f')).toBe(true);
        expect(await store.functions.get('f')).toBeUndefined();
      });

      it('accounts, access tokens and settings', async () => {
        const account = {
          appId: 'wx1',
          token: 'tok',
          encodingAESKey: null,
          previousEncodingAESKey: null,
          mode: 'plain' as const,
          appSecret: 'secret',
        };
        expect(await store.accounts.put(account, 10)).toMatchObject({ ...account, createdAt: 10 });
        expect((await store.accounts.get('wx1'))?.appSecret).toBe('secret');
        expect(await store.accounts.list()).toHaveLength(1);
        await store.accessTokens.put('wx1', { accessToken: 'at', expiresAt: 99, fetchedAt: 9 });
        expect(await store.accessTokens.get('wx1')).toEqual({
          accessToken: 'at',
          expiresAt: 99,
          fetchedAt: 9,
        });
        await store.accessTokens.countFetch('wx1', '2026-01-01', true);
        await store.accessTokens.countFetch('wx1', '2026-01-01', false);
        expect(await store.accessTokens.fetchCounts('wx1', '2026-01-01')).toEqual({
          fetches: 2,
          failures: 1,
        });
        await store.accessTokens.delete('wx1');
        expect(await store.accessTokens.get('wx1')).toBeUndefined();
        expect(await store.accounts.delete('wx1')).toBe(true);
        expect(await store.settings.get('admin')).toBeUndefined();
        await store.settings.set('admin', 'x');
        await store.settings.set('admin', 'y');
        expect(await store.settings.get('admin')).toBe('y');
      });
    });
  });
}
