/**
 * Admits holders in arrival order, at most `size` at once, and can pace them to a share of
 * one place: a holder that releases with n ms of CPU keeps its place empty for
 * `n × (1/cpuShare − 1)` ms more. Used by the quarantine (quarantine-admission.ts).
 */
export class RunGate {
  readonly #size: number;
  readonly #pauseFactor: number;
  readonly #waiting: (() => void)[] = [];
  #held = 0;

  /** `cpuShare` in (0, 1]: 1 never pauses. */
  constructor(size: number, cpuShare = 1) {
    this.#size = Math.max(1, Math.floor(size));
    const share = Math.min(1, Math.max(0.01, cpuShare));
    this.#pauseFactor = 1 / share - 1;
  }

  /** Places taken: holders not yet released, and places still pausing. */
  get held(): number {
    return this.#held;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Nobody holds, waits or pauses. */
  get idle(): boolean {
    return this.#held === 0 && this.#waiting.length === 0;
  }

  /**
   * Resolves when the caller holds a place. It must call the returned release once, with the
   * CPU milliseconds to pace by (0: free the place now) and, if it likes, a callback for when
   * the place has been passed on or freed.
   */
  async acquire(): Promise<(paceCpuMs: number, afterwards?: () => void) => void> {
    if (this.#held < this.#size) this.#held++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return (paceCpuMs, afterwards) => {
      if (released) return;
      released = true;
      const pass = () => {
        this.#pass();
        afterwards?.();
      };
      const pauseMs = Math.max(0, paceCpuMs) * this.#pauseFactor;
      if (pauseMs < 1) pass();
      else setTimeout(pass, pauseMs).unref();
    };
  }

  /** The place goes straight to the next in line (`held` stays the same), or is freed. */
  #pass(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#held--;
  }
}
