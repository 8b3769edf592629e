import { parseDuration } from './duration.ts';
import type { RetryPolicy } from './types.ts';

/** No wait between two attempts is longer than this, whatever the backoff and attempt. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * How long to wait after a failed attempt (1-based) before the next one: backoff × 2^(attempt-1),
 * capped at one hour. With the default "1s": 1 s, 2 s, 4 s, …
 */
export function backoffDelayMs(retry: Pick<RetryPolicy, 'backoff'>, attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  const base = parseDuration(retry.backoff);
  // 2^40 already exceeds any cap; stop doubling there so the number stays finite.
  const delay = base * 2 ** Math.min(attempt - 1, 40);
  return Math.min(delay, MAX_RETRY_DELAY_MS);
}

/** True when the attempt that just failed was the last one allowed: it goes to dead letter. */
export function isFinalAttempt(retry: Pick<RetryPolicy, 'attempts'>, attempt: number): boolean {
  return attempt >= retry.attempts;
}
