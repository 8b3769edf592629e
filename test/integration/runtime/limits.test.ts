import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import type { FunctionVersion, InvocationOutcome } from '../../../runtime/sandbox.ts';
import { deploy, HEALTHY, run, testSandbox } from './harness.ts';

let sandbox: SupervisedSandbox;
let healthy: FunctionVersion;
beforeAll(async () => {
  sandbox = testSandbox({ limits: { maxLogBytesPerJob: 64 * 1024 } });
  await sandbox.ready();
  healthy = await deploy('healthy', HEALTHY);
});
afterAll(() => sandbox.close());

/** Runs `bad` and the healthy function side by side, then the healthy one again. */
async function alongsideHealthy(
  bad: FunctionVersion,
  data: unknown = null,
): Promise<InvocationOutcome> {
  const [out, during] = await Promise.all([
    run(sandbox, bad, data),
    run(sandbox, healthy, 'during'),
  ]);
  expect(during).toMatchObject({ status: 'fulfilled', result: { echo: 'during' } });
  expect(await run(sandbox, healthy, 'after')).toMatchObject({
    status: 'fulfilled',
    result: { echo: 'after' },
  });
  return out;
}

describe('time', () => {
  it('ends while(true) as deadline_exceeded', async () => {
    const fn = await deploy('spin', 'exports.main = () => { while (true) {} }', { timeoutMs: 300 });
    const out = await alongsideHealthy(fn);
    expect(out).toMatchObject({
      status: 'deadline_exceeded',
      error: { code: 'E_FUNCTION_TIMEOUT', message: expect.stringContaining('300 ms') },
    });
    expect(out.cpuMs).toBeGreaterThan(0);
  });

  it('ends a loop that starts after an await', async () => {
    const fn = await deploy(
      'spin_after_await',
      'exports.main = async () => { await new Promise((r) => setTimeout(r, 10)); for (;;) {} }',
      { timeoutMs: 300 },
    );
    expect(await alongsideHealthy(fn)).toMatchObject({ status: 'deadline_exceeded' });
  });

  it('ends a promise that never settles', async () => {
    const fn = await deploy('never', 'exports.main = () => new Promise(() => {})', {
      timeoutMs: 300,
    });
    expect(await alongsideHealthy(fn)).toMatchObject({
      status: 'deadline_exceeded',
      error: { code: 'E_FUNCTION_TIMEOUT' },
    });
  });

  it('gives the next run of a timed-out function a fresh isolate', async () => {
    const fn = await deploy(
      'spin_once',
      'let runs = 0; exports.main = (event) => { runs++; if (event.data === "spin") while (true) {} return runs }',
      { timeoutMs: 300 },
    );
    expect((await run(sandbox, fn, 'spin')).status).toBe('deadline_exceeded');
    expect(await run(sandbox, fn, 'ok')).toMatchObject({ status: 'fulfilled', result: 1 });
  });
});

describe('memory', () => {
  it('ends an allocation bomb as execution_failed and reloads the function', async () => {
    const fn = await deploy(
      'bomb',
      'exports.main = (event) => { if (event.data !== "bomb") return "fine"; const keep = []; for (let i = 0; ; i++) keep.push({ i, s: "x" + i }) }',
      { memoryMb: 32, timeoutMs: 20000 },
    );
    const out = await alongsideHealthy(fn, 'bomb');
    expect(out).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_MEMORY', message: expect.stringContaining('32 MB') },
    });
    expect(await run(sandbox, fn, 'calm')).toMatchObject({ status: 'fulfilled', result: 'fine' });
  });

  it('ends a huge ArrayBuffer allocation without harm', async () => {
    const fn = await deploy(
      'big_buffer',
      'exports.main = () => { const all = []; for (;;) all.push(new ArrayBuffer(16 * 1024 * 1024)) }',
      { memoryMb: 32, timeoutMs: 20000 },
    );
    const out = await alongsideHealthy(fn);
    expect(out.status).toBe('execution_failed');
  });
});

describe('output caps', () => {
  it('keeps a capped log for 100k lines and still fulfils the run', async () => {
    const fn = await deploy(
      'chatty',
      'exports.main = async () => { for (let i = 0; i < 100000; i++) console.log("line", i); return "done" }',
      { timeoutMs: 20000 },
    );
    const out = await alongsideHealthy(fn);
    expect(out.status).toBe('fulfilled');
    expect(out.result).toBe('done');
    const bytes = out.log.reduce((n, l) => n + Buffer.byteLength(l.message) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(out.log.at(-1)?.message).toMatch(/log truncated/);
    expect(out.log.length).toBeLessThan(100000);
  });

  it('refuses a 64 MB result', async () => {
    const fn = await deploy(
      'huge_result',
      'exports.main = async () => "x".repeat(64 * 1024 * 1024)',
      { memoryMb: 512, timeoutMs: 20000 },
    );
    const out = await alongsideHealthy(fn);
    expect(out).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_RESULT_TOO_LARGE' },
    });
  });

  it('rejects event data over the argument limit before running anything', async () => {
    const out = await run(sandbox, healthy, 'y'.repeat(7 * 1024 * 1024));
    expect(out).toMatchObject({
      status: 'execution_rejected',
      error: { code: 'E_FUNCTION_ARGUMENT_TOO_LARGE' },
    });
  });
});

describe('concurrency', () => {
  it('applies back-pressure per function and globally instead of queueing without bound', async () => {
    const capped = testSandbox({ limits: { maxConcurrencyPerFunction: 2, maxConcurrency: 3 } });
    try {
      const slow = await deploy(
        'slow',
        'exports.main = () => new Promise((r) => setTimeout(() => r("slow done"), 300))',
      );
      const other = await deploy(
        'other_slow',
        'exports.main = () => new Promise((r) => setTimeout(() => r("other done"), 300))',
      );
      const outs = await Promise.all([
        run(capped, slow),
        run(capped, slow),
        run(capped, slow),
        run(capped, other),
        run(capped, other),
      ]);
      expect(outs.map((o) => o.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'execution_rejected',
        'fulfilled',
        'execution_rejected',
      ]);
      expect(outs[2]?.error?.message).toContain('slow is running its maximum of 2');
      expect(outs[4]?.error?.message).toContain('maximum of 3 invocations');
      expect((await run(capped, slow)).status).toBe('fulfilled');
    } finally {
      await capped.close();
    }
  });

  it('runs concurrent invocations of one function in separate isolates', async () => {
    const fn = await deploy(
      'parallel',
      'let mine = 0; exports.main = async (event) => { mine = event.data; await new Promise((r) => setTimeout(r, 50)); return mine }',
    );
    const outs = await Promise.all([1, 2, 3].map((n) => run(sandbox, fn, n)));
    expect(outs.map((o) => o.result)).toEqual([1, 2, 3]);
  });
});
