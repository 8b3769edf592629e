import { describe, expect, test } from 'vitest';
import { nextFireTimes } from '../../../engine/triggers/index.ts';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const AFTER = new Date('2024-03-01T10:00:00.000Z');

describe('nextFireTimes', () => {
  test('6 fields: seconds first', () => {
    expect(iso(nextFireTimes({ cron: '* * * * * *' }, AFTER, 3))).toEqual([
      '2024-03-01T10:00:01.000Z',
      '2024-03-01T10:00:02.000Z',
      '2024-03-01T10:00:03.000Z',
    ]);
    expect(iso(nextFireTimes({ cron: '*/15 * * * * *' }, AFTER, 2))).toEqual([
      '2024-03-01T10:00:15.000Z',
      '2024-03-01T10:00:30.000Z',
    ]);
  });

  test('5 fields: minute precision', () => {
    expect(iso(nextFireTimes({ cron: '*/5 * * * *' }, AFTER, 2))).toEqual([
      '2024-03-01T10:05:00.000Z',
      '2024-03-01T10:10:00.000Z',
    ]);
  });

  test('strictly after the given time, even mid-second', () => {
    expect(
      iso(nextFireTimes({ cron: '* * * * * *' }, new Date('2024-03-01T10:00:00.500Z'), 1)),
    ).toEqual(['2024-03-01T10:00:01.000Z']);
  });

  test('UTC without a timezone; the timezone shifts wall-clock patterns', () => {
    expect(iso(nextFireTimes({ cron: '0 9 * * *' }, AFTER, 1))).toEqual([
      '2024-03-02T09:00:00.000Z',
    ]);
    expect(iso(nextFireTimes({ cron: '0 9 * * *', timezone: 'Asia/Shanghai' }, AFTER, 2))).toEqual([
      '2024-03-02T01:00:00.000Z',
      '2024-03-03T01:00:00.000Z',
    ]);
  });

  test('daylight saving: New York 09:00 is 14:00 UTC in winter, 13:00 in summer', () => {
    const runs = nextFireTimes(
      { cron: '0 9 * * *', timezone: 'America/New_York' },
      new Date('2024-03-09T00:00:00Z'),
      3,
    );
    expect(iso(runs)).toEqual([
      '2024-03-09T14:00:00.000Z',
      '2024-03-10T13:00:00.000Z',
      '2024-03-11T13:00:00.000Z',
    ]);
  });

  test('nicknames and names of days', () => {
    expect(iso(nextFireTimes({ cron: '@daily' }, AFTER, 1))).toEqual(['2024-03-02T00:00:00.000Z']);
    // 2024-03-01 is a Friday.
    expect(iso(nextFireTimes({ cron: '30 8 * * MON' }, AFTER, 1))).toEqual([
      '2024-03-04T08:30:00.000Z',
    ]);
  });

  test('a pattern that never fires gives no times', () => {
    expect(nextFireTimes({ cron: '0 0 30 2 *' }, AFTER, 3)).toEqual([]);
  });
});
