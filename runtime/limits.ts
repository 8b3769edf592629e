/** The sandbox's limits and tuning, resolved once from options with these defaults. */
export interface SandboxLimits {
  /** Bytes of console output kept per job; past it the log ends with a truncation line. */
  maxLogBytesPerJob: number;
  /** Characters of one console line. */
  maxLogLineChars: number;
  /** Bytes of a function's JSON result (like Lambda's 6 MB synchronous payload). */
  maxResultBytes: number;
  /** Bytes of an invocation's JSON `event.data`, and of a BaaS.invoke's data. */
  maxArgumentBytes: number;
  /** Bytes of one host operation's JSON arguments. */
  maxHostCallBytes: number;
  /** Invocations of one function running at once (all versions); more are rejected. */
  maxConcurrencyPerFunction: number;
  /** Invocations running at once in the whole sandbox; more are rejected. */
  maxConcurrency: number;
  /** Depth of BaaS.invoke chains (this also cuts cycles). */
  maxInvokeDepth: number;
  /** Pending guest timers per job. */
  maxTimersPerJob: number;
  /** Idle isolates are evicted (LRU) when the loaded isolates' heaps pass this. */
  isolateMemoryBudgetMb: number;
  /** At most this many loaded isolates per executor. */
  maxLoadedIsolates: number;
  /** Pre-warmed empty isolates kept ready per executor (for the default memory size). */
  warmPoolSize: number;
  /** The memory size the warm pool is filled for. */
  defaultMemoryMb: number;
  /** Executor heartbeat period. */
  heartbeatMs: number;
  /** An executor silent this long is wedged: it is killed and restarted. */
  heartbeatTimeoutMs: number;
  /** Past its deadline, a job's executor gets this long to answer before it is declared wedged. */
  deadlineGraceMs: number;
  /** An executor whose RSS passes this is restarted. */
  rssCeilingMb: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  maxLogBytesPerJob: 256 * 1024,
  maxLogLineChars: 16 * 1024,
  maxResultBytes: 6 * 1024 * 1024,
  maxArgumentBytes: 6 * 1024 * 1024,
  maxHostCallBytes: 6 * 1024 * 1024,
  maxConcurrencyPerFunction: 32,
  maxConcurrency: 512,
  maxInvokeDepth: 4,
  maxTimersPerJob: 1000,
  isolateMemoryBudgetMb: 768,
  maxLoadedIsolates: 2000,
  warmPoolSize: 4,
  defaultMemoryMb: 128,
  heartbeatMs: 500,
  heartbeatTimeoutMs: 15_000,
  deadlineGraceMs: 2_000,
  rssCeilingMb: 4096,
};

/** Applies defaults; rejects nonsense early rather than deep in the executor. */
export function resolveLimits(partial: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(
        `sandbox limit ${key} must be a non-negative number, got ${String(value)}`,
      );
    }
  }
  return limits;
}
