/**
 * Host calls answered with promises (a store that waits, like PostgreSQL), on real isolates
 * and a real HostOps module (deferred-host-ops.ts: a SQLite file answered after a setTimeout).
 * The guest waits without holding the isolate's thread; the answer enters like a timer does,
 * so deadlines, loops after an await and CPU accounting behave as on the synchronous path.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import { SYNC_ENTRIES_PER_JOB } from '../../../runtime/executor/function-instance.ts';
import type { SandboxLimits } from '../../../runtime/limits.ts';
import { deploy, HEALTHY, run, testSandbox } from './harness.ts';

const DEFERRED_HOST_OPS = fileURLToPath(new URL('./deferred-host-ops.ts', import.meta.url));

/** Creates `n` records one after the other, then counts them: `n` host calls that wait. */
const CREATE_THEN_COUNT = `exports.main = async (event) => {
  const t = new BaaS.TableObject(event.data.table);
  const ids = [];
  for (let i = 0; i < event.data.n; i++) {
    const res = await t.create().set({ i }).save();
    ids.push(res.data.id);
  }
  return { ids, count: await t.count(), status: 201 };
};`;

function deferredSandbox(dir: string, limits: Partial<SandboxLimits> = {}): SupervisedSandbox {
  return testSandbox({
    hostOps: {
      module: DEFERRED_HOST_OPS,
      options: { dbPath: join(dir, 'records.sqlite'), delayMs: 5 },
    },
    limits,
  });
}

function rowsIn(dir: string, table: string): { i: number }[] {
  const db = new Database(join(dir, 'records.sqlite'), { readonly: true });
  try {
    return (
      db.prepare('SELECT data FROM records WHERE tbl = ?').all(table) as { data: string }[]
    ).map((row) => JSON.parse(row.data) as { i: number });
  } finally {
    db.close();
  }
}

describe('host calls answered with promises, on the fast path', () => {
  let dir: string;
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudfn-async-host-'));
    sandbox = deferredSandbox(dir, { suspectCpuMs: 50 });
    await sandbox.ready();
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers each answer into the guest, in order, and the store holds what was written', async () => {
    const fn = await deploy('create_then_count', CREATE_THEN_COUNT);
    const out = await run(sandbox, fn, { table: 'ordered', n: 3 });
    expect(out).toMatchObject({ status: 'fulfilled', result: { count: 3 } });
    const ids = (out.result as { ids: number[] }).ids;
    expect(ids).toHaveLength(3);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(rowsIn(dir, 'ordered')).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });

  it('keeps answering past the synchronous entries a job may make', async () => {
    const n = SYNC_ENTRIES_PER_JOB + 16;
    const fn = await deploy('many_waits', CREATE_THEN_COUNT, { timeoutMs: 30_000 });
    const out = await run(sandbox, fn, { table: 'many', n });
    expect(out).toMatchObject({ status: 'fulfilled', result: { count: n } });
    expect(rowsIn(dir, 'many').map((r) => r.i)).toEqual([...Array(n).keys()]);
  });

  it('waits for calls made together (Promise.all)', async () => {
    const fn = await deploy(
      'together',
      `exports.main = async () => {
        const t = new BaaS.TableObject('together');
        await Promise.all([1, 2, 3, 4, 5].map((i) => t.create().set({ i }).save()));
        return t.count();
      }`,
    );
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 5 });
  });

  it('serves a module that answers some operations at once and others later', async () => {
    const fn = await deploy(
      'mixed',
      `exports.main = async () => {
        const now = new BaaS.TableObject('now').count();
        await new BaaS.TableObject('mixed').create().set({ i: 1 }).save();
        return { now: await now, later: await new BaaS.TableObject('mixed').count() };
      }`,
    );
    expect(await run(sandbox, fn)).toMatchObject({
      status: 'fulfilled',
      result: { now: 0, later: 1 },
    });
  });

  it('rejects with an HError for a refusal, and hides an unexpected failure', async () => {
    const fn = await deploy(
      'refusals',
      `exports.main = async () => {
        const seen = [];
        for (const table of ['refused', 'crash']) {
          try { await new BaaS.TableObject(table).count() }
          catch (e) { seen.push({ name: e.name, code: e.code, reason: e.reason, status: e.status, message: e.message }) }
        }
        return seen;
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('fulfilled');
    const [refused, crash] = out.result as Record<string, unknown>[];
    expect(refused).toEqual({
      name: 'HError',
      code: 400,
      reason: 'E_TEST_REFUSED',
      status: 409,
      message: 'table.count refused on purpose',
    });
    expect(crash).toMatchObject({ code: 500, reason: 'E_HOST_OP_FAILED' });
    expect(crash!.message).not.toContain('secret');
  });

  it('ends a run waiting on an answer that never comes at its deadline, and the executor serves on', async () => {
    const fn = await deploy(
      'waits_forever',
      'exports.main = async () => new BaaS.TableObject("never").count()',
      { timeoutMs: 300 },
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({
      status: 'deadline_exceeded',
      error: { code: 'E_FUNCTION_TIMEOUT' },
    });
    const healthy = await deploy('healthy_after_wait', HEALTHY);
    expect(await run(sandbox, healthy, 'still here')).toMatchObject({
      status: 'fulfilled',
      result: { echo: 'still here' },
    });
  });

  it('stops a loop that starts after an awaited answer', async () => {
    const fn = await deploy(
      'loop_after_answer',
      'exports.main = async () => { await new BaaS.TableObject("loop").count(); while (true) {} }',
      { timeoutMs: 300 },
    );
    const healthy = await deploy('healthy_beside_loop', HEALTHY);
    const [out, ok] = await Promise.all([run(sandbox, fn), run(sandbox, healthy, 'beside')]);
    expect(out).toMatchObject({ status: 'deadline_exceeded' });
    expect(ok).toMatchObject({ status: 'fulfilled', result: { echo: 'beside' } });
  });

  it('does not count the time spent waiting as the function’s CPU', async () => {
    // 20 waits of ≥ 5 ms each: ≥ 100 ms waiting, twice suspectCpuMs (50) for this sandbox.
    const fn = await deploy('patient', CREATE_THEN_COUNT);
    const out = await run(sandbox, fn, { table: 'patient', n: 20 });
    expect(out).toMatchObject({ status: 'fulfilled', result: { count: 20 } });
    expect(out.cpuMs).toBeLessThan(50);
    expect(sandbox.pathOf('patient', fn.version)).toBe('fast');
  });

  it('makes a callback-style run wait for its calls in flight', async () => {
    const fn = await deploy(
      'callback_waits',
      `exports.main = (event, callback) => {
        new BaaS.TableObject('cb').create().set({ i: 7 }).save().then((res) => console.log('saved', res.data.i));
        callback(null, 'early');
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'fulfilled', result: 'early' });
    expect(out.log.map((l) => l.message)).toEqual(['saved 7']);
  });

  it('never hands an answer to a later job of the same isolate', async () => {
    const fn = await deploy(
      'leaves_early',
      `exports.main = async (event) => {
        const t = new BaaS.TableObject('left');
        if (event.data === 'leave') { t.create().set({ i: 1 }).save(); return 'left'; }
        return t.count();
      }`,
    );
    expect(await run(sandbox, fn, 'leave')).toMatchObject({ status: 'fulfilled', result: 'left' });
    const out = await run(sandbox, fn, 'count');
    expect(out.status).toBe('fulfilled');
    expect(typeof out.result).toBe('number');
  });
});

describe('host calls answered with promises, entered asynchronously (proving, quarantine)', () => {
  let dir: string;
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudfn-async-host-proving-'));
    sandbox = deferredSandbox(dir, { provingRuns: 100 });
    await sandbox.ready();
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the answers into an isolate running off the main thread', async () => {
    const fn = await deploy('proving_waits', CREATE_THEN_COUNT);
    expect(sandbox.pathOf('proving_waits', fn.version)).toBe('proving');
    const out = await run(sandbox, fn, { table: 'proving', n: 4 });
    expect(out).toMatchObject({ status: 'fulfilled', result: { count: 4 } });
    expect(rowsIn(dir, 'proving')).toHaveLength(4);
  });

  it('ends a run waiting forever at its deadline', async () => {
    const fn = await deploy(
      'proving_forever',
      'exports.main = async () => new BaaS.TableObject("never").count()',
      { timeoutMs: 300 },
    );
    expect(await run(sandbox, fn)).toMatchObject({ status: 'deadline_exceeded' });
  });
});
