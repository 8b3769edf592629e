import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Hold } from '../../../engine/store/hold.ts';

// Fake timers fake performance.now() too: the hold's clock and its timer move together.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function hold(ms = 100) {
  const released: string[][] = [];
  return { h: new Hold<string>(ms, (values) => released.push(values)), released };
}

describe('Hold (what the PostgreSQL job store keeps back until a run ends)', () => {
  it('hands each value over once it has been held its time, oldest first, in batches', () => {
    const { h, released } = hold();
    h.add('a', 'A');
    vi.advanceTimersByTime(40);
    h.add('b', 'B');
    h.add('c', 'C');
    vi.advanceTimersByTime(59);
    expect(released).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(released).toEqual([['A']]);
    vi.advanceTimersByTime(40);
    expect(released).toEqual([['A'], ['B', 'C']]);
    expect(h.size).toBe(0);
  });

  it('gives back a value taken before its time, which is then never handed over', () => {
    const { h, released } = hold();
    h.add('a', 'A');
    h.add('b', 'B');
    expect(h.take('a')).toBe('A');
    expect(h.take('a')).toBeUndefined();
    expect(h.has('b')).toBe(true);
    vi.advanceTimersByTime(100);
    expect(released).toEqual([['B']]);
    expect(h.take('b')).toBeUndefined();
  });

  it('hands over everything at once on release(), and then nothing more on the timer', () => {
    const { h, released } = hold();
    h.add('a', 'A');
    vi.advanceTimersByTime(10);
    h.add('b', 'B');
    h.release();
    expect(released).toEqual([['A', 'B']]);
    vi.advanceTimersByTime(1000);
    expect(released).toEqual([['A', 'B']]);
    h.add('c', 'C');
    vi.advanceTimersByTime(100);
    expect(released).toEqual([['A', 'B'], ['C']]);
  });
});
