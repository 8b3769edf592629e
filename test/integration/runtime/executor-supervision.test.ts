import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type SupervisedSandbox } from '../../../runtime/index.ts';
import { deploy, HEALTHY, run, testSandbox } from './harness.ts';

describe('executor supervision', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    sandbox = testSandbox({ limits: { deadlineGraceMs: 500, heartbeatMs: 200 } });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('replaces the executor after a catastrophic out-of-memory and keeps serving', async () => {
    const healthy = await deploy('survivor', HEALTHY);
    expect((await run(sandbox, healthy, 'before')).status).toBe('fulfilled');
    const pidBefore = sandbox.executors()[0]?.pid;
    // V8's fatal OOM path: isolated-vm's memory limit cannot stop this one (issue 3).
    const bomb = await deploy(
      'fill_bomb',
      'exports.main = async () => { Array(1e9).fill(0); return "impossible" }',
      { memoryMb: 128, timeoutMs: 1000 },
    );
    const slow = await deploy(
      'in_flight',
      'exports.main = () => new Promise((r) => setTimeout(() => r("finished"), 300))',
    );
    const [bombOut, inFlight] = await Promise.all([run(sandbox, bomb), run(sandbox, slow)]);
    expect(bombOut).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_EXECUTOR_CRASHED' },
    });
    expect(bombOut.error?.message).toMatch(/restarted because/);
    // The other job in that executor ends with the same clear error rather than hanging.
    expect(['fulfilled', 'execution_failed']).toContain(inFlight.status);
    if (inFlight.status === 'execution_failed')
      expect(inFlight.error?.code).toBe('E_EXECUTOR_CRASHED');
    // Pushes that keep arriving meanwhile are answered.
    const during = await Promise.all([1, 2, 3].map((n) => run(sandbox, healthy, n)));
    expect(during.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const after = sandbox.executors()[0];
    expect(after?.restarts).toBe(1);
    expect(after?.pid).not.toBe(pidBefore);
  });

  it('fails in-flight runs of a killed executor with E_EXECUTOR_CRASHED and restarts it', async () => {
    // Never settles before its deadline, so it is surely still running when the kill comes.
    const slow = await deploy('killed_mid_run', 'exports.main = () => new Promise(() => {})', {
      timeoutMs: 60_000,
    });
    const pending = run(sandbox, slow);
    // Sent to the executor (order, not a sleep): then kill it.
    await expect.poll(() => sandbox.executors()[0]?.inFlight, { timeout: 20_000 }).toBe(1);
    const restarts = sandbox.executors()[0]?.restarts ?? 0;
    sandbox.killExecutor(0);
    expect(await pending).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_EXECUTOR_CRASHED' },
    });
    const healthy = await deploy('after_kill', HEALTHY);
    expect((await run(sandbox, healthy)).status).toBe('fulfilled');
    expect(sandbox.executors()[0]?.restarts).toBe(restarts + 1);
  });

  it('spreads functions over several executors, each isolated from the others’ crashes', async () => {
    const multi = testSandbox({ executors: 2 });
    try {
      await multi.ready();
      const pids = multi.executors().map((e) => e.pid);
      expect(new Set(pids).size).toBe(2);
      const fns = await Promise.all(
        ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => deploy(`spread_${n}`, HEALTHY)),
      );
      const outs = await Promise.all(fns.map((fn) => run(multi, fn, fn.name)));
      expect(outs.every((o) => o.status === 'fulfilled')).toBe(true);
      multi.killExecutor(0);
      const again = await Promise.all(fns.map((fn) => run(multi, fn, fn.name)));
      expect(again.every((o) => o.status === 'fulfilled')).toBe(true);
      expect(multi.executors()[1]?.restarts).toBe(0);
    } finally {
      await multi.close();
    }
  });
});

describe('heartbeats', () => {
  it('do not count against a job that holds the executor within its deadline', async () => {
    // The job holds the executor's only thread (no heartbeat) for 3 s, three times the
    // heartbeat timeout: counted, the silence would kill the executor mid-run and the run
    // would end E_EXECUTOR_CRASHED. The outcome says which; no restart count is asserted,
    // since an idle executor on a loaded machine may miss a beat before or after the job.
    const sandbox = testSandbox({ limits: { heartbeatMs: 50, heartbeatTimeoutMs: 1000 } });
    try {
      const busy = await deploy(
        'busy_but_legit',
        'exports.main = () => { const end = Date.now() + 3000; let n = 0; while (Date.now() < end) n++; return "done" }',
        { timeoutMs: 10_000 },
      );
      expect(await run(sandbox, busy)).toMatchObject({ status: 'fulfilled', result: 'done' });
    } finally {
      await sandbox.close();
    }
  });
});

describe('an executor that cannot start', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloudfn-bad-hostops-'));
    writeFileSync(
      join(dir, 'broken.mjs'),
      'export const createHostOps = () => { throw new Error("database file is locked") };\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails invocations with the start-up error instead of hanging', async () => {
    const sandbox = createSandbox({ hostOps: { module: join(dir, 'broken.mjs'), options: {} } });
    try {
      const fn = await deploy('never_started', HEALTHY);
      const out = await run(sandbox, fn);
      expect(out).toMatchObject({
        status: 'execution_failed',
        error: { code: 'E_EXECUTOR_CRASHED' },
      });
      expect(out.error?.message).toContain('database file is locked');
    } finally {
      await sandbox.close();
    }
  });
});
