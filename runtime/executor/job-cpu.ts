/**
 * The CPU a job spends, as suspects.ts judges it. A fast-path job counts the thread CPU of its
 * synchronous entries: not isolated-vm's `cpuTime`, which counts the time the isolate held its
 * thread and grows when the machine is busy (its docs warn of it), so a busy host would make
 * well-behaved functions look CPU-heavy. This thread's own clock does not grow with
 * contention; a getrusage call costs ≈ 1 µs. Time a job spends waiting (timers, nested calls,
 * host calls answered with promises) is outside its entries and never counted.
 */
import type ivm from 'isolated-vm';

/** isolated-vm's clock of an isolate and this process's CPU, at one moment. */
export interface CpuMark {
  isolate: bigint;
  process: NodeJS.CpuUsage;
}

/** Runs a synchronous entry and adds the CPU this thread spent in it to `job.threadCpuUs`. */
export function onThisThread<T>(job: { threadCpuUs: number }, entry: () => T): T {
  const before = process.threadCpuUsage();
  try {
    return entry();
  } finally {
    const spent = process.threadCpuUsage(before);
    job.threadCpuUs += spent.user + spent.system;
  }
}

/** The isolate's CPU clock, 0 once it is disposed. */
export function isolateCpuTime(isolate: ivm.Isolate): bigint {
  try {
    return isolate.cpuTime;
  } catch {
    return 0n;
  }
}

export function cpuMark(isolate: ivm.Isolate): CpuMark {
  return { isolate: isolateCpuTime(isolate), process: process.cpuUsage() };
}

/**
 * Entered asynchronously, the isolate ran on isolated-vm's threads, out of reach of a thread
 * clock. Both measures at hand are at least the run's CPU: isolated-vm's clock grows with
 * contention, the process's CPU includes whatever else the executor did meanwhile (in
 * quarantine, one run at a time, little). The smaller is the closer. `isolateClock` false:
 * the isolate is gone, or an entry is still inside it (its clock counts an entry once it
 * leaves), so only the process's CPU has seen it.
 */
export function asyncCpuMs(isolate: ivm.Isolate, start: CpuMark, isolateClock: boolean): number {
  const spent = process.cpuUsage(start.process);
  const processMs = (spent.user + spent.system) / 1000;
  if (!isolateClock) return processMs;
  return Math.min(Number(isolateCpuTime(isolate) - start.isolate) / 1e6, processMs);
}
