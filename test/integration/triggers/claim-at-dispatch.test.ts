import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  openSqliteEngineStore,
  type Delivery,
  type EngineStore,
  type NewFiring,
} from '../../../engine/store/index.ts';
import { JobRunner } from '../../../engine/dispatch/job-runner.ts';
import { parseTriggerDefinition } from '../../../engine/triggers/index.ts';
import type { ActionRequest } from '../../../engine/dispatch/actions/action-error.ts';
import type { StoredTrigger } from '../../../engine/store/index.ts';
import { systemClock } from '../../../engine/clock.ts';

// The job runner's side of claiming at dispatch, on a real SQLite delivery log: when it gives
// a slot to the dispatcher (never past queued firings), and that its freed slots alone carry
// a burst through the queue — the safety net's timer is frozen here (fake setTimeout and
// setInterval), so a firing that waited for it would never run and the test would not end.
const LANE = 'function:f';
const TRIGGER = 'hook';
const OWNER = 'me';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  vi.useRealTimers();
});

const definition = parseTriggerDefinition(
  { name: TRIGGER, type: 'webhook', actions: [{ type: 'function', function: 'f' }] },
  { generateSecret: () => 'x' },
);

interface Rig {
  store: EngineStore;
  runner: JobRunner;
  ran: string[];
  /** Claims the runner made (the real delivery log's, counted). */
  claims: () => number;
  /** Lets the runs waiting so far end (they wait until released). */
  releaseAll(): void;
  /** Lets the oldest waiting run end. */
  releaseOne(): void;
}

async function rig(options: { concurrency: number; perLane: number }): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-claim-at-dispatch-'));
  const store = openSqliteEngineStore(path.join(dir, 'engine.db'));
  const ran: string[] = [];
  let waiting: Array<() => void> = [];
  let claims = 0;
  const delivery = {
    ...store.delivery,
    claim: (...args: Parameters<EngineStore['delivery']['claim']>) => {
      claims++;
      return store.delivery.claim(...args);
    },
  };
  const runner = new JobRunner({
    delivery,
    registry: { stored: () => ({ definition }) as unknown as StoredTrigger },
    clock: systemClock,
    log: { warn: () => {}, error: () => {} },
    executors: {
      function: async (request: ActionRequest) => {
        ran.push(request.deliveryId);
        await new Promise<void>((resolve) => waiting.push(resolve));
        return {};
      },
      table: () => Promise.reject(new Error('not in this test')),
      webhook: () => Promise.reject(new Error('not in this test')),
    },
    options: { ...options, owner: OWNER },
  });
  cleanups.push(async () => {
    for (const w of waiting) w();
    await runner.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    store,
    runner,
    ran,
    claims: () => claims,
    releaseOne: () => waiting.shift()?.(),
    releaseAll: () => {
      const now = waiting;
      waiting = [];
      for (const w of now) w();
    },
  };
}

let n = 0;
const firing = (more: Partial<NewFiring> = {}): NewFiring => ({
  logId: `log-${++n}`,
  trigger: TRIGGER,
  actionIndex: 0,
  action: { type: 'function', function: 'f' },
  eventType: 'webhook',
  lane: LANE,
  ...more,
});

/** What the dispatcher hands the runner for a firing it wrote claimed (`claimedBy`). */
const claimedDelivery = (f: NewFiring): Delivery => ({
  id: f.logId,
  trigger: TRIGGER,
  actionIndex: 0,
  action: f.action,
  eventType: 'webhook',
  lane: LANE,
  inboxId: null,
  event: { n },
  attempts: 1,
  runAt: Date.now(),
  owner: f.claimedBy!.owner,
  leaseUntil: f.claimedBy!.leaseUntil,
});

async function dispatch(store: EngineStore, firings: NewFiring[]): Promise<string[]> {
  const id = `in-${++n}`;
  await store.delivery.accept([
    { id, source: 'webhook', key: TRIGGER, dedupKey: null, data: { n }, receivedAt: n },
  ]);
  return store.delivery.dispatch(id, firings, Date.now(), { n });
}

/** Lets the event loop turn until `done()` or a bound of turns (no timers needed). */
async function turnsUntil(done: () => boolean | Promise<boolean>, bound = 20_000): Promise<void> {
  for (let i = 0; i < bound && !(await done()); i++)
    await new Promise((resolve) => setImmediate(resolve));
}

const succeeded = async (store: EngineStore) =>
  (await store.delivery.listLogs({ status: 'succeeded', limit: 1, offset: 0 })).total;

/**
 * Queues `entries` entries of `per` firings, wakes the runner with the safety net's timers
 * frozen, and lets runs end (all waiting ones, or the oldest only, each turn) until every
 * firing succeeded.
 */
async function burst(
  caps: { concurrency: number; perLane: number },
  entries: number,
  per: number,
  release: 'all' | 'one',
): Promise<Rig> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
  const r = await rig(caps);
  for (let i = 0; i < entries; i++)
    await dispatch(
      r.store,
      Array.from({ length: per }, () => firing()),
    );
  r.runner.wake();
  await turnsUntil(async () => {
    if (release === 'all') r.releaseAll();
    else r.releaseOne();
    return (await succeeded(r.store)) === entries * per;
  });
  expect(await succeeded(r.store)).toBe(entries * per);
  return r;
}

describe('the job runner and claims at dispatch', () => {
  it('carries a burst larger than the lane cap through the queue on freed slots alone', async () => {
    const { ran } = await burst({ concurrency: 8, perLane: 3 }, 10, 3, 'all');
    expect(new Set(ran).size).toBe(30);
  });

  it('claims ahead under a backlog: runs ending one at a time take far fewer claims than runs', async () => {
    const { ran, claims } = await burst({ concurrency: 16, perLane: 8 }, 16, 4, 'one');
    expect(new Set(ran).size).toBe(64);
    // One claim per freed slot would be about 64; ahead, a claim serves several slots.
    expect(claims()).toBeLessThanOrEqual(20);
  });

  it('gives back at stop what it claimed ahead: due again, the attempt not counted', async () => {
    const { store, runner, ran } = await rig({ concurrency: 4, perLane: 2 });
    const firings = Array.from({ length: 6 }, () => firing());
    await dispatch(store, firings);
    runner.wake();
    await turnsUntil(() => ran.length === 2);
    // Two run (the lane's cap), two more are held ahead; stopping gives those back.
    const stopping = runner.stop();
    await turnsUntil(() => false, 50);
    expect(ran).toHaveLength(2);
    const rest = await store.delivery.claim('next', Date.now(), 10, undefined, 60_000);
    expect(rest.map((d) => [d.id, d.attempts])).toEqual(firings.slice(2).map((f) => [f.logId, 1]));
    void stopping;
  });

  it('reserves places ahead when the lane is full: held, started in order as slots free, with no claim', async () => {
    const { store, runner, ran, releaseOne, claims } = await rig({ concurrency: 8, perLane: 1 });
    runner.wake();
    await turnsUntil(() => runner.reserve('probe', 1000) !== undefined);
    runner.unreserve('probe');
    const before = claims();
    const deliveries: Delivery[] = [];
    for (let i = 0; i < 2; i++) {
      const claim = runner.reserve(LANE, Date.now())!;
      expect(claim).toBeDefined();
      const f = firing({ claimedBy: claim });
      expect(await dispatch(store, [f])).toEqual([f.logId]);
      deliveries.push(claimedDelivery(f));
    }
    // Twice the lane's cap reserved: no more.
    expect(runner.reserve(LANE, Date.now())).toBeUndefined();
    for (const d of deliveries) runner.started(d);
    await turnsUntil(() => ran.length === 1);
    expect(ran).toEqual([deliveries[0]!.id]); // the second waits ahead for the lane's slot
    releaseOne();
    await turnsUntil(() => ran.length === 2);
    expect(ran).toEqual(deliveries.map((d) => d.id));
    releaseOne();
    await turnsUntil(async () => (await succeeded(store)) === 2);
    expect(claims()).toBe(before);
    expect(await store.delivery.claim('other', Date.now(), 10, undefined, 1000)).toEqual([]);
  });

  it('gives back at stop a firing started into a place ahead after the stop', async () => {
    const { store, runner, ran } = await rig({ concurrency: 4, perLane: 1 });
    runner.wake();
    await turnsUntil(() => runner.reserve('probe', 1000) !== undefined);
    runner.unreserve('probe');
    const slot = runner.reserve(LANE, Date.now())!;
    const ahead = runner.reserve(LANE, Date.now())!;
    const [running, waiting] = [firing({ claimedBy: slot }), firing({ claimedBy: ahead })];
    await dispatch(store, [running, waiting]);
    runner.started(claimedDelivery(running));
    await turnsUntil(() => ran.length === 1);
    const stopping = runner.stop();
    runner.started(claimedDelivery(waiting));
    await turnsUntil(() => false, 50);
    expect(ran).toEqual([running.logId]);
    const back = await store.delivery.claim('next', Date.now(), 10, undefined, 60_000);
    expect(back.map((d) => [d.id, d.attempts])).toEqual([[waiting.logId, 1]]);
    void stopping;
  });

  it('gives the dispatcher a slot only when nothing older waits, and only as the lane cap allows', async () => {
    const { store, runner, ran, releaseAll } = await rig({ concurrency: 8, perLane: 2 });
    // Before a first look at the queue, anything may wait there.
    expect(runner.reserve(LANE, 1000)).toBeUndefined();
    runner.wake();
    await turnsUntil(() => runner.reserve('probe', 1000) !== undefined);
    runner.unreserve('probe');

    const now = Date.now();
    const claim = runner.reserve(LANE, now);
    expect(claim).toEqual({ owner: OWNER, leaseUntil: now + 60_000 });
    const second = runner.reserve(LANE, now);
    expect(second).toBeDefined();
    // The lane is at its cap: two more places ahead (twice the cap in all), then none.
    expect(runner.reserve(LANE, now)).toBeDefined();
    expect(runner.reserve(LANE, now)).toBeDefined();
    expect(runner.reserve(LANE, now)).toBeUndefined();
    runner.unreserve(LANE);
    runner.unreserve(LANE);
    runner.unreserve(LANE);

    // A firing claimed at dispatch runs in its slot, with no claim: nobody else gets it.
    const mine = firing({ claimedBy: claim! });
    expect(await dispatch(store, [mine])).toEqual([mine.logId]);
    runner.started(claimedDelivery(mine));
    await turnsUntil(() => ran.includes(mine.logId));
    expect(await store.delivery.claim('other', Date.now(), 10, undefined, 1000)).toEqual([]);

    // Queued unclaimed and told: no slot for the dispatcher until the runner has taken it.
    const queued = firing();
    await dispatch(store, [queued]);
    runner.wake();
    expect(runner.reserve(LANE, 1000)).toBeUndefined();
    await turnsUntil(() => ran.includes(queued.logId));
    releaseAll();
    await turnsUntil(async () => (await succeeded(store)) === 2);
    expect(await store.delivery.getLog(mine.logId)).toMatchObject({
      status: 'succeeded',
      attempts: 1,
    });
    await turnsUntil(() => runner.reserve(LANE, 1000) !== undefined);
  });
});
