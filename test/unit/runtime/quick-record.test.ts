/** Which versions' table writes may be held for a shared commit: the pure record of their entries. */
import { describe, expect, it } from 'vitest';
import {
  QUICK_ENTRY_MS,
  QUICK_STREAK,
  QuickRecord,
} from '../../../runtime/executor/quick-record.ts';

const enter = (record: QuickRecord, times: number, ms = 0.1): void => {
  for (let i = 0; i < times; i++) record.entered(ms, ms);
};
const SLOW = QUICK_ENTRY_MS * 10;

describe('QuickRecord', () => {
  it('judges a version quick only after QUICK_STREAK quick entries in a row', () => {
    const record = new QuickRecord();
    enter(record, QUICK_STREAK - 1);
    expect(record.quick).toBe(false);
    record.entered(QUICK_ENTRY_MS + 1, QUICK_ENTRY_MS + 1); // a slow one starts the count again
    enter(record, QUICK_STREAK - 1);
    expect(record.quick).toBe(false);
    enter(record, 1, QUICK_ENTRY_MS);
    expect(record.quick).toBe(true);
  });

  it('doubles the streak a quick version needs after each slow entry of its', () => {
    const record = new QuickRecord();
    enter(record, QUICK_STREAK);
    record.entered(SLOW, SLOW);
    expect(record.quick).toBe(false);
    enter(record, 2 * QUICK_STREAK - 1);
    expect(record.quick).toBe(false);
    enter(record, 1);
    expect(record.quick).toBe(true);
    record.entered(SLOW, SLOW);
    enter(record, 2 * QUICK_STREAK);
    expect(record.quick).toBe(false);
    enter(record, 2 * QUICK_STREAK);
    expect(record.quick).toBe(true);
  });

  it('does not double for slow entries before it was quick', () => {
    const record = new QuickRecord();
    for (let i = 0; i < 10; i++) record.entered(SLOW, SLOW);
    enter(record, QUICK_STREAK);
    expect(record.quick).toBe(true);
  });

  it('judges an entry by the smaller of its CPU and wall time (a clock tick, a busy machine)', () => {
    const record = new QuickRecord();
    enter(record, QUICK_STREAK);
    record.entered(QUICK_ENTRY_MS + 3, 0.1); // the CPU clock ticked during a short entry
    record.entered(0.1, 40); // the executor was preempted during a short entry
    expect(record.quick).toBe(true);
    record.entered(SLOW, SLOW);
    expect(record.quick).toBe(false);
  });
});
