/**
 * Which path each function version's runs take, from how it has behaved.
 *
 * Trusted versions are entered synchronously on their executor's main thread: cheap, but a
 * run holds that thread (and every other function of the executor) for as long as it
 * computes. So:
 * - a new version is **proving**: its first `provingRuns` runs are entered asynchronously on
 *   its own executor (the isolate runs on an isolated-vm thread, the main thread stays free),
 *   so a function that loops from its first run never holds the executor;
 * - after that many good runs it is **trusted**: the synchronous fast path;
 * - a run that hits its deadline or memory limit, burns `suspectCpuMs` of CPU, or gets its
 *   executor killed makes the version **suspect**: its runs go to the quarantine executor
 *   (asynchronous entries, lowest CPU priority, its own process);
 * - after `probationRuns` good runs there and `probationMs` since its last offence a suspect
 *   is trusted again; every relapse doubles both.
 * Pure logic: the caller supplies the clock.
 */
import type { SandboxLimits } from '../limits.ts';
import { type Conduct, versionKey } from '../protocol.ts';

/** Where a version's next run goes. */
export type Path = 'proving' | 'fast' | 'quarantine';

interface Standing {
  name: string;
  path: Path;
  offences: number;
  /** Good runs since the version was deployed (proving) or since its last offence (quarantine). */
  goodRuns: number;
  lastOffenceAt: number;
}

/** A relapse doubles the probation, up to this factor. */
const MAX_PROBATION_FACTOR = 64;
/** Versions remembered at most; the oldest not in quarantine go first (they prove themselves again). */
const MAX_REMEMBERED = 10_000;

export class SuspectList {
  readonly #limits: Pick<SandboxLimits, 'provingRuns' | 'probationRuns' | 'probationMs'>;
  readonly #standings = new Map<string, Standing>();

  constructor(limits: Pick<SandboxLimits, 'provingRuns' | 'probationRuns' | 'probationMs'>) {
    this.#limits = limits;
  }

  /** Where this version's next run goes. */
  pathOf(name: string, version: number): Path {
    const standing = this.#standings.get(versionKey(name, version));
    if (standing !== undefined) return standing.path;
    return this.#limits.provingRuns > 0 ? 'proving' : 'fast';
  }

  isSuspect(name: string, version: number): boolean {
    return this.pathOf(name, version) === 'quarantine';
  }

  /**
   * Records one run; answers `'suspect'` when this run sent the version to quarantine,
   * `'trusted'` when it put it on the fast path (proven, or probation served), else undefined.
   */
  record(
    name: string,
    version: number,
    conduct: Conduct,
    now: number,
  ): 'suspect' | 'trusted' | undefined {
    if (conduct === 'offence') return this.offend(name, version, now);
    if (conduct === 'neutral') return undefined;
    const standing = this.#standing(name, version, now);
    if (standing.path === 'fast') return undefined;
    standing.goodRuns++;
    if (standing.path === 'proving') {
      if (standing.goodRuns < this.#limits.provingRuns) return undefined;
    } else {
      const factor = Math.min(2 ** (standing.offences - 1), MAX_PROBATION_FACTOR);
      if (
        standing.goodRuns < this.#limits.probationRuns * factor ||
        now - standing.lastOffenceAt < this.#limits.probationMs * factor
      )
        return undefined;
    }
    standing.path = 'fast';
    return 'trusted';
  }

  /** An offence, also one seen outside a run's outcome (an executor bounced the run, or was killed because of it). */
  offend(name: string, version: number, now: number): 'suspect' | undefined {
    const standing = this.#standing(name, version, now);
    standing.offences++;
    standing.goodRuns = 0;
    standing.lastOffenceAt = now;
    if (standing.path === 'quarantine') return undefined;
    standing.path = 'quarantine';
    return 'suspect';
  }

  /** Forgets every version of a function (deleted or redeployed). */
  forget(name: string): void {
    for (const [key, standing] of this.#standings)
      if (standing.name === name) this.#standings.delete(key);
  }

  #standing(name: string, version: number, now: number): Standing {
    const key = versionKey(name, version);
    let standing = this.#standings.get(key);
    if (standing === undefined) {
      this.#trim();
      standing = {
        name,
        path: this.#limits.provingRuns > 0 ? 'proving' : 'fast',
        offences: 0,
        goodRuns: 0,
        lastOffenceAt: now,
      };
      this.#standings.set(key, standing);
    }
    return standing;
  }

  #trim(): void {
    if (this.#standings.size < MAX_REMEMBERED) return;
    for (const [key, standing] of this.#standings) {
      if (standing.path !== 'quarantine') this.#standings.delete(key);
      if (this.#standings.size < MAX_REMEMBERED) return;
    }
    // All suspect: forget the oldest; at worst it offends once more while proving itself.
    const oldest = this.#standings.keys().next().value;
    if (oldest !== undefined) this.#standings.delete(oldest);
  }
}
