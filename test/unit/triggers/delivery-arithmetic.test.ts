import { describe, expect, test } from 'vitest';
import {
  backoffDelayMs,
  DurationInvalidError,
  frequencyAllows,
  isFinalAttempt,
  MAX_RETRY_DELAY_MS,
  parseDuration,
} from '../../../engine/triggers/index.ts';
import { catchError } from './catch-error.ts';

describe('parseDuration', () => {
  test.each([
    ['0ms', 0],
    ['1ms', 1],
    ['1500ms', 1500],
    ['1s', 1000],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each([
    '',
    '10',
    'm',
    '1.5s',
    '-1s',
    '1 s',
    ' 1s',
    '1S',
    '1h30m',
    '1w',
    '10sec',
    '1e3ms',
    '0x10s',
    '1234567890s',
  ])('%j is refused with a clear message', (text) => {
    const err = catchError(() => parseDuration(text));
    expect(err).toBeInstanceOf(DurationInvalidError);
    expect((err as DurationInvalidError).code).toBe('E_TRIGGER_INVALID');
    expect((err as Error).message).toMatch(/ms, s, m, h or d/);
  });

  test('a non-string is refused', () => {
    expect(catchError(() => parseDuration(10 as unknown as string))).toBeInstanceOf(
      DurationInvalidError,
    );
  });
});

describe('frequencyAllows', () => {
  const NOW = 1_700_000_000_000;
  test.each([
    ['undefined, never ran', undefined, { everRan: false }, true],
    ['undefined, ran', undefined, { everRan: true, lastRunAt: NOW }, true],
    ['always, never ran', 'always', { everRan: false }, true],
    ['always, ran just now', 'always', { everRan: true, lastRunAt: NOW }, true],
    ['once, never ran', 'once', { everRan: false }, true],
    ['once, ran', 'once', { everRan: true, lastRunAt: NOW - 86_400_000 }, false],
    ['once, ran without a time', 'once', { everRan: true }, false],
    ['atMostEvery, never ran', { atMostEvery: '10m' }, { everRan: false }, true],
    [
      'atMostEvery, ran 9m59.999s ago',
      { atMostEvery: '10m' },
      { everRan: true, lastRunAt: NOW - 599_999 },
      false,
    ],
    [
      'atMostEvery, ran exactly 10m ago',
      { atMostEvery: '10m' },
      { everRan: true, lastRunAt: NOW - 600_000 },
      true,
    ],
    [
      'atMostEvery, ran an hour ago',
      { atMostEvery: '10m' },
      { everRan: true, lastRunAt: NOW - 3_600_000 },
      true,
    ],
    ['atMostEvery, ran just now', { atMostEvery: '1s' }, { everRan: true, lastRunAt: NOW }, false],
    [
      'atMostEvery, clock went back',
      { atMostEvery: '1s' },
      { everRan: true, lastRunAt: NOW + 60_000 },
      false,
    ],
    ['atMostEvery, ran without a time', { atMostEvery: '1s' }, { everRan: true }, true],
  ] as const)('%s', (_name, frequency, state, expected) => {
    expect(frequencyAllows(frequency, state, NOW)).toBe(expected);
  });

  test('a burst of 100 events at once passes atMostEvery exactly once when the state is updated', () => {
    const state: { everRan: boolean; lastRunAt?: number } = { everRan: false };
    let fired = 0;
    for (let i = 0; i < 100; i++) {
      const now = 1_000_000 + i; // 100 events within 100 ms
      if (frequencyAllows({ atMostEvery: '10m' }, state, now)) {
        fired++;
        state.everRan = true;
        state.lastRunAt = now;
      }
    }
    expect(fired).toBe(1);
  });
});

describe('backoffDelayMs', () => {
  test('default 1s doubles: 1, 2, 4, 8 s', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs({ backoff: '1s' }, a))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  test.each([
    ['10ms', 1, 10],
    ['10ms', 5, 160],
    ['250ms', 3, 1000],
    ['1m', 2, 120_000],
    ['1m', 6, 1_920_000],
    ['1m', 7, MAX_RETRY_DELAY_MS], // 64 min, capped to 60
    ['1h', 1, MAX_RETRY_DELAY_MS],
    ['1h', 10, MAX_RETRY_DELAY_MS],
    ['1s', 1000, MAX_RETRY_DELAY_MS], // huge attempt numbers stay finite
  ])('backoff %s, attempt %d → %d ms', (backoff, attempt, expected) => {
    expect(backoffDelayMs({ backoff }, attempt)).toBe(expected);
  });

  test('the cap is one hour', () => {
    expect(MAX_RETRY_DELAY_MS).toBe(3_600_000);
  });

  test.each([0, -1, 1.5, Number.NaN])('attempt %d is a programming error', (attempt) => {
    expect(catchError(() => backoffDelayMs({ backoff: '1s' }, attempt))).toBeInstanceOf(RangeError);
  });

  test('isFinalAttempt: attempts counts the first one', () => {
    expect([1, 2, 3, 4].map((a) => isFinalAttempt({ attempts: 3 }, a))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(isFinalAttempt({ attempts: 1 }, 1)).toBe(true);
  });
});
