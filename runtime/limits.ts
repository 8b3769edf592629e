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
  /**
   * `BaaS.invoke` calls one run may make (sync or not); past it the call rejects with
   * E_FUNCTION_INVOKE_LIMIT and nothing runs.
   */
  maxInvokesPerRun: number;
  /** Pending guest timers per job; setTimeout/setInterval past it throw E_TOO_MANY_TIMERS. */
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
  /**
   * Nice value of the executor processes (0–19; never below the engine's own): on a busy
   * machine the engine's receiver answers WeChat first, functions get the CPU that is left.
   */
  executorNice: number;
  /** Nice value of the quarantine executor's threads, where suspect functions run (0–19). */
  quarantineNice: number;
  /**
   * Nice value of the quarantine's own scheduling group where the kernel groups by session
   * (autogroups, 0–19): its weight against the engine's session and any other.
   */
  quarantineGroupNice: number;
  /**
   * Suspect runs computing at once in the quarantine (the others wait their turn, their
   * deadline not yet started): the cores that looping functions can take from the rest.
   */
  quarantineConcurrency: number;
  /**
   * The share of those cores suspects get over time, in (0, 1]: after a run that used n ms of
   * CPU its place pauses n × (1/share − 1) ms. Runs that wait past the function's concurrency
   * cap are rejected (`execution_rejected`) and retried as their trigger says.
   */
  quarantineCpuShare: number;
  /**
   * Runs of a new version entered asynchronously before it may take the synchronous fast
   * path (0: none). Spares the executor even a first offence, at ≈ 30 µs more per host call
   * during those runs (docs/runtime.md).
   */
  provingRuns: number;
  /** A run using this much isolate CPU time makes its function version suspect (it held the executor that long). */
  suspectCpuMs: number;
  /** Well-behaved runs in quarantine before a suspect returns to the fast path (doubled per relapse). */
  probationRuns: number;
  /** …and at least this long since its last offence (doubled per relapse). */
  probationMs: number;
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
  maxInvokesPerRun: 50,
  maxTimersPerJob: 100,
  isolateMemoryBudgetMb: 768,
  maxLoadedIsolates: 2000,
  warmPoolSize: 4,
  defaultMemoryMb: 128,
  heartbeatMs: 500,
  heartbeatTimeoutMs: 15_000,
  deadlineGraceMs: 2_000,
  rssCeilingMb: 4096,
  executorNice: 10,
  quarantineNice: 19,
  quarantineGroupNice: 19,
  quarantineConcurrency: 1,
  quarantineCpuShare: 0.1,
  provingRuns: 0,
  suspectCpuMs: 100,
  probationRuns: 100,
  probationMs: 60_000,
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
  for (const key of ['executorNice', 'quarantineNice', 'quarantineGroupNice'] as const) {
    if (limits[key] > 19)
      throw new TypeError(`sandbox limit ${key} is a nice value, 0 to 19; got ${limits[key]}`);
  }
  if (limits.quarantineCpuShare <= 0 || limits.quarantineCpuShare > 1)
    throw new TypeError(
      `sandbox limit quarantineCpuShare is a share of a core, above 0 and at most 1; got ${limits.quarantineCpuShare}`,
    );
  if (limits.quarantineConcurrency < 1)
    throw new TypeError('sandbox limit quarantineConcurrency must be at least 1');
  return limits;
}
