/**
 * Issue 12, item 7: a function that fires a storm of timers until its deadline used to leave
 * hundreds of thousands of dead isolated-vm timeouts due at one instant, and the executor
 * died with SIGSEGV there, taking the next, innocent run with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../runtime/index.ts';
import { SYNC_ENTRIES_PER_JOB } from '../../runtime/executor/function-instance.ts';
import { deploy, HEALTHY, run, testSandbox } from '../integration/runtime/harness.ts';

const STORM = `exports.main = () => new Promise(() => {
  for (let i = 0; i < 1000; i++) setInterval(() => {}, 1);
})`;

describe('a timer storm until the deadline', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    // The old cap (1,000 pending timers) lets the storm through, to prove the executor
    // survives it even without the cap; the default cap is tested below.
    sandbox = testSandbox({ limits: { maxTimersPerJob: 1000 } });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('never takes the executor down: the innocent run after it succeeds, round after round', async () => {
    const innocent = await deploy('innocent', HEALTHY);
    for (let round = 0; round < 3; round++) {
      // A new version each round, so each storm runs on the main executor (a version that
      // reached its deadline is moved to quarantine), next to the innocent function.
      const storm = await deploy('storm', STORM, { timeoutMs: 4000 });
      expect(sandbox.pathOf('storm', storm.version)).toBe('fast');
      const out = await run(sandbox, storm);
      expect(out).toMatchObject({
        status: 'deadline_exceeded',
        error: { code: 'E_FUNCTION_TIMEOUT' },
      });
      expect(await run(sandbox, innocent, round)).toMatchObject({
        status: 'fulfilled',
        result: { echo: round },
      });
      expect(sandbox.executors().map((e) => e.restarts)).toEqual([0]);
    }
  });
});

describe('a job past its synchronous entries', () => {
  let sandbox: SupervisedSandbox;
  /** Jobs that made a host call. */
  const called = new Set<string>();
  beforeAll(async () => {
    sandbox = testSandbox({
      onHostEvent: (_kind, payload) => called.add((payload as { jobId: string }).jobId),
    });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  // After SYNC_ENTRIES_PER_JOB entries a job's timers enter the isolate asynchronously.
  const ENTRIES = SYNC_ENTRIES_PER_JOB + 36;

  it('still runs its timers in order, with host calls and console lines', async () => {
    const fn = await deploy(
      'many_timer_entries',
      `exports.main = async () => {
        const seen = [];
        for (let i = 0; i < ${ENTRIES}; i++) await new Promise((r) => setTimeout(() => { seen.push(i); r() }, 0));
        console.log('after', seen.length);
        const n = await new BaaS.TableObject('calls').count();
        return { ordered: seen.every((v, i) => v === i), count: seen.length, n: typeof n };
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({
      status: 'fulfilled',
      result: { ordered: true, count: ENTRIES, n: 'number' },
    });
    expect(out.log.map((l) => l.message)).toEqual([`after ${ENTRIES}`]);
  });

  it('is still stopped at its deadline when a late timer callback loops, and the executor serves others meanwhile', async () => {
    const healthy = await deploy('beside_the_loop', HEALTHY);
    const fn = await deploy(
      'loop_after_many_entries',
      `exports.main = async () => {
        for (let i = 0; i < ${ENTRIES}; i++) await new Promise((r) => setTimeout(r, 0));
        await new BaaS.TableObject('calls').count();
        for (;;) {}
      }`,
      { timeoutMs: 10_000 },
    );
    let settled = false;
    const looping = run(sandbox, fn, null, { jobId: 'late-looper' }).finally(() => {
      settled = true;
    });
    // Its host call comes right before the loop: from then on it loops.
    await expect.poll(() => called.has('late-looper'), { timeout: 60_000 }).toBe(true);
    // Entered asynchronously, the loop leaves the executor's thread free for other runs.
    for (let i = 0; i < 5; i++)
      expect(await run(sandbox, healthy, i)).toMatchObject({
        status: 'fulfilled',
        result: { echo: i },
      });
    expect(settled).toBe(false);
    expect(await looping).toMatchObject({
      status: 'deadline_exceeded',
      error: { code: 'E_FUNCTION_TIMEOUT' },
    });
    expect(sandbox.executors().map((e) => e.restarts)).toEqual([0]);
  });
});

describe('the cap on pending timers', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    sandbox = testSandbox();
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('throws E_TOO_MANY_TIMERS inside the function at the 101st pending timer', async () => {
    const fn = await deploy(
      'too_many_timers',
      `exports.main = async () => {
        const ids = [];
        for (let i = 0; i < 100; i++) ids.push(setTimeout(() => {}, 60000));
        let caught;
        try { setInterval(() => {}, 5) } catch (e) { caught = { name: e.name, code: e.code, message: e.message } }
        // Cleared timers free their places.
        clearTimeout(ids[0]);
        const again = typeof setTimeout(() => {}, 60000) === 'number';
        return { caught, again };
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('fulfilled');
    expect(out.result).toEqual({
      caught: {
        name: 'RangeError',
        code: 'E_TOO_MANY_TIMERS',
        message: expect.stringContaining('100 pending timers'),
      },
      again: true,
    });
  });

  it('fails the run with E_TOO_MANY_TIMERS when the function does not catch it', async () => {
    const fn = await deploy(
      'timer_storm_uncaught',
      'exports.main = () => new Promise(() => { for (let i = 0; i < 1000; i++) setInterval(() => {}, 1) })',
    );
    expect(await run(sandbox, fn)).toMatchObject({
      status: 'execution_failed',
      error: { name: 'RangeError', code: 'E_TOO_MANY_TIMERS' },
    });
  });

  it('counts timers of one run only: the next run starts with none pending', async () => {
    const fn = await deploy(
      'timers_per_run',
      `exports.main = async () => { for (let i = 0; i < 100; i++) setTimeout(() => {}, 60000); return 'ok' }`,
    );
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 'ok' });
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 'ok' });
  });
});
