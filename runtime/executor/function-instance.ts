/**
 * One isolate bound to one function version, running one job at a time (so a deadline that
 * disposes the isolate ends that job only, and every console line belongs to its job).
 *
 * In a main executor a job's entries go through `applySync` on the executor's main thread: a
 * guest's host calls then reach the HostOps synchronously (≈ 1 µs instead of ≈ 50–100 µs for
 * an async round trip), microtasks run inside the entry and under its timeout, and between
 * entries the event loop is free for timers, nested-invoke answers and the engine-side
 * deadline. Jobs of suspect functions (the quarantine executor) and of versions still proving
 * themselves (suspects.ts) are `asyncEntry` jobs: the same entries go through the async
 * `apply`, the isolate runs on one of isolated-vm's threads, its host calls (still synchronous
 * callbacks for the guest) wait for the main thread, and the main thread stays free while the
 * function computes. Entries of one job then queue, so they never overlap or reorder.
 *
 * A job makes at most SYNC_ENTRIES_PER_JOB synchronous entries; later ones (a timer storm)
 * are entered the async way too, without a `timeout`: the main thread stays free, and the
 * deadline timer disposes of the isolate if an entry outlives the job. Why: every call with a
 * `timeout` arms a timer in isolated-vm's timer thread that stays queued, dead, until it is
 * due, and all of a job's are due at its deadline. There the timer thread pops the dead ones
 * recursively, two stack frames each (isolated-vm 7.0.1, src/lib/timer.cc `run_next` →
 * `maybe_run_next`): a function firing 1,000 intervals for 5 s armed several hundred thousand
 * and the executor died with SIGSEGV at the deadline, taking the next, innocent run with it
 * (from ≈ 150,000 due at once here). With the budget, all jobs at their concurrency cap
 * together arm ≈ 512 × 64 ≈ 33,000 at most, whatever their timers do.
 * The file is long because the job lifecycle (enter, bridge callbacks, completion, failure)
 * is one state machine.
 */
import type ivm from 'isolated-vm';
import { checkJson, jsonTextDepth, MAX_OUTPUT_DEPTH } from '../json-limits.ts';
import { mapStack } from '../bundle/stack-mapper.ts';
import { RUNTIME_CODES } from '../errors.ts';
import type { HostOps } from '../host-ops.ts';
import type { SandboxLimits } from '../limits.ts';
import type { InvocationOutcome, LogLine, SerializedError } from '../sandbox.ts';
import {
  errorReply,
  failureReply,
  isPromiseLike,
  okReply,
  pendingReply,
} from './host-call-replies.ts';
import type { LoadedSpec } from './loaded-spec.ts';
import type { BridgeTarget, WarmIsolate } from './warm-pool.ts';

export interface InstanceServices {
  limits: SandboxLimits;
  hostOps: HostOps | undefined;
  /** Forwards a guest's BaaS.invoke to the main process. */
  nested(invocationId: number, callId: number, requestJson: string): void;
}

type Entry = [kind: string, a?: string | number, b?: string];

export interface JobParams {
  /** performance.now() when the executor received the invocation: duration and deadline count from here. */
  receivedAt: number;
  invocationId: number;
  jobId: string;
  jobJson: string;
  /** The user the run is made for: host ops act as that user. */
  userId?: number;
  timeoutMs: number;
  /** Enter with the async `apply` (quarantine, or a version proving itself) instead of `applySync`. */
  asyncEntry: boolean;
}

interface Job extends JobParams {
  startedAt: number;
  deadlineAt: number;
  log: LogLine[];
  logBytes: number;
  logFull: boolean;
  timers: Map<number, NodeJS.Timeout>;
  deadlineTimer: NodeJS.Timeout | undefined;
  outcomeJson: string | undefined;
  ended: boolean;
  /**
   * isolated-vm's clock of the isolate and this process's CPU at the start: async entries
   * only (two clock reads the fast path does not need).
   */
  cpuStart: { isolate: bigint; process: NodeJS.CpuUsage } | undefined;
  /** CPU spent in the job's entries when it is not an asyncEntry job, in µs. */
  threadCpuUs: number;
  /** Clocks at the start of the async entry inside the isolate now (fast-path jobs only). */
  entryCpuStart: { isolate: bigint; process: NodeJS.CpuUsage } | undefined;
  /** Async entries waiting for the one before them to leave the isolate. */
  queue: Entry[];
  /** The job's async load or entry queue is being worked through: further entries wait their turn. */
  pumping: boolean;
  /** Calls made with an isolated-vm `timeout` (load and synchronous entries). */
  timedCalls: number;
  /** Host calls answered with a promise so far (the id of the latest). */
  hostCalls: number;
  resolve(outcome: InvocationOutcome): void;
}

const LEVELS = new Set(['log', 'info', 'warn', 'error']);
/** Entries armed with an isolated-vm `timeout` per job (see the top of the file). */
export const SYNC_ENTRIES_PER_JOB = 64;
const HEAP_SAMPLE_MS = 250;
const WRAPPER_PREFIX = '__cfnDefine(function (exports, module, require) {\n';
const WRAPPER_SUFFIX = '\n});void 0';

export class FunctionInstance implements BridgeTarget {
  readonly spec: LoadedSpec;
  readonly #warm: WarmIsolate;
  readonly #services: InstanceServices;
  #job: Job | undefined;
  #loaded = false;
  #dead = false;
  /** An async call is inside the isolate now (its heap statistics would block until it leaves). */
  #inIsolate = false;
  /** Resident heap of the isolate at its last sample, for the memory budget. */
  heapBytes = 0;
  #usedBytes = 0;
  #heapSampledAt = Number.NEGATIVE_INFINITY;
  lastUsed = 0;

  constructor(spec: LoadedSpec, warm: WarmIsolate, services: InstanceServices) {
    this.spec = spec;
    this.#warm = warm;
    this.#services = services;
    warm.route.target = this;
  }

  get dead(): boolean {
    return this.#dead || this.#warm.isolate.isDisposed;
  }

  get jobInvocationId(): number | undefined {
    return this.#job?.invocationId;
  }

  get fn(): { name: string; version: number } {
    return { name: this.spec.spec.name, version: this.spec.spec.version };
  }

  /**
   * Runs one job; `onEnd` gets its outcome once, synchronously as the job ends (and after a
   * failed isolate is disposed), so the executor judges the run before it reads its next
   * message: IPC messages that arrived together are all dispatched before any promise settles.
   */
  run(params: JobParams, onEnd: (outcome: InvocationOutcome) => void): void {
    const job: Job = {
      ...params,
      startedAt: params.receivedAt,
      deadlineAt: params.receivedAt + params.timeoutMs,
      log: [],
      logBytes: 0,
      logFull: false,
      timers: new Map(),
      deadlineTimer: undefined,
      outcomeJson: undefined,
      ended: false,
      cpuStart: params.asyncEntry
        ? { isolate: this.#cpuTime(), process: process.cpuUsage() }
        : undefined,
      threadCpuUs: 0,
      entryCpuStart: undefined,
      queue: [],
      pumping: false,
      timedCalls: 0,
      hostCalls: 0,
      resolve: onEnd,
    };
    this.#job = job;
    job.deadlineTimer = setTimeout(
      () => this.#expire(job),
      Math.max(0, job.deadlineAt - performance.now()),
    );
    if (job.asyncEntry) void this.#startAsync(job, params.jobJson);
    else if (this.#loaded || this.#load(job)) this.#enter(job, 'run', params.jobJson);
  }

  async #startAsync(job: Job, jobJson: string): Promise<void> {
    if (!this.#loaded) {
      // Timers the module's top level sets queue meanwhile; the run goes first, as with applySync.
      if (!(await this.#loadAsync(job))) return;
      job.queue.unshift(['run', jobJson]);
      return this.#pump(job);
    }
    this.#enter(job, 'run', jobJson);
  }

  /** Delivers the main process's answer to a nested BaaS.invoke. */
  settleNested(invocationId: number, callId: number, replyJson: string): void {
    const job = this.#job;
    if (job !== undefined && job.invocationId === invocationId)
      this.#enter(job, 'nested', callId, replyJson);
  }

  dispose(): void {
    this.#dead = true;
    this.#warm.route.target = undefined;
    const job = this.#job;
    if (job !== undefined && !job.ended)
      this.#fail(
        job,
        'Error',
        RUNTIME_CODES.executorCrashed,
        'The function was unloaded while running',
      );
    try {
      if (!this.#warm.isolate.isDisposed) this.#warm.isolate.dispose();
    } catch {
      // already gone
    }
  }

  #setupJson(job: Job): string {
    const { spec } = this.spec;
    return JSON.stringify({
      env: spec.env,
      timeoutMs: job.timeoutMs,
      memoryMb: spec.memoryMb,
      maxLogLineChars: this.#services.limits.maxLogLineChars,
      maxResultChars: this.#services.limits.maxResultBytes,
      maxTimers: this.#services.limits.maxTimersPerJob,
    });
  }

  #compileOptions(): ivm.ScriptOrigin & ivm.CachedDataOptions {
    const cached = this.spec.cachedData;
    return {
      filename: this.spec.bundleFile,
      lineOffset: -1,
      ...(cached === undefined ? { produceCachedData: true } : { cachedData: cached }),
    };
  }

  #keepCachedData(script: ivm.Script & ivm.CachedDataResult): void {
    if (this.spec.cachedData === undefined && script.cachedData !== undefined)
      this.spec.cachedData = script.cachedData;
  }

  /**
   * Runs a synchronous entry and adds the CPU this thread spent in it to the job. Not
   * isolated-vm's `cpuTime`: that counts the time the isolate held its thread, which grows
   * when the machine is busy (its docs warn of it), and a busy host would make well-behaved
   * functions look CPU-heavy (suspects.ts judges runs by it). This thread's own CPU clock
   * does not grow with contention; a getrusage call costs ≈ 1 µs.
   */
  #onThisThread<T>(job: Job, entry: () => T): T {
    const before = process.threadCpuUsage();
    try {
      return entry();
    } finally {
      const spent = process.threadCpuUsage(before);
      job.threadCpuUs += spent.user + spent.system;
    }
  }

  #load(job: Job): boolean {
    job.timedCalls += 2;
    try {
      this.#onThisThread(job, () => {
        this.#warm.enter.applySync(undefined, ['setup', this.#setupJson(job)], {
          timeout: this.#remaining(job),
        });
        const script = this.#warm.isolate.compileScriptSync(
          WRAPPER_PREFIX + this.spec.spec.code + WRAPPER_SUFFIX,
          this.#compileOptions(),
        );
        this.#keepCachedData(script);
        script.runSync(this.#warm.context, { timeout: this.#remaining(job), release: true });
      });
      this.#loaded = true;
      return true;
    } catch (e) {
      this.#crash(job, e);
      return false;
    }
  }

  /** #load through the async calls: the module's top level runs off the main thread too. */
  async #loadAsync(job: Job): Promise<boolean> {
    job.pumping = true;
    this.#inIsolate = true;
    try {
      await this.#warm.enter.apply(undefined, ['setup', this.#setupJson(job)], {
        timeout: this.#remaining(job),
      });
      const script = await this.#warm.isolate.compileScript(
        WRAPPER_PREFIX + this.spec.spec.code + WRAPPER_SUFFIX,
        this.#compileOptions(),
      );
      this.#keepCachedData(script);
      await script.run(this.#warm.context, { timeout: this.#remaining(job), release: true });
      this.#loaded = true;
      return !job.ended;
    } catch (e) {
      this.#inIsolate = false;
      this.#crash(job, e);
      return false;
    } finally {
      this.#inIsolate = false;
      job.pumping = false;
    }
  }

  #remaining(job: Job): number {
    return Math.max(1, Math.ceil(job.deadlineAt - performance.now()));
  }

  #enter(job: Job, kind: string, a?: string | number, b?: string): void {
    if (job.ended || this.dead) return;
    if (job.deadlineAt - performance.now() <= 0) return this.#expire(job);
    // Past its budget of timed calls a fast-path job goes on asynchronously (top of the file).
    if (job.asyncEntry || job.pumping || job.timedCalls >= SYNC_ENTRIES_PER_JOB) {
      job.queue.push([kind, a, b]);
      if (!job.pumping) void this.#pump(job);
      return;
    }
    job.timedCalls++;
    try {
      this.#onThisThread(job, () =>
        this.#warm.enter.applySync(undefined, [kind, a, b], { timeout: this.#remaining(job) }),
      );
    } catch (e) {
      return this.#crash(job, e);
    }
    if (job.outcomeJson !== undefined && !job.ended) this.#complete(job);
  }

  /** Works through a job's queued async entries, one inside the isolate at a time. */
  async #pump(job: Job): Promise<void> {
    job.pumping = true;
    try {
      for (let next = job.queue.shift(); next !== undefined; next = job.queue.shift()) {
        if (job.ended || this.dead) return;
        if (job.deadlineAt - performance.now() <= 0) return this.#expire(job);
        // No `timeout`: the main thread is free meanwhile, and the deadline timer disposes of
        // the isolate if the entry outlives the job (the top of the file says why).
        const cpuBefore = job.asyncEntry
          ? undefined
          : { isolate: this.#cpuTime(), process: process.cpuUsage() };
        job.entryCpuStart = cpuBefore;
        this.#inIsolate = true;
        try {
          await this.#warm.enter.apply(undefined, next);
        } catch (e) {
          this.#inIsolate = false;
          return this.#crash(job, e);
        }
        this.#inIsolate = false;
        job.entryCpuStart = undefined;
        if (cpuBefore !== undefined && !job.ended)
          job.threadCpuUs += this.#asyncCpuMs(cpuBefore, !this.#warm.isolate.isDisposed) * 1000;
        if (job.outcomeJson !== undefined && !job.ended) this.#complete(job);
      }
    } finally {
      this.#inIsolate = false;
      job.pumping = false;
    }
  }

  #complete(job: Job): void {
    const json = job.outcomeJson as string;
    if (json.length > this.#services.limits.maxResultBytes + 4096) {
      return this.#fail(
        job,
        'RangeError',
        RUNTIME_CODES.resultTooLarge,
        `The function's result is over the limit of ${this.#services.limits.maxResultBytes} bytes`,
      );
    }
    let parsed: { ok?: unknown; result?: unknown; error?: Record<string, unknown> };
    try {
      parsed = JSON.parse(json) as typeof parsed;
    } catch {
      return this.#fail(
        job,
        'Error',
        RUNTIME_CODES.resultInvalid,
        'The function reported an unreadable outcome',
      );
    }
    if (parsed.ok === true) {
      // Checked here, before the outcome crosses to the main process: V8's deserialiser there
      // recurses per level, and a result nested thousands deep would overflow its stack.
      const depth = checkJson(parsed.result, { maxDepth: MAX_OUTPUT_DEPTH });
      if (!depth.ok)
        return this.#fail(
          job,
          'RangeError',
          RUNTIME_CODES.resultTooDeep,
          `The function's result is ${depth.message}`,
        );
      return this.#end(job, 'fulfilled', parsed.result, undefined);
    }
    this.#end(job, 'execution_failed', undefined, this.#guestError(parsed.error ?? {}));
  }

  #guestError(data: Record<string, unknown>): SerializedError {
    const error: SerializedError = {
      name: typeof data.name === 'string' ? data.name : 'Error',
      message: typeof data.message === 'string' ? data.message : 'The function failed',
    };
    if (typeof data.stack === 'string')
      error.stack = mapStack(data.stack, this.spec.bundleFile, this.spec.mapper());
    if (typeof data.code === 'string') error.code = data.code;
    return error;
  }

  #expire(job: Job): void {
    if (job.ended) return;
    const message = `The function did not finish within its time limit of ${job.timeoutMs} ms`;
    this.#end(
      job,
      'deadline_exceeded',
      undefined,
      this.#error('DeadlineExceeded', RUNTIME_CODES.timeout, message),
      true,
    );
  }

  /** An entry threw at the isolated-vm level: a timeout, the memory limit, or a dead isolate. */
  #crash(job: Job, e: unknown): void {
    if (job.ended) return;
    const message = e instanceof Error ? e.message : String(e);
    if (/timed out/i.test(message) && !this.#warm.isolate.isDisposed) return this.#expire(job);
    if (this.#warm.isolate.isDisposed || /memory limit|allocation failed/i.test(message)) {
      const text = `The function exceeded its memory limit of ${this.spec.spec.memoryMb} MB (${message})`;
      this.#fail(job, 'RangeError', RUNTIME_CODES.memory, text, true);
    } else {
      const stack =
        e instanceof Error && typeof e.stack === 'string'
          ? mapStack(e.stack, this.spec.bundleFile, this.spec.mapper())
          : undefined;
      this.#end(
        job,
        'execution_failed',
        undefined,
        {
          ...this.#error(e instanceof Error ? e.name : 'Error', RUNTIME_CODES.crashed, message),
          ...(stack ? { stack } : {}),
        },
        true,
      );
    }
  }

  #error(name: string, code: string, message: string): SerializedError {
    return { name, code, message };
  }

  /** Ends `job` as execution_failed with an engine-made error (not one the guest threw). */
  #fail(job: Job, name: string, code: string, message: string, thenDispose = false): void {
    this.#end(job, 'execution_failed', undefined, this.#error(name, code, message), thenDispose);
  }

  #cpuTime(): bigint {
    try {
      return this.#warm.isolate.cpuTime;
    } catch {
      return 0n;
    }
  }

  /**
   * Entered asynchronously, the isolate ran on isolated-vm's threads, out of reach of a thread
   * clock. Both measures at hand are at least the run's CPU: isolated-vm's clock grows with
   * contention, the process's CPU includes whatever else the executor did meanwhile (in
   * quarantine, one run at a time, little). The smaller is the closer.
   */
  #asyncCpuMs(start: NonNullable<Job['cpuStart']>, alive: boolean): number {
    const spent = process.cpuUsage(start.process);
    const processMs = (spent.user + spent.system) / 1000;
    if (!alive) return processMs;
    return Math.min(Number(this.#cpuTime() - start.isolate) / 1e6, processMs);
  }

  #end(
    job: Job,
    status: InvocationOutcome['status'],
    result: unknown,
    error: SerializedError | undefined,
    /** The isolate failed: dispose of it before telling, so whoever gets it back sees it dead. */
    thenDispose = false,
  ): void {
    if (job.ended) return;
    job.ended = true;
    if (job.deadlineTimer !== undefined) clearTimeout(job.deadlineTimer);
    for (const t of job.timers.values()) clearTimeout(t);
    job.timers.clear();
    const alive = !this.#warm.isolate.isDisposed;
    // Heap statistics cost ≈ 13 µs, half of a warm job: sample them at most every
    // HEAP_SAMPLE_MS per isolate (and always after a failure), else report the last sample.
    // Never while an async call is inside the isolate: the statistics would wait for it.
    const now = performance.now();
    if (
      alive &&
      !this.#inIsolate &&
      (status !== 'fulfilled' || now - this.#heapSampledAt >= HEAP_SAMPLE_MS)
    ) {
      try {
        const stats = this.#warm.isolate.getHeapStatisticsSync();
        this.#usedBytes = stats.used_heap_size + stats.externally_allocated_size;
        this.heapBytes = stats.total_physical_size + stats.externally_allocated_size;
        this.#heapSampledAt = now;
      } catch {
        // disposed meanwhile
      }
    }
    const memoryBytes = alive ? this.#usedBytes : 0;
    // isolated-vm's clock counts an entry once it leaves the isolate: while one is still
    // inside (the deadline came first), only the process's CPU has seen it.
    const isolateClock = alive && !this.#inIsolate;
    if (job.entryCpuStart !== undefined)
      job.threadCpuUs += this.#asyncCpuMs(job.entryCpuStart, isolateClock) * 1000;
    const cpuMs = job.cpuStart
      ? this.#asyncCpuMs(job.cpuStart, isolateClock)
      : job.threadCpuUs / 1000;
    this.#job = undefined;
    this.lastUsed = Date.now();
    const outcome: InvocationOutcome = {
      status,
      log: job.log,
      durationMs: Math.round((performance.now() - job.startedAt) * 1000) / 1000,
      cpuMs,
      memoryBytes,
    };
    if (result !== undefined) outcome.result = result;
    if (error !== undefined) outcome.error = error;
    if (thenDispose) this.dispose();
    job.resolve(outcome);
  }

  // ---- bridge callbacks (called from inside the isolate, on this thread) ----

  hostCall(op: unknown, argsJson: unknown): string {
    const job = this.#job;
    if (job === undefined || job.ended)
      return errorReply(RUNTIME_CODES.hostOpFailed, 'No job is running');
    if (typeof op !== 'string' || typeof argsJson !== 'string')
      return errorReply(
        RUNTIME_CODES.hostOpFailed,
        'Host operations take a name and JSON arguments',
      );
    if (argsJson.length > this.#services.limits.maxHostCallBytes) {
      return errorReply(
        RUNTIME_CODES.argumentTooLarge,
        `Arguments of ${op.slice(0, 64)} are over the limit of ${this.#services.limits.maxHostCallBytes} bytes`,
        413,
      );
    }
    // Host ops walk their arguments (query compiler, update operators, JSON.stringify): refuse
    // absurd nesting before parsing; the ops apply their own, tighter limits on what they store.
    if (jsonTextDepth(argsJson, MAX_OUTPUT_DEPTH) > MAX_OUTPUT_DEPTH) {
      return errorReply(
        'E_JSON_TOO_DEEP',
        `Arguments of ${op.slice(0, 64)} are nested more than ${MAX_OUTPUT_DEPTH} levels deep`,
      );
    }
    const hostOps = this.#services.hostOps;
    if (hostOps === undefined)
      return errorReply(
        RUNTIME_CODES.hostOpFailed,
        `Host operation ${JSON.stringify(op.slice(0, 64))} is not available`,
        501,
      );
    let answer: unknown;
    try {
      answer = hostOps.call(op, JSON.parse(argsJson) as unknown, {
        functionName: this.spec.spec.name,
        jobId: job.jobId,
        ...(job.userId === undefined ? {} : { userId: job.userId }),
      });
      if (!isPromiseLike(answer)) return okReply(answer);
    } catch (e) {
      return failureReply(op, e);
    }
    return this.#awaitHostAnswer(job, op, answer);
  }

  /**
   * A HostOps answer that is a promise (a store that waits on the network): the guest gets
   * `pending` now, the isolate's thread is free meanwhile, and the answer enters the isolate
   * like a timer or a nested answer: under the job's timeout, on the CPU clock of the job, and
   * never once the job has ended (its deadline keeps running while it waits).
   */
  #awaitHostAnswer(job: Job, op: string, answer: PromiseLike<unknown>): string {
    const id = ++job.hostCalls;
    const deliver = (reply: string): void => {
      if (this.#job === job) this.#enter(job, 'host-reply', id, reply);
    };
    void Promise.resolve(answer).then(
      (result) => {
        let reply: string;
        try {
          reply = okReply(result);
        } catch (e) {
          reply = failureReply(op, e);
        }
        deliver(reply);
      },
      (e: unknown) => deliver(failureReply(op, e)),
    );
    return pendingReply(id);
  }

  log(level: unknown, message: unknown): boolean {
    const job = this.#job;
    if (job === undefined || job.ended || job.logFull) return false;
    if (typeof level !== 'string' || !LEVELS.has(level) || typeof message !== 'string') return true;
    const max = this.#services.limits.maxLogBytesPerJob;
    const text =
      message.length > this.#services.limits.maxLogLineChars
        ? `${message.slice(0, this.#services.limits.maxLogLineChars)}… [line truncated]`
        : message;
    const bytes = Buffer.byteLength(text) + 1;
    if (job.logBytes + bytes > max) {
      job.logFull = true;
      job.log.push({
        level: 'warn',
        message: `[log truncated: this job's output passed ${max} bytes]`,
        at: Date.now(),
      });
      return false;
    }
    job.logBytes += bytes;
    job.log.push({ level: level as LogLine['level'], message: text, at: Date.now() });
    return true;
  }

  timer(delayMs: unknown, id: unknown): void {
    const job = this.#job;
    if (job === undefined || job.ended || typeof id !== 'number' || typeof delayMs !== 'number')
      return;
    const existing = job.timers.get(id);
    if (existing !== undefined) {
      clearTimeout(existing);
      job.timers.delete(id);
    }
    if (delayMs < 0) return;
    // A timer due after the deadline can never fire in time: the deadline ends the job first.
    if (
      performance.now() + delayMs >= job.deadlineAt ||
      job.timers.size >= this.#services.limits.maxTimersPerJob
    )
      return;
    job.timers.set(
      id,
      setTimeout(() => {
        job.timers.delete(id);
        this.#enter(job, 'timer', id);
      }, delayMs),
    );
  }

  nested(id: unknown, requestJson: unknown): void {
    const job = this.#job;
    if (job === undefined || job.ended || typeof id !== 'number' || typeof requestJson !== 'string')
      return;
    if (requestJson.length > this.#services.limits.maxArgumentBytes) {
      const reply = errorReply(
        RUNTIME_CODES.argumentTooLarge,
        `The data of this BaaS.invoke, BaaS.wechat, BaaS.request or fetch call is over the limit of ${this.#services.limits.maxArgumentBytes} bytes`,
        413,
      );
      setImmediate(() => this.#enter(job, 'nested', id, reply));
      return;
    }
    this.#services.nested(job.invocationId, id, requestJson);
  }

  done(outcomeJson: unknown): void {
    const job = this.#job;
    if (job !== undefined && !job.ended && typeof outcomeJson === 'string')
      job.outcomeJson = outcomeJson;
  }
}
