import { parseDuration } from './duration.ts';
import type { Frequency } from './types.ts';

/** What the delivery side remembers of one action of one trigger. */
export interface FrequencyState {
  /** When the action last fired (ms since the epoch). */
  lastRunAt?: number;
  everRan: boolean;
}

/**
 * Whether an action may fire now. `always` (or none): yes. `once`: only if it never ran.
 * `{atMostEvery}`: if it never ran or the duration has passed since it last did; a clock
 * that went back before lastRunAt keeps it blocked until the duration has passed again,
 * since "at most" is the promise the user relies on.
 */
export function frequencyAllows(
  frequency: Frequency | undefined,
  state: FrequencyState,
  nowMs: number,
): boolean {
  if (frequency === undefined || frequency === 'always') return true;
  if (frequency === 'once') return !state.everRan;
  if (state.lastRunAt === undefined) return true;
  const elapsed = nowMs - state.lastRunAt;
  return elapsed >= parseDuration(frequency.atMostEvery);
}
