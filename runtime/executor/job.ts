/** One run of a function in an executor: what it was asked, and its state while it runs. */
import type { Entry } from '../guest/isolate-entry.ts';
import type { InvocationOutcome, LogLine } from '../sandbox.ts';
import type { CpuMark } from './job-cpu.ts';

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

export interface Job extends JobParams {
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
  cpuStart: CpuMark | undefined;
  /** CPU spent in the job's entries when it is not an asyncEntry job, in µs. */
  threadCpuUs: number;
  /** Clocks at the start of the async entry inside the isolate now (fast-path jobs only). */
  entryCpuStart: CpuMark | undefined;
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

/** A job about to start; `cpuStart` only for async-entry jobs. */
export function newJob(
  params: JobParams,
  cpuStart: CpuMark | undefined,
  onEnd: (outcome: InvocationOutcome) => void,
): Job {
  return {
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
    cpuStart,
    threadCpuUs: 0,
    entryCpuStart: undefined,
    queue: [],
    pumping: false,
    timedCalls: 0,
    hostCalls: 0,
    resolve: onEnd,
  };
}

/** Milliseconds left before the job's deadline, at least 1 (isolated-vm's `timeout` unit). */
export function remainingMs(job: Job): number {
  return Math.max(1, Math.ceil(job.deadlineAt - performance.now()));
}
