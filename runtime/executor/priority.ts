/**
 * Lowers the CPU priority of the executor process it runs in.
 *
 * Why: on a busy machine the engine's receiver must answer WeChat first (WeChat gives up after
 * 5 s); function runs can wait for the CPU that is left. Measured on this 2-core machine with a
 * neighbour busy-looping to its deadline: at the same priority the tutorial's answer p99 rose
 * ×12, with the executors at nice 10 it stayed at ×1.0 (docs/runtime.md).
 *
 * Why here and per thread: on Linux the nice value belongs to each thread, and a new thread
 * inherits it from the thread that creates it. `os.setPriority(child.pid, n)` from the parent
 * would reach only the child's main thread, racing the V8 platform threads Node starts first.
 * So the executor sets it on every thread it already has (/proc/self/task) and on its main
 * thread, from which isolated-vm's pool threads and libuv's are created later.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';

const MAX_NICE = 19;

/** Raises the nice value of every thread of this process to `nice` (never lowers it); answers the main thread's value. */
export function lowerOwnPriority(nice: number): number {
  const target = Math.min(MAX_NICE, Math.max(0, Math.floor(nice)));
  const apply = (id: number): void => {
    try {
      // An unprivileged process cannot lower its nice value: keep one that is already higher.
      if (os.getPriority(id) < target) os.setPriority(id, target);
    } catch {
      // The thread ended meanwhile, or the platform refuses: run at the priority we have.
    }
  };
  apply(0);
  let threads: string[] = [];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    // Not Linux: setpriority applies to the whole process there, done above.
  }
  for (const tid of threads) apply(Number(tid));
  return os.getPriority(0);
}
