/**
 * Which function versions misbehave, and so run in quarantine instead of on the fast path.
 *
 * Healthy functions are entered synchronously on an executor's main thread: cheap, but a run
 * holds that thread (and every other function of the executor) for as long as it computes. A
 * version that hits its deadline or its memory limit, burns `suspectCpuMs` of CPU in one run,
 * or is the culprit of an executor kill becomes suspect: its runs go to the quarantine
 * executor, which enters them asynchronously at the lowest CPU priority. After
 * `probationRuns` well-behaved runs there and `probationMs` since its last offence it returns
 * to the fast path; every relapse doubles both. Pure logic: the caller supplies the clock.
 */
import { RUNTIME_CODES } from '../errors.ts';
import type { SandboxLimits } from '../limits.ts';
import type { InvocationOutcome } from '../sandbox.ts';

/** How one run counts towards its version's standing. */
export type Conduct = 'offence' | 'good' | 'neutral';

/** Judges one outcome: an offence held (or could have held) an executor; rejections and crashes of others say nothing. */
export function conductOf(
  outcome: Pick<InvocationOutcome, 'status' | 'cpuMs' | 'error'>,
  limits: Pick<SandboxLimits, 'suspectCpuMs'>,
): Conduct {
  if (outcome.status === 'deadline_exceeded') return 'offence';
  if (outcome.error?.code === RUNTIME_CODES.memory) return 'offence';
  if (outcome.cpuMs >= limits.suspectCpuMs) return 'offence';
  if (outcome.status === 'execution_rejected') return 'neutral';
  if (outcome.error?.code === RUNTIME_CODES.executorCrashed) return 'neutral';
  return 'good';
}

/** The key of one function version. */
export function versionKey(name: string, version: number): string {
  return `${name}\0${version}`;
}

interface Standing {
  name: string;
  suspect: boolean;
  offences: number;
  goodRuns: number;
  lastOffenceAt: number;
}

/** A relapse doubles the probation, up to this factor. */
const MAX_PROBATION_FACTOR = 64;
/** Versions remembered at most; the oldest trusted ones are forgotten first. */
const MAX_REMEMBERED = 10_000;

export class SuspectList {
  readonly #limits: Pick<SandboxLimits, 'probationRuns' | 'probationMs'>;
  readonly #standings = new Map<string, Standing>();

  constructor(limits: Pick<SandboxLimits, 'probationRuns' | 'probationMs'>) {
    this.#limits = limits;
  }

  isSuspect(name: string, version: number): boolean {
    return this.#standings.get(versionKey(name, version))?.suspect === true;
  }

  /** Suspect versions now (for health and tests). */
  get suspects(): number {
    let n = 0;
    for (const s of this.#standings.values()) if (s.suspect) n++;
    return n;
  }

  /**
   * Records one run; answers `'suspect'` when this run made the version suspect, `'trusted'`
   * when it ended its probation, else undefined.
   */
  record(
    name: string,
    version: number,
    conduct: Conduct,
    now: number,
  ): 'suspect' | 'trusted' | undefined {
    if (conduct === 'offence') return this.offend(name, version, now);
    const standing = this.#standings.get(versionKey(name, version));
    if (conduct === 'neutral' || standing === undefined || !standing.suspect) return undefined;
    standing.goodRuns++;
    const factor = Math.min(2 ** (standing.offences - 1), MAX_PROBATION_FACTOR);
    if (
      standing.goodRuns >= this.#limits.probationRuns * factor &&
      now - standing.lastOffenceAt >= this.#limits.probationMs * factor
    ) {
      standing.suspect = false;
      return 'trusted';
    }
    return undefined;
  }

  /** An offence seen outside a run's outcome (an executor bounced the run, or was killed because of it). */
  offend(name: string, version: number, now: number): 'suspect' | undefined {
    const key = versionKey(name, version);
    let standing = this.#standings.get(key);
    if (standing === undefined) {
      this.#trim();
      standing = { name, suspect: false, offences: 0, goodRuns: 0, lastOffenceAt: now };
      this.#standings.set(key, standing);
    }
    standing.offences++;
    standing.goodRuns = 0;
    standing.lastOffenceAt = now;
    if (standing.suspect) return undefined;
    standing.suspect = true;
    return 'suspect';
  }

  /** Forgets every version of a function (deleted or redeployed). */
  forget(name: string): void {
    for (const [key, standing] of this.#standings)
      if (standing.name === name) this.#standings.delete(key);
  }

  #trim(): void {
    if (this.#standings.size < MAX_REMEMBERED) return;
    for (const [key, standing] of this.#standings) {
      if (!standing.suspect) this.#standings.delete(key);
      if (this.#standings.size < MAX_REMEMBERED) return;
    }
    // All suspect: forget the oldest; at worst it offends once more on the fast path.
    const oldest = this.#standings.keys().next().value;
    if (oldest !== undefined) this.#standings.delete(oldest);
  }
}
