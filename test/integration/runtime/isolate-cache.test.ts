import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import { deploy, run, testSandbox } from './harness.ts';

const COUNTER = 'let runs = 0; exports.main = async () => ++runs;';

describe('loaded isolates', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    sandbox = testSandbox({ limits: { maxLoadedIsolates: 3, heartbeatMs: 100 } });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('evicts the least recently used isolate and reloads it on demand', async () => {
    const fns = await Promise.all([1, 2, 3, 4, 5].map((n) => deploy(`lru_${n}`, COUNTER)));
    for (const fn of fns) expect((await run(sandbox, fn)).result).toBe(1);
    // The two most recent keep their module state; the oldest was evicted and starts afresh.
    expect((await run(sandbox, fns[4]!)).result).toBe(2);
    expect((await run(sandbox, fns[3]!)).result).toBe(2);
    expect((await run(sandbox, fns[0]!)).result).toBe(1);
    await expect
      .poll(() => sandbox.executors()[0]?.loadedIsolates, { interval: 50 })
      .toBeLessThanOrEqual(3);
  });

  it('drops a function’s isolates on forget', async () => {
    const fn = await deploy('forgotten', COUNTER);
    expect((await run(sandbox, fn)).result).toBe(1);
    expect((await run(sandbox, fn)).result).toBe(2);
    sandbox.forget('forgotten');
    expect((await run(sandbox, fn)).result).toBe(1);
  });

  it('sends the code again to a restarted executor', async () => {
    const fn = await deploy('after_restart', COUNTER);
    expect((await run(sandbox, fn)).result).toBe(1);
    sandbox.killExecutor(0);
    expect((await run(sandbox, fn)).result).toBe(1);
    expect((await run(sandbox, fn)).result).toBe(2);
  });

  it('keeps the loaded isolates within the memory budget', async () => {
    const tight = testSandbox({ limits: { isolateMemoryBudgetMb: 8, heartbeatMs: 100 } });
    try {
      const fns = await Promise.all(
        Array.from({ length: 8 }, (_, n) => deploy(`budget_${n}`, COUNTER)),
      );
      for (const fn of fns) expect((await run(tight, fn)).result).toBe(1);
      // ~2 MB each: an 8 MB budget holds a few, never all eight.
      await expect
        .poll(() => tight.executors()[0]?.loadedIsolates ?? 99, { interval: 50 })
        .toBeLessThanOrEqual(4);
      expect((await run(tight, fns[7]!)).result).toBe(2);
      expect((await run(tight, fns[0]!)).result).toBe(1);
    } finally {
      await tight.close();
    }
  });
});
