/** A token bucket's settings: `burst` requests at once, refilled at `perSecond`. */
export interface BucketRate {
  burst: number;
  perSecond: number;
}

/**
 * Per-key token buckets (pure: time comes in as an argument). Each key starts full with
 * `burst` tokens and regains `perSecond` per second up to `burst`; a request takes one.
 * Keys whose bucket is full again are forgotten, so memory follows the keys in use.
 */
export class TokenBuckets {
  #rate: BucketRate;
  #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(rate: BucketRate) {
    this.#rate = rate;
  }

  /** Takes a token for `key` at `now` (ms); returns 0 if granted, else the ms to wait for one. */
  take(key: string, now: number): number {
    const { burst, perSecond } = this.#rate;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    // A clock that went back refills nothing (and takes nothing back).
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * perSecond) / 1000);
    bucket.at = Math.max(bucket.at, now);
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      return Math.ceil(((1 - bucket.tokens) * 1000) / perSecond);
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    this.#sweep(now);
    return 0;
  }

  /** Drops buckets that have refilled completely (they equal a fresh one). */
  #sweep(now: number): void {
    if (this.#buckets.size < 1024) return;
    const { burst, perSecond } = this.#rate;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) * perSecond) / 1000 >= burst) this.#buckets.delete(key);
    }
  }
}
