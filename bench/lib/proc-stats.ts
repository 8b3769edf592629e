/**
 * CPU time and memory of a process and its descendants, read from /proc (Linux only).
 * The engine runs isolates in executor child processes, so a fair CPU and RSS figure is the
 * sum over the whole process tree, not the parent alone.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (100 on nearly every Linux). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface StatFields {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
}

/** The pid and every live descendant of it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export interface TreeUsage {
  /** CPU seconds (user + system) the tree spent during the sampled interval. */
  cpuSeconds: number;
  /** Of which the root process alone (the rest: its children, e.g. isolate executors). */
  rootCpuSeconds: number;
  /** The largest summed RSS of the tree seen while sampling, in MiB. */
  peakRssMb: number;
}

/**
 * Samples a process tree from `start()` to `stop()`: CPU ticks per pid at both ends (a
 * process born in between counts from zero) and the summed RSS every `intervalMs`.
 */
export class TreeSampler {
  #root: number;
  #intervalMs: number;
  #startTicks = new Map<number, number>();
  #lastTicks = new Map<number, number>();
  #peakKb = 0;
  #timer: NodeJS.Timeout | undefined;
  #pids: number[] = [];
  #samples = 0;

  constructor(root: number, intervalMs = 50) {
    this.#root = root;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#pids = processTree(this.#root);
    for (const pid of this.#pids) {
      const ticks = readStat(pid)?.ticks;
      if (ticks !== undefined) this.#startTicks.set(pid, ticks);
    }
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs);
  }

  stop(): TreeUsage {
    clearInterval(this.#timer);
    this.#pids = processTree(this.#root);
    this.#sample();
    let ticks = 0;
    for (const [pid, last] of this.#lastTicks) ticks += last - (this.#startTicks.get(pid) ?? 0);
    const rootTicks =
      (this.#lastTicks.get(this.#root) ?? 0) - (this.#startTicks.get(this.#root) ?? 0);
    return {
      cpuSeconds: ticks / CLK_TCK,
      rootCpuSeconds: rootTicks / CLK_TCK,
      peakRssMb: this.#peakKb / 1024,
    };
  }

  #sample(): void {
    // Walking all of /proc costs a few ms: the tree is re-read once a second only.
    if (++this.#samples % 20 === 0) this.#pids = processTree(this.#root);
    let kb = 0;
    for (const pid of this.#pids) {
      kb += rssKb(pid);
      const ticks = readStat(pid)?.ticks;
      if (ticks !== undefined) this.#lastTicks.set(pid, ticks);
    }
    this.#peakKb = Math.max(this.#peakKb, kb);
  }
}

/** CPU ticks the tree's live processes have spent so far. */
function treeTicks(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks;
}

/**
 * Waits until the tree spends at most one tick per `windowMs` (start-up work done: an
 * executor loading, isolates warmed), giving up after `maxMs`. Returns how long it waited and
 * the CPU ms the tree spent meanwhile.
 */
export async function untilQuiet(
  root: number,
  { windowMs = 200, maxMs = 10_000 }: { windowMs?: number; maxMs?: number } = {},
): Promise<{ waitedMs: number; cpuMs: number; quiet: boolean }> {
  const t0 = performance.now();
  const first = treeTicks(root);
  let last = first;
  for (;;) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = treeTicks(root);
    const waitedMs = performance.now() - t0;
    const quiet = now - last <= 1;
    if (quiet || waitedMs >= maxMs)
      return { waitedMs, cpuMs: ((now - first) * 1000) / CLK_TCK, quiet };
    last = now;
  }
}

/** A process's command name (`/proc/<pid>/comm`), undefined if there is none here. */
export function commandOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The parent of a process, undefined if it is not on this machine (or gone). */
export function parentOf(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/**
 * The machine's CPU clock ticks so far, busy and in all, from /proc/stat's first line, and
 * its context switches so far (its `ctxt` line: every process's, the kernel's own too).
 */
export function machineTicks(): { busy: number; total: number; contextSwitches: number } {
  const stat = fs.readFileSync('/proc/stat', 'utf8');
  const fields = stat.split('\n')[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest time is inside user already)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.slice(1, 9).map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  const contextSwitches = Number(/^ctxt (\d+)$/m.exec(stat)?.[1] ?? Number.NaN);
  return { busy, total: busy + idle! + iowait!, contextSwitches };
}
