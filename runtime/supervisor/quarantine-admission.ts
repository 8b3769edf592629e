/**
 * When the quarantine executor may start a suspect's run.
 *
 * - The runs of one function version take turns, and after a run that offended again (looped
 *   to its deadline, burned `suspectCpuMs`) that version sits out `cpuMs × (1/cpuShare − 1)`:
 *   a function that loops on every call computes `cpuShare` of one core over time, however
 *   many of its runs are on their way. Good runs pass straight on, so a suspect serving its
 *   probation keeps its pace.
 * - All suspects together compute on `concurrency` cores at most.
 * Runs waiting here count against their function's concurrency cap (past it they are
 * rejected and retried as their trigger says), and their deadline has not started yet.
 *
 * Why pace at all: on two cores even one core looping at the lowest CPU priority, in a
 * scheduling group of its own, raised the engine's answer p99 by 1.4× to 1.6× (measured,
 * docs/performance.md). The share is what bounds a looping neighbour's cost.
 */
import { RunGate } from './run-gate.ts';

export class QuarantineAdmission {
  readonly #cores: RunGate;
  readonly #cpuShare: number;
  /** One gate per version with runs waiting, running or sitting out a pause. */
  readonly #versions = new Map<string, RunGate>();

  constructor(options: { concurrency: number; cpuShare: number }) {
    this.#cores = new RunGate(options.concurrency);
    this.#cpuShare = options.cpuShare;
  }

  /** Versions holding a gate now (tests: none are kept once idle). */
  get trackedVersions(): number {
    return this.#versions.size;
  }

  /**
   * Runs `run` when admitted; it answers its result and the CPU milliseconds to pace the
   * version by (its run's CPU time if it offended again, else 0).
   */
  async admit<T>(
    versionKey: string,
    run: () => Promise<{ result: T; paceCpuMs: number }>,
  ): Promise<T> {
    let gate = this.#versions.get(versionKey);
    if (gate === undefined) {
      gate = new RunGate(1, this.#cpuShare);
      this.#versions.set(versionKey, gate);
    }
    const releaseVersion = await gate.acquire();
    let paceCpuMs = 0;
    try {
      const releaseCore = await this.#cores.acquire();
      try {
        const done = await run();
        paceCpuMs = done.paceCpuMs;
        return done.result;
      } finally {
        releaseCore(0);
      }
    } finally {
      releaseVersion(paceCpuMs, () => {
        if (gate.idle && this.#versions.get(versionKey) === gate) this.#versions.delete(versionKey);
      });
    }
  }
}
