/**
 * Lowers the CPU priority of the executor process it runs in.
 *
 * Why: on a busy machine the engine's receiver must answer WeChat first (WeChat gives up after
 * 5 s); function runs can wait for the CPU that is left (docs/runtime.md has the numbers).
 *
 * Why here and per thread: on Linux the nice value belongs to each thread, and a new thread
 * inherits it from the thread that creates it. `os.setPriority(child.pid, n)` from the parent
 * would reach only the child's main thread, racing the V8 platform threads Node starts first.
 * So the executor sets it on every thread it already has (/proc/self/task) and on its main
 * thread, from which isolated-vm's pool threads and libuv's are created later.
 *
 * Nice values order threads inside one scheduling group. Under autogroups (most Linux desktops
 * and VMs, this one included) each session is a group and the kernel shares the CPU between
 * groups first, so the quarantine executor is started in a session of its own (see
 * executor-process.ts and docs/runtime.md for why and what was measured).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const MAX_NICE = 19;

const clamp = (nice: number) => Math.min(MAX_NICE, Math.max(0, Math.floor(nice)));

/** True when this process leads its own session (it was started detached), so its autogroup is its own. */
function leadsOwnSession(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after "(comm)": state ppid pgrp session …
    const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    return session === process.pid;
  } catch {
    return false;
  }
}

/**
 * Raises the nice value of every thread of this process to `nice` (never lowers it) and, when
 * the process leads its own session, sets its autogroup's to `groupNice`; answers the main
 * thread's value.
 */
export function lowerOwnPriority(nice: number, groupNice?: number): number {
  const target = clamp(nice);
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
  // Never write the autogroup of a session we share: it would change the engine's too.
  if (groupNice !== undefined && leadsOwnSession()) {
    try {
      writeFileSync('/proc/self/autogroup', String(clamp(groupNice)));
    } catch {
      // No autogroups (kernel option, or a cgroup manages the CPU): the thread values stand.
    }
  }
  return os.getPriority(0);
}
