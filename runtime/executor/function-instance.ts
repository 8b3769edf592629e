/**
 * One isolate bound to one function version, running one job at a time (so a deadline that
 * disposes the isolate ends that job only, and every console line belongs to its job).
 *
 * In a main executor a job's entries go through `applySync` on the executor's main thread: a
 * guest's host calls then reach the HostOps synchronously (≈ 1 µs instead of ≈ 50–100 µs for
 * an async round trip), microtasks run inside the entry and under its timeout, and between
 * entries the event loop is free for timers, nested-invoke answers, host calls answered with
 * promises and the engine-side deadline. Jobs of suspect functions (the quarantine executor)
 * and of versions still proving themselves (runtime/supervisor/suspects.ts) are `asyncEntry`
 * jobs: the same entries go through the async `apply`, the isolate runs on one of
 * isolated-vm's threads, its host calls (still synchronous callbacks for the guest) wait for
 * the main thread, and the main thread stays free while the function computes. Entries of
 * one job then queue, so they never overlap or reorder.
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
 *
 * The job's state is job.ts, its CPU clock job-cpu.ts, its log job-log.ts, what its end means
 * job-outcome.ts, how a version is loaded module-loader.ts; this file is the state machine that enters the isolate and ends the job.
 */
import { mapStack } from '../bundle/stack-mapper.ts';
import { RUNTIME_CODES } from '../errors.ts';
import type { Entry, GuestSetup } from '../guest/isolate-entry.ts';
import type { HostOps } from '../host-ops-port.ts';
import type { SandboxLimits } from '../limits.ts';
import type { InvocationOutcome, SerializedError } from '../sandbox.ts';
import type { CommitPolicy } from './commit-hold.ts';
import {
  errorReply,
  failureReply,
  isPromiseLike,
  okReply,
  pendingReply,
  refuseHostCall,
} from './host-call-replies.ts';
import { newJob, remainingMs, type Job, type JobParams } from './job.ts';
import { asyncCpuMs, cpuMark, type CpuMark, onThisThread } from './job-cpu.ts';
import { appendLog } from './job-log.ts';
import { entryFailure, readOutcome } from './job-outcome.ts';
import type { LoadedSpec } from './loaded-spec.ts';
import { loadModuleAsync, loadModuleSync } from './module-loader.ts';
import type { BridgeTarget, WarmIsolate } from './warm-pool.ts';

export type { JobParams } from './job.ts';

export interface InstanceServices {
  limits: SandboxLimits;
  hostOps: HostOps | undefined;
  /** Forwards a guest's BaaS.invoke to the main process. */
  nested(invocationId: number, callId: number, requestJson: string): void;
  /** When table writes are committed (commit-hold.ts); none: each call commits its own. */
  commits?: CommitPolicy;
}

/** Entries armed with an isolated-vm `timeout` per job (see the top of the file). */
export const SYNC_ENTRIES_PER_JOB = 64;
const HEAP_SAMPLE_MS = 250;

export class FunctionInstance implements BridgeTarget {
  readonly spec: LoadedSpec;
  readonly #warm: WarmIsolate;
  readonly #services: InstanceServices;
  #job: Job | undefined;
  #loaded = false;
  #dead = false;
  /** An async call is inside the isolate now (its heap statistics would block until it leaves). */
  #inIsolate = false;
  /** A synchronous entry of a quick version is running: its table calls may hold their writes. */
  #holdWrites = false;
  /** Resident heap of the isolate at its last sample, for the memory budget. */
  heapBytes = 0;
  #usedBytes = 0;
  #heapSampledAt = Number.NEGATIVE_INFINITY;
  lastUsed = 0;
  readonly #mapStack = (stack: string): string =>
    mapStack(stack, this.spec.bundleFile, this.spec.mapper());

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
    const cpuStart = params.asyncEntry ? cpuMark(this.#warm.isolate) : undefined;
    const job = newJob(params, cpuStart, onEnd);
    this.#job = job;
    job.deadlineTimer = setTimeout(
      () => this.#expire(job),
      Math.max(0, job.deadlineAt - performance.now()),
    );
    if (job.asyncEntry) void this.#startAsync(job, params.jobJson);
    else if (this.#loaded || this.#load(job)) this.#enter(job, ['run', params.jobJson]);
  }

  async #startAsync(job: Job, jobJson: string): Promise<void> {
    if (!this.#loaded) {
      // Timers the module's top level sets queue meanwhile; the run goes first, as with applySync.
      if (!(await this.#loadAsync(job))) return;
      job.queue.unshift(['run', jobJson]);
      return this.#pump(job);
    }
    this.#enter(job, ['run', jobJson]);
  }

  /** Delivers the main process's answer to a nested BaaS.invoke. */
  settleNested(invocationId: number, callId: number, replyJson: string): void {
    const job = this.#job;
    if (job !== undefined && job.invocationId === invocationId)
      this.#enter(job, ['nested', callId, replyJson]);
  }

  dispose(): void {
    this.#dead = true;
    this.#warm.route.target = undefined;
    const job = this.#job;
    if (job !== undefined && !job.ended)
      this.#fail(job, {
        name: 'Error',
        code: RUNTIME_CODES.executorCrashed,
        message: 'The function was unloaded while running',
      });
    try {
      if (!this.#warm.isolate.isDisposed) this.#warm.isolate.dispose();
    } catch {
      // already gone
    }
  }

  #setup(job: Job): GuestSetup {
    const { limits } = this.#services;
    return {
      env: this.spec.spec.env,
      timeoutMs: job.timeoutMs,
      memoryMb: this.spec.spec.memoryMb,
      maxLogLineChars: limits.maxLogLineChars,
      maxResultChars: limits.maxResultBytes,
      maxTimers: limits.maxTimersPerJob,
    };
  }

  #load(job: Job): boolean {
    // A module's top level is of unknown length: nothing held waits for it.
    this.#services.commits?.beforeEntry(false);
    job.timedCalls += 2;
    try {
      onThisThread(job, () =>
        loadModuleSync(this.#warm, this.spec, this.#setup(job), () => remainingMs(job)),
      );
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
      await loadModuleAsync(this.#warm, this.spec, this.#setup(job), () => remainingMs(job));
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

  #enter(job: Job, entry: Entry): void {
    if (job.ended || this.dead) return;
    if (job.deadlineAt - performance.now() <= 0) return this.#expire(job);
    // Past its budget of timed calls a fast-path job goes on asynchronously (top of the file).
    if (job.asyncEntry || job.pumping || job.timedCalls >= SYNC_ENTRIES_PER_JOB) {
      job.queue.push(entry);
      if (!job.pumping) void this.#pump(job);
      return;
    }
    job.timedCalls++;
    const commits = this.#services.commits;
    const quick = this.spec.quick;
    this.#holdWrites = commits?.beforeEntry(quick.quick) ?? false;
    const cpuBefore = job.threadCpuUs;
    const wallBefore = performance.now();
    try {
      onThisThread(job, () =>
        this.#warm.enter.applySync(undefined, entry, { timeout: remainingMs(job) }),
      );
    } catch (e) {
      return this.#crash(job, e);
    } finally {
      if (this.#holdWrites) commits?.afterEntry();
      this.#holdWrites = false;
      quick.entered((job.threadCpuUs - cpuBefore) / 1000, performance.now() - wallBefore);
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
        // The isolate leaves the main thread: nothing held waits for it (its calls never hold).
        this.#services.commits?.beforeEntry(false);
        const cpuBefore: CpuMark | undefined = job.asyncEntry
          ? undefined
          : cpuMark(this.#warm.isolate);
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
          job.threadCpuUs +=
            asyncCpuMs(this.#warm.isolate, cpuBefore, !this.#warm.isolate.isDisposed) * 1000;
        if (job.outcomeJson !== undefined && !job.ended) this.#complete(job);
      }
    } finally {
      this.#inIsolate = false;
      job.pumping = false;
    }
  }

  #complete(job: Job): void {
    const reported = readOutcome(
      job.outcomeJson as string,
      this.#services.limits.maxResultBytes,
      this.#mapStack,
    );
    if (reported.status === 'fulfilled')
      return this.#end(job, 'fulfilled', reported.result, undefined);
    this.#end(job, 'execution_failed', undefined, reported.error);
  }

  #expire(job: Job): void {
    if (job.ended) return;
    const message = `The function did not finish within its time limit of ${job.timeoutMs} ms`;
    const error = { name: 'DeadlineExceeded', code: RUNTIME_CODES.timeout, message };
    this.#end(job, 'deadline_exceeded', undefined, error, true);
  }

  /** An entry threw at the isolated-vm level: a timeout, the memory limit, or a dead isolate. */
  #crash(job: Job, e: unknown): void {
    if (job.ended) return;
    const failure = entryFailure(
      e,
      this.#warm.isolate.isDisposed,
      this.spec.spec.memoryMb,
      this.#mapStack,
    );
    if (failure.kind === 'timeout') return this.#expire(job);
    this.#fail(job, failure.error, true);
  }

  /** Ends `job` as execution_failed with an engine-made error (not one the guest threw). */
  #fail(job: Job, error: SerializedError, thenDispose = false): void {
    this.#end(job, 'execution_failed', undefined, error, thenDispose);
  }

  /**
   * Heap statistics cost ≈ 13 µs, half of a warm job: sampled at most every HEAP_SAMPLE_MS
   * per isolate (and always after a failure), else the last sample stands. Never while an
   * async call is inside the isolate: the statistics would wait for it.
   */
  #sampleHeap(status: InvocationOutcome['status']): void {
    const now = performance.now();
    if (this.#inIsolate || (status === 'fulfilled' && now - this.#heapSampledAt < HEAP_SAMPLE_MS))
      return;
    try {
      const stats = this.#warm.isolate.getHeapStatisticsSync();
      this.#usedBytes = stats.used_heap_size + stats.externally_allocated_size;
      this.heapBytes = stats.total_physical_size + stats.externally_allocated_size;
      this.#heapSampledAt = now;
    } catch {
      // disposed meanwhile
    }
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
    if (alive) this.#sampleHeap(status);
    const memoryBytes = alive ? this.#usedBytes : 0;
    const isolateClock = alive && !this.#inIsolate;
    if (job.entryCpuStart !== undefined)
      job.threadCpuUs += asyncCpuMs(this.#warm.isolate, job.entryCpuStart, isolateClock) * 1000;
    const cpuMs = job.cpuStart
      ? asyncCpuMs(this.#warm.isolate, job.cpuStart, isolateClock)
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
    const refusal = refuseHostCall(op, argsJson, this.#services.limits.maxHostCallBytes);
    if (refusal !== undefined) return refusal;
    const name = op as string;
    const hostOps = this.#services.hostOps;
    if (hostOps === undefined)
      return errorReply(
        RUNTIME_CODES.hostOpFailed,
        `Host operation ${JSON.stringify(name.slice(0, 64))} is not available`,
        501,
      );
    let answer: unknown;
    try {
      answer = hostOps.call(name, JSON.parse(argsJson as string) as unknown, {
        functionName: this.spec.spec.name,
        jobId: job.jobId,
        ...(job.userId === undefined ? {} : { userId: job.userId }),
        ...(this.#holdWrites ? { holdWrites: true } : {}),
      });
      if (!isPromiseLike(answer)) return okReply(answer);
    } catch (e) {
      return failureReply(name, e);
    }
    return this.#awaitHostAnswer(job, name, answer);
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
      if (this.#job === job) this.#enter(job, ['host-reply', id, reply]);
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
    if (job === undefined) return false;
    return appendLog(job, this.#services.limits, level, message);
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
        this.#enter(job, ['timer', id]);
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
      setImmediate(() => this.#enter(job, ['nested', id, reply]));
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
