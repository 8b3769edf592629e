/**
 * Values kept in memory for up to `holdMs` each, in the order they came: `release` hands
 * over those whose time is up (on a timer) or all of them (before a read, at close), and
 * `take` removes one before its time (its end came first). The job stores (sqlite/jobs.ts,
 * postgres/jobs.ts) hold a job's start in it so that a short run's row is written once,
 * finished.
 */
export class Hold<V> {
  #holdMs: number;
  #onRelease: (values: V[]) => void;
  /** In insertion order, so the oldest is first; with when each came (performance.now()). */
  #held = new Map<string, { value: V; at: number }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(holdMs: number, onRelease: (values: V[]) => void) {
    this.#holdMs = holdMs;
    this.#onRelease = onRelease;
  }

  get size(): number {
    return this.#held.size;
  }

  has(key: string): boolean {
    return this.#held.has(key);
  }

  add(key: string, value: V): void {
    const at = performance.now();
    this.#held.set(key, { value, at });
    if (this.#timer === undefined) this.#arm(at);
  }

  /** Removes and returns the value of `key` if it is still held. */
  take(key: string): V | undefined {
    const held = this.#held.get(key);
    if (held === undefined) return undefined;
    this.#held.delete(key);
    return held.value;
  }

  /** Hands over every value held since `before` or earlier (all by default), oldest first. */
  release(before = Number.POSITIVE_INFINITY): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const out: V[] = [];
    for (const [key, { value, at }] of this.#held) {
      if (at > before) {
        this.#arm(at);
        break;
      }
      this.#held.delete(key);
      out.push(value);
    }
    if (out.length > 0) this.#onRelease(out);
  }

  #arm(oldestAt: number): void {
    const wait = Math.max(0, oldestAt + this.#holdMs - performance.now());
    this.#timer = setTimeout(() => this.release(performance.now() - this.#holdMs), wait);
    // A held value never keeps the process alive: close() releases what is left.
    this.#timer.unref();
  }
}
