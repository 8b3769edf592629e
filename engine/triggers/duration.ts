import { DurationInvalidError } from './errors.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;

/**
 * Milliseconds of a duration string: an integer and one unit of ms, s, m, h, d ("10m",
 * "1500ms", "1d"). Anything else (decimals, spaces, "1h30m", bare numbers) is refused with
 * a message saying what is accepted, so a typo never silently becomes a different interval.
 */
export function parseDuration(value: string): number {
  if (typeof value !== 'string') {
    throw new DurationInvalidError(
      value,
      'expected a string such as "500ms", "10s", "10m", "1h" or "1d"',
    );
  }
  const m = DURATION.exec(value);
  if (m === null) {
    throw new DurationInvalidError(
      value,
      'write an integer followed by one unit: ms, s, m, h or d (e.g. "500ms", "10s", "10m", "1h", "1d")',
    );
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}
