/**
 * The paths of runtime/executor/suspects.ts on real isolates: a new version proves itself off
 * the executor's main thread, a function that loops to its deadline moves to the quarantine
 * executor, so the function sharing its executor keeps completing; in quarantine every
 * service still works, and a suspect that behaves returns to the fast path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import type { FunctionVersion, NestedInvoke } from '../../../runtime/sandbox.ts';
import { deploy, HEALTHY, run, testSandbox } from './harness.ts';

const SPIN = 'exports.main = async function () { for (;;) {} };';

/** Invokes `healthy` in a loop until `during` settles; answers how many runs completed meanwhile. */
async function completionsDuring<T>(
  sandbox: SupervisedSandbox,
  healthy: FunctionVersion,
  during: Promise<T>,
): Promise<{ completed: number; result: T }> {
  let done = false;
  let completed = 0;
  const loop = (async () => {
    while (!done) {
      const out = await run(sandbox, healthy, 'during');
      expect(out).toMatchObject({ status: 'fulfilled', result: { echo: 'during' } });
      completed++;
    }
  })();
  const result = await during;
  done = true;
  await loop;
  return { completed, result };
}

describe('a neighbour that loops to its deadline from its first run', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    sandbox = testSandbox();
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('never holds the executor: proving, then in quarantine, while the healthy function keeps completing', async () => {
    const healthy = await deploy('steady', HEALTHY);
    const hostile = await deploy('hostile', SPIN, { timeoutMs: 300 });
    expect(sandbox.pathOf('hostile', hostile.version)).toBe('proving');
    const waves = 5;
    const perWave = 3;
    const { completed, result: outcomes } = await completionsDuring(
      sandbox,
      healthy,
      (async () => {
        const all = [];
        for (let w = 0; w < waves; w++)
          all.push(
            ...(await Promise.all(Array.from({ length: perWave }, () => run(sandbox, hostile)))),
          );
        return all;
      })(),
    );
    for (const out of outcomes)
      expect(out).toMatchObject({
        status: 'deadline_exceeded',
        error: { code: 'E_FUNCTION_TIMEOUT' },
      });
    // Entered synchronously, each wave would hold the executor: the healthy function could
    // complete about once per wave (5); here it completes many times per wave.
    expect(completed).toBeGreaterThan(waves * 25);
    expect(sandbox.pathOf('hostile', hostile.version)).toBe('quarantine');
    expect(sandbox.pathOf('steady', healthy.version)).toBe('fast');
    expect(sandbox.executors().map((e) => e.role)).toEqual(['main', 'quarantine']);
    expect(sandbox.executors()[0]?.restarts).toBe(0);
  });

  it('runs the executors below the engine’s CPU priority, on every thread', () => {
    let tasks: string[];
    try {
      tasks = readdirSync('/proc/self/task');
    } catch {
      return; // not Linux: nothing to read the priorities from
    }
    expect(tasks.length).toBeGreaterThan(0);
    const niceOf = (pid: number, tid: string) => {
      // Field 19 of /proc/<pid>/task/<tid>/stat; the fields are counted after the (name).
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    // Never below our own: an unprivileged process cannot raise its priority.
    const own = getPriority();
    const expected = { main: Math.max(10, own), quarantine: Math.max(19, own) };
    for (const executor of sandbox.executors()) {
      const pid = executor.pid as number;
      const threads = readdirSync(`/proc/${pid}/task`);
      expect(threads.length).toBeGreaterThan(1);
      for (const tid of threads) expect(niceOf(pid, tid)).toBe(expected[executor.role]);
    }
    // Each executor also has a CPU scheduling group (session) of its own, at the same nice.
    const autogroup = (pid: number | 'self') => {
      try {
        return readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();
      } catch {
        return undefined; // kernel without autogroups
      }
    };
    const ours = autogroup('self');
    if (ours === undefined) return;
    const [main, quarantine] = sandbox.executors();
    expect(autogroup(main?.pid as number)).not.toBe(ours);
    expect(autogroup(main?.pid as number)).toMatch(new RegExp(` nice ${expected.main}$`));
    expect(autogroup(quarantine?.pid as number)).not.toBe(ours);
    expect(autogroup(quarantine?.pid as number)).toMatch(
      new RegExp(` nice ${expected.quarantine}$`),
    );
  });
});

describe('a trusted function that starts looping', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    sandbox = testSandbox({ limits: { provingRuns: 2 } });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('holds the executor once; its runs already on their way are bounced to quarantine', async () => {
    const healthy = await deploy('steady', HEALTHY);
    const turncoat = await deploy(
      'turncoat',
      'exports.main = async (event) => { if (event.data === "spin") for (;;) {} return "ok" }',
      { timeoutMs: 300 },
    );
    for (let i = 0; i < 2; i++) {
      expect((await run(sandbox, turncoat)).status).toBe('fulfilled');
      expect((await run(sandbox, healthy, i)).status).toBe('fulfilled');
    }
    expect(sandbox.pathOf('turncoat', turncoat.version)).toBe('fast');
    expect(sandbox.pathOf('steady', healthy.version)).toBe('fast');

    const runs = 5;
    const { completed, result: outcomes } = await completionsDuring(
      sandbox,
      healthy,
      Promise.all(Array.from({ length: runs }, () => run(sandbox, turncoat, 'spin'))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array(runs).fill('deadline_exceeded'));
    // The first run holds the executor (nothing could tell); the 4 behind it, already sent to
    // that executor, are bounced to quarantine instead of holding it 4 times more, so the
    // healthy function completes many times while they run.
    expect(completed).toBeGreaterThan(25);
    expect(sandbox.pathOf('turncoat', turncoat.version)).toBe('quarantine');
    expect(await run(sandbox, turncoat)).toMatchObject({ status: 'fulfilled', result: 'ok' });
  });
});

describe('a suspect function in quarantine', () => {
  let sandbox: SupervisedSandbox;
  const deployed = new Map<string, FunctionVersion>();
  const nestedInvoke: NestedInvoke = async (name, data, options) => {
    const fn = deployed.get(name);
    if (fn === undefined) return { code: 1, data: null, error: { message: `no function ${name}` } };
    const out = await sandbox.invoke({
      fn,
      event: { data, eventType: 'cloud_function', jobId: `${options.parentJobId}/${name}` },
      depth: options.depth,
    });
    return { code: out.status === 'fulfilled' ? 0 : 1, data: out.result ?? null, error: {} };
  };

  beforeAll(async () => {
    sandbox = testSandbox({ nestedInvoke, limits: { suspectCpuMs: 150 } });
    await sandbox.ready();
    deployed.set('adder', await deploy('adder', 'exports.main = async (e) => e.data.a + e.data.b'));
  });
  afterAll(() => sandbox.close());

  /** Deploys `source` with a `spin` switch and makes it suspect with one looping run. */
  async function suspect(name: string, source: string, overrides: Partial<FunctionVersion> = {}) {
    const fn = await deploy(
      name,
      `const realMain = (() => { const exports = {}; ${source}; return exports.main })();\n` +
        'exports.main = async (event) => { if (event.data === "spin") for (;;) {} return realMain(event) };',
      { timeoutMs: 400, ...overrides },
    );
    expect((await run(sandbox, fn, 'spin')).status).toBe('deadline_exceeded');
    expect(sandbox.pathOf(name, fn.version)).toBe('quarantine');
    return fn;
  }

  it('still makes table calls, writes console lines, waits for timers and calls BaaS.invoke', async () => {
    const fn = await suspect(
      'busy_worker',
      `exports.main = async (event) => {
        console.log('start', event.data);
        const t = new BaaS.TableObject('calls');
        const a = await t.count();
        const b = await t.count();
        await new Promise((r) => setTimeout(r, 20));
        console.warn('after timer');
        const sum = await BaaS.invoke('adder', { a: 2, b: 3 });
        return { counted: b - a, sum };
      }`,
    );
    const out = await run(sandbox, fn, 'go');
    expect(out).toMatchObject({
      status: 'fulfilled',
      result: { counted: 1, sum: { code: 0, data: 5 } },
    });
    expect(out.log.map((l) => [l.level, l.message])).toEqual([
      ['log', 'start go'],
      ['warn', 'after timer'],
    ]);
    expect(out.cpuMs).toBeGreaterThan(0);
    expect(sandbox.pathOf('busy_worker', fn.version)).toBe('quarantine');
  });

  it('still ends loops after awaits and promises that never settle', async () => {
    const fn = await suspect(
      'misbehaving',
      `exports.main = async (event) => {
        if (event.data === 'after-await') { await new BaaS.TableObject('calls').count(); for (;;) {} }
        if (event.data === 'never') return new Promise(() => {});
        if (event.data === 'throw') throw new TypeError('plain failure');
        return 'fine';
      }`,
    );
    const [afterAwait, never] = await Promise.all([
      run(sandbox, fn, 'after-await'),
      run(sandbox, fn, 'never'),
    ]);
    expect(afterAwait).toMatchObject({ status: 'deadline_exceeded' });
    expect(never).toMatchObject({ status: 'deadline_exceeded' });
    const thrown = await run(sandbox, fn, 'throw');
    expect(thrown).toMatchObject({
      status: 'execution_failed',
      error: { name: 'TypeError', message: 'plain failure' },
    });
    expect(thrown.error?.stack).toContain('misbehaving.js');
    expect(await run(sandbox, fn, 'ok')).toMatchObject({ status: 'fulfilled', result: 'fine' });
  });

  it('is named by its memory limit too, and that limit still holds in quarantine', async () => {
    const fn = await deploy(
      'bomb',
      'exports.main = (event) => { if (event.data !== "bomb") return "fine"; const keep = []; for (let i = 0; ; i++) keep.push({ i, s: "x" + i }) }',
      { memoryMb: 32, timeoutMs: 20_000 },
    );
    const memoryError = { status: 'execution_failed', error: { code: 'E_FUNCTION_MEMORY' } };
    expect(await run(sandbox, fn, 'bomb')).toMatchObject(memoryError);
    expect(sandbox.pathOf('bomb', fn.version)).toBe('quarantine');
    expect(await run(sandbox, fn, 'bomb')).toMatchObject(memoryError);
    expect(await run(sandbox, fn, 'ok')).toMatchObject({ status: 'fulfilled', result: 'fine' });
  });

  it('is named by its CPU time too: a run over suspectCpuMs moves it', async () => {
    const fn = await deploy(
      'cruncher',
      'exports.main = async () => { const t = Date.now(); while (Date.now() - t < 300) {} return "done" }',
    );
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 'done' });
    expect(sandbox.pathOf('cruncher', fn.version)).toBe('quarantine');
    // A new version starts with a clean record.
    const next = await deploy('cruncher', 'exports.main = async () => "light"');
    expect(await run(sandbox, next)).toMatchObject({ status: 'fulfilled', result: 'light' });
    expect(sandbox.pathOf('cruncher', next.version)).toBe('proving');
  });
});

describe('probation', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    sandbox = testSandbox({ limits: { provingRuns: 0, probationRuns: 3, probationMs: 0 } });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('returns a suspect to the fast path after it behaved, and doubles the probation on relapse', async () => {
    const fn = await deploy(
      'reformed',
      'let runs = 0; exports.main = async (event) => { runs++; if (event.data === "spin") for (;;) {} return runs }',
      { timeoutMs: 300 },
    );
    const suspect = () => sandbox.pathOf('reformed', fn.version) === 'quarantine';
    expect((await run(sandbox, fn, 'spin')).status).toBe('deadline_exceeded');
    for (let i = 0; i < 2; i++) expect((await run(sandbox, fn)).status).toBe('fulfilled');
    expect(suspect()).toBe(true);
    expect((await run(sandbox, fn)).status).toBe('fulfilled');
    expect(suspect()).toBe(false);
    // Back on its main executor (which bounced it while it was suspect): it runs there, in a
    // fresh isolate, and stays trusted.
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 1 });
    expect(suspect()).toBe(false);

    expect((await run(sandbox, fn, 'spin')).status).toBe('deadline_exceeded');
    for (let i = 0; i < 5; i++) expect((await run(sandbox, fn)).status).toBe('fulfilled');
    expect(suspect()).toBe(true);
    expect((await run(sandbox, fn)).status).toBe('fulfilled');
    expect(suspect()).toBe(false);
  });
});

describe('a function that brings its executor down', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    // Trusted from the start: the crash happens on the fast path, where it takes the executor.
    sandbox = testSandbox({ limits: { deadlineGraceMs: 500, heartbeatMs: 200, provingRuns: 0 } });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('is blamed, and its next run cannot take the main executor down', async () => {
    const healthy = await deploy('bystander', HEALTHY);
    // V8's fatal OOM path (issue 3): the executor must be killed.
    const bomb = await deploy(
      'fill_bomb',
      'exports.main = async () => { Array(1e9).fill(0); return "impossible" }',
      { memoryMb: 128, timeoutMs: 1000 },
    );
    expect(await run(sandbox, bomb)).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_EXECUTOR_CRASHED' },
    });
    expect(sandbox.pathOf('fill_bomb', bomb.version)).toBe('quarantine');
    expect(sandbox.executors()[0]?.restarts).toBe(1);
    await sandbox.ready(); // the replacement is up
    const mainPid = sandbox.executors()[0]?.pid;

    const [again, during] = await Promise.all([run(sandbox, bomb), run(sandbox, healthy, 1)]);
    // Entered asynchronously, the fill either takes V8's fatal path (the quarantine executor
    // is replaced) or is still filling at its deadline (the isolate is disposed).
    if (again.status === 'execution_failed') {
      expect(again.error?.code).toBe('E_EXECUTOR_CRASHED');
      await expect.poll(() => sandbox.executors()[1]?.restarts, { timeout: 10_000 }).toBe(1);
    } else expect(again).toMatchObject({ status: 'deadline_exceeded' });
    expect(during).toMatchObject({ status: 'fulfilled', result: { echo: 1 } });
    expect(sandbox.executors()[0]).toMatchObject({ role: 'main', restarts: 1, pid: mainPid });
    expect(sandbox.executors()[1]?.role).toBe('quarantine');
    expect(await run(sandbox, healthy, 2)).toMatchObject({ status: 'fulfilled' });
  });
});
