/**
 * The paths of runtime/supervisor/suspects.ts on real isolates: a new version proves itself off
 * the executor's main thread, a function that loops to its deadline moves to the quarantine
 * executor, so the function sharing its executor keeps completing; in quarantine every
 * service still works, and a suspect that behaves returns to the fast path.
 *
 * No timings: "keeps completing" is asserted by order. A looping run first makes a host call
 * (the counting HostOps reports it as an event with its job id) and then spins until its
 * deadline; once we have seen that event, the healthy function must complete many times
 * before the looping run's outcome arrives. Entered synchronously, the loop would hold the
 * executor's only thread: no healthy run could complete before it ends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxOptions, SupervisedSandbox } from '../../../runtime/index.ts';
import type { FunctionVersion, InvocationOutcome } from '../../../runtime/sandbox.ts';
import { DEFAULT_LIMITS } from '../../../runtime/limits.ts';
import { deploy, HEALTHY, nestedInvokeIn, run, testSandbox } from './harness.ts';

/** Makes a host call (so we see it started), then loops; `event.data === "ok"` answers instead. */
const LOOPER = `exports.main = async (event) => {
  if (event.data === 'ok') return 'ok';
  await new BaaS.TableObject('calls').count();
  for (;;) {}
};`;
/** Long enough that many healthy runs fit before it, on any machine. */
const LOOP_TIMEOUT_MS = 4000;
/**
 * How long to wait for a run at the engine's low CPU priorities to start: on a machine busy
 * with others' work a nice-19 executor can starve for many seconds. A wait, not a measure:
 * nothing is asserted about how long it took.
 */
const STARVED_MS = 120_000;
const HEALTHY_RUNS = 10;

/** A sandbox that records in `started` which jobs have made a host call. */
function watchedSandbox(started: Set<string>, options: SandboxOptions = {}): SupervisedSandbox {
  return testSandbox({
    ...options,
    onHostEvent: (_kind, payload) => started.add((payload as { jobId: string }).jobId),
  });
}

let jobs = 0;

/** Starts a looping run; `running()` resolves once it has made its host call (it then spins). */
function startLooping(
  sandbox: SupervisedSandbox,
  started: Set<string>,
  fn: FunctionVersion,
): {
  outcome: Promise<InvocationOutcome>;
  settled: () => boolean;
  started: () => boolean;
  running: () => Promise<void>;
} {
  const jobId = `looping-${++jobs}`;
  let done = false;
  const outcome = run(sandbox, fn, 'loop', { jobId }).finally(() => {
    done = true;
  });
  const running = () => expect.poll(() => started.has(jobId), { timeout: STARVED_MS }).toBe(true);
  return { outcome, settled: () => done, started: () => started.has(jobId), running };
}

/** Runs `healthy` HEALTHY_RUNS times one after the other; all must be fulfilled. */
async function healthyRuns(sandbox: SupervisedSandbox, healthy: FunctionVersion): Promise<void> {
  for (let i = 0; i < HEALTHY_RUNS; i++)
    expect(await run(sandbox, healthy, i)).toMatchObject({
      status: 'fulfilled',
      result: { echo: i },
    });
}

describe(
  'a neighbour that loops to its deadline from its first run',
  { timeout: 3 * STARVED_MS },
  () => {
    let sandbox: SupervisedSandbox;
    const started = new Set<string>();
    beforeAll(async () => {
      // No pause between a suspect's runs here (the pace has its own test below). At the
      // test's own CPU priority: at the engine's, a nice-19 quarantine on a machine busy with
      // others' work starved for minutes, and what is tested here is the routing, not the
      // priorities (the next test has those).
      sandbox = watchedSandbox(started, { limits: { provingRuns: 10, quarantineCpuShare: 1 } });
      await sandbox.ready();
    });
    const after: (() => Promise<void>)[] = [];
    afterAll(async () => {
      await sandbox.close();
      for (const close of after) await close();
    });

    it('never holds the executor: neither while proving itself nor in quarantine', async () => {
      const healthy = await deploy('steady', HEALTHY);
      const looper = await deploy('looper', LOOPER, { timeoutMs: LOOP_TIMEOUT_MS });
      expect(sandbox.pathOf('looper', looper.version)).toBe('proving');

      // Its first run: entered asynchronously on the shared executor.
      const first = startLooping(sandbox, started, looper);
      await first.running();
      await healthyRuns(sandbox, healthy);
      expect(first.settled()).toBe(false);
      expect(await first.outcome).toMatchObject({
        status: 'deadline_exceeded',
        error: { code: 'E_FUNCTION_TIMEOUT' },
      });
      expect(sandbox.pathOf('looper', looper.version)).toBe('quarantine');

      // Then in quarantine, two on their way: they take turns there, each to its deadline.
      const loops = [1, 2].map(() => startLooping(sandbox, started, looper));
      await loops[0]?.running();
      await healthyRuns(sandbox, healthy);
      for (const loop of loops) expect(loop.settled()).toBe(false);
      await loops[1]?.running();
      await healthyRuns(sandbox, healthy);
      expect(loops[1]?.settled()).toBe(false);
      for (const loop of loops)
        expect(await loop.outcome).toMatchObject({ status: 'deadline_exceeded' });

      expect(sandbox.pathOf('looper', looper.version)).toBe('quarantine');
      expect(sandbox.pathOf('steady', healthy.version)).toBe('fast');
      expect(sandbox.executors().map((e) => e.role)).toEqual(['main', 'quarantine']);
      expect(sandbox.executors()[0]?.restarts).toBe(0);
    });

    it('runs the executors below the engine’s CPU priority, on every thread', async () => {
      // The engine's priorities; a grace long enough that a starved executor is not taken
      // for a wedged one.
      const { executorNice, quarantineNice, quarantineGroupNice } = DEFAULT_LIMITS;
      const sandbox = testSandbox({
        limits: { executorNice, quarantineNice, quarantineGroupNice, deadlineGraceMs: STARVED_MS },
      });
      after.push(() => sandbox.close());
      // A suspect, so that the quarantine executor exists.
      const spinner = await deploy('spinner', 'exports.main = () => { for (;;) {} }', {
        timeoutMs: 200,
      });
      for (let i = 0; i < 2; i++)
        expect((await run(sandbox, spinner)).status).toBe('deadline_exceeded');
      let tasks: string[];
      try {
        tasks = readdirSync('/proc/self/task');
      } catch {
        return; // not Linux: nothing to read the priorities from
      }
      expect(tasks.length).toBeGreaterThan(0);
      const niceOf = (pid: number, tid: string) => {
        // Field 19 of /proc/<pid>/task/<tid>/stat; the fields are counted after the (name).
        let stat: string;
        try {
          stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        } catch {
          return undefined; // the thread ended meanwhile (isolated-vm's extra threads do)
        }
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      // Never below our own: an unprivileged process cannot raise its priority.
      const own = getPriority();
      const expected = { main: Math.max(10, own), quarantine: Math.max(19, own) };
      expect(sandbox.executors().map((e) => e.role)).toEqual(['main', 'quarantine']);
      for (const executor of sandbox.executors()) {
        const pid = executor.pid as number;
        const threads = readdirSync(`/proc/${pid}/task`);
        expect(threads.length).toBeGreaterThan(1);
        for (const tid of threads)
          expect([undefined, expected[executor.role]]).toContain(niceOf(pid, tid));
      }
      // The quarantine has a CPU scheduling group (session) of its own; a main executor stays in ours.
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
      expect(autogroup(main?.pid as number)).toBe(ours);
      expect(autogroup(quarantine?.pid as number)).not.toBe(ours);
    });
  },
);

describe('a trusted function that starts looping', { timeout: 3 * STARVED_MS }, () => {
  let sandbox: SupervisedSandbox;
  const started = new Set<string>();
  beforeAll(async () => {
    sandbox = watchedSandbox(started, { limits: { provingRuns: 2, quarantineCpuShare: 1 } });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('holds the executor once; its runs already on their way are bounced to quarantine', async () => {
    const healthy = await deploy('steady', HEALTHY);
    const turncoat = await deploy('turncoat', LOOPER, { timeoutMs: LOOP_TIMEOUT_MS });
    for (let i = 0; i < 2; i++) {
      expect(await run(sandbox, turncoat, 'ok')).toMatchObject({ status: 'fulfilled' });
      expect((await run(sandbox, healthy, i)).status).toBe('fulfilled');
    }
    expect(sandbox.pathOf('turncoat', turncoat.version)).toBe('fast');
    expect(sandbox.pathOf('steady', healthy.version)).toBe('fast');

    // Three at once: the first holds the executor (nothing could tell), the two behind it,
    // already sent to that executor, are bounced to quarantine instead of holding it again
    // (where they take turns). Entered there synchronously, their host-call events could only
    // be sent after they end.
    const loops = [1, 2, 3].map(() => startLooping(sandbox, started, turncoat));
    expect((await Promise.race(loops.map((l) => l.outcome))).status).toBe('deadline_exceeded');
    const behind = loops.filter((l) => !l.settled());
    expect(behind).toHaveLength(2);
    await expect
      .poll(() => behind.some((loop) => loop.started()), { timeout: STARVED_MS })
      .toBe(true);
    await healthyRuns(sandbox, healthy);
    for (const loop of behind) expect(loop.settled()).toBe(false);
    for (const loop of loops)
      expect(await loop.outcome).toMatchObject({ status: 'deadline_exceeded' });
    expect(sandbox.pathOf('turncoat', turncoat.version)).toBe('quarantine');
    expect(sandbox.executors()[0]?.restarts).toBe(0);
  });
});

describe('a suspect that keeps offending', { timeout: 3 * STARVED_MS }, () => {
  let sandbox: SupervisedSandbox;
  /** When each job's host call was seen (it makes one before it loops). */
  const startedAt = new Map<string, number>();
  beforeAll(async () => {
    sandbox = testSandbox({
      limits: { quarantineCpuShare: 0.5 },
      onHostEvent: (_kind, payload) =>
        startedAt.set((payload as { jobId: string }).jobId, performance.now()),
    });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('takes turns with its own runs and sits out a pause after each offence', async () => {
    const looper = await deploy('paced', LOOPER, { timeoutMs: 300 });
    expect((await run(sandbox, looper, 'loop')).status).toBe('deadline_exceeded');
    expect(sandbox.pathOf('paced', looper.version)).toBe('quarantine');

    const timed = (jobId: string) =>
      run(sandbox, looper, 'loop', { jobId }).then((outcome) => ({
        jobId,
        outcome,
        doneAt: performance.now(),
      }));
    const runs = await Promise.all([timed('paced-1'), timed('paced-2')]);
    for (const { outcome } of runs) expect(outcome).toMatchObject({ status: 'deadline_exceeded' });
    const [first, second] = runs.sort((a, b) => a.doneAt - b.doneAt);
    if (first === undefined || second === undefined) throw new Error('two runs expected');
    // The CPU the loop got, not its 300 ms: on a busy machine that is less (no bound on it).
    expect(first.outcome.cpuMs).toBeGreaterThan(0);
    // A share of 0.5: after a run that computed n ms, the version waits n ms more before its
    // next run starts (a lower bound, so a slow machine cannot break it; 5 ms for clocks).
    const secondStartedAt = startedAt.get(second.jobId) as number;
    expect(secondStartedAt).toBeGreaterThanOrEqual(first.doneAt + first.outcome.cpuMs - 5);
  });
});

describe('a suspect function in quarantine', { timeout: 3 * STARVED_MS }, () => {
  let sandbox: SupervisedSandbox;
  const deployed = new Map<string, FunctionVersion>();
  const nestedInvoke = nestedInvokeIn(() => sandbox, deployed);

  beforeAll(async () => {
    // A run that computes ≈ 0.4 s of CPU makes a version suspect without waiting for a
    // deadline (CPU time does not grow when the machine is busy); new versions prove themselves
    // for one run.
    // No pause after a suspect's offences (it has its own test above): quicker.
    sandbox = testSandbox({
      nestedInvoke,
      limits: { suspectCpuMs: 100, provingRuns: 1, quarantineCpuShare: 1 },
    });
    await sandbox.ready();
    deployed.set('adder', await deploy('adder', 'exports.main = async (e) => e.data.a + e.data.b'));
  });
  afterAll(() => sandbox.close());

  /**
   * Deploys `source` with a `crunch` switch and makes it suspect with one CPU-heavy run (which
   * may also meet a short deadline: an offence too).
   */
  async function suspect(name: string, source: string, overrides: Partial<FunctionVersion> = {}) {
    const fn = await deploy(
      name,
      `const realMain = (() => { const exports = {}; ${source}; return exports.main })();\n` +
        // A fixed amount of work (≈ 0.4 s of CPU here), not a duration.
        'exports.main = async (event) => { if (event.data === "crunch") { let x = 0; for (let i = 0; i < 1e8; i++) x = (x + i) % 1000003; return x } return realMain(event) };',
      { timeoutMs: 20_000, ...overrides },
    );
    expect(['fulfilled', 'deadline_exceeded']).toContain((await run(sandbox, fn, 'crunch')).status);
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

  it('still maps a thrown error’s stack to the uploaded source', async () => {
    const fn = await suspect(
      'thrower',
      "exports.main = async (event) => { if (event.data === 'throw') throw new TypeError('plain failure'); return 'fine' }",
    );
    const thrown = await run(sandbox, fn, 'throw');
    expect(thrown).toMatchObject({
      status: 'execution_failed',
      error: { name: 'TypeError', message: 'plain failure' },
    });
    expect(thrown.error?.stack).toContain('thrower.js');
    expect(await run(sandbox, fn, 'ok')).toMatchObject({ status: 'fulfilled', result: 'fine' });
  });

  it('still ends loops after awaits and promises that never settle at their deadline', async () => {
    const fn = await suspect(
      'misbehaving',
      `exports.main = async (event) => {
        if (event.data === 'after-await') { await new BaaS.TableObject('calls').count(); for (;;) {} }
        if (event.data === 'never') return new Promise(() => {});
      }`,
      { timeoutMs: 500 },
    );
    const [afterAwait, never] = await Promise.all([
      run(sandbox, fn, 'after-await'),
      run(sandbox, fn, 'never'),
    ]);
    expect(afterAwait).toMatchObject({ status: 'deadline_exceeded' });
    expect(never).toMatchObject({ status: 'deadline_exceeded' });
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

  it('is per version: a new version starts by proving itself', async () => {
    const fn = await suspect('cruncher', 'exports.main = async () => "light"');
    const next = await deploy('cruncher', 'exports.main = async () => "lighter"');
    expect(sandbox.pathOf('cruncher', next.version)).toBe('proving');
    expect(await run(sandbox, next)).toMatchObject({ status: 'fulfilled', result: 'lighter' });
    expect(sandbox.pathOf('cruncher', fn.version)).toBe('quarantine');
  });
});

describe('probation', () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    sandbox = testSandbox({
      limits: { provingRuns: 0, probationRuns: 3, probationMs: 0, suspectCpuMs: 100 },
    });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('returns a suspect to the fast path after it behaved, and doubles the probation on relapse', async () => {
    const fn = await deploy(
      'reformed',
      'let runs = 0; exports.main = async (event) => { runs++; if (event.data === "crunch") { let x = 0; for (let i = 0; i < 1e8; i++) x = (x + i) % 1000003 } return runs }',
      { timeoutMs: 20_000 },
    );
    const path = () => sandbox.pathOf('reformed', fn.version);
    expect(path()).toBe('fast');
    expect((await run(sandbox, fn, 'crunch')).status).toBe('fulfilled');
    expect(path()).toBe('quarantine');
    // In quarantine: a fresh isolate there, so its module state starts again.
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 1 });
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 2 });
    expect(path()).toBe('quarantine');
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 3 });
    expect(path()).toBe('fast');
    // Back on its main executor (which bounced it while it was suspect): the isolate it
    // crunched in is still there, and the executor runs it instead of bouncing it.
    expect(await run(sandbox, fn)).toMatchObject({ status: 'fulfilled', result: 2 });
    expect(path()).toBe('fast');

    expect((await run(sandbox, fn, 'crunch')).status).toBe('fulfilled');
    expect(path()).toBe('quarantine');
    for (let i = 0; i < 5; i++) expect((await run(sandbox, fn)).status).toBe('fulfilled');
    expect(path()).toBe('quarantine');
    expect((await run(sandbox, fn)).status).toBe('fulfilled');
    expect(path()).toBe('fast');
  });
});

describe('a function that brings its executor down', { timeout: 3 * STARVED_MS }, () => {
  let sandbox: SupervisedSandbox;
  beforeAll(async () => {
    // The crash happens on the fast path, where it takes the executor.
    sandbox = testSandbox({ limits: { deadlineGraceMs: 500, heartbeatMs: 200 } });
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
      await expect.poll(() => sandbox.executors()[1]?.restarts, { timeout: STARVED_MS }).toBe(1);
    } else expect(again).toMatchObject({ status: 'deadline_exceeded' });
    expect(during).toMatchObject({ status: 'fulfilled', result: { echo: 1 } });
    expect(sandbox.executors()[0]).toMatchObject({ role: 'main', restarts: 1, pid: mainPid });
    expect(sandbox.executors()[1]?.role).toBe('quarantine');
    expect(await run(sandbox, healthy, 2)).toMatchObject({ status: 'fulfilled' });
  });
});
