import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../engine/dispatch/token-bucket.ts';

describe('TokenBuckets', () => {
  it('grants a burst, then refuses with the wait until the next token', () => {
    const buckets = new TokenBuckets({ burst: 3, perSecond: 2 });
    expect([0, 0, 0].map(() => buckets.take('a', 1000))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 1000)).toBe(500);
    expect(buckets.take('a', 1250)).toBe(250);
    expect(buckets.take('a', 1500)).toBe(0);
    expect(buckets.take('a', 1500)).toBe(500);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 });
    expect(buckets.take('a', 0)).toBe(0);
    expect(buckets.take('a', 0)).toBe(1000);
    expect(buckets.take('b', 0)).toBe(0);
  });

  it('refills no further than the burst after a long pause', () => {
    const buckets = new TokenBuckets({ burst: 2, perSecond: 10 });
    buckets.take('a', 0);
    const later = 3_600_000;
    expect([buckets.take('a', later), buckets.take('a', later), buckets.take('a', later)]).toEqual([
      0, 0, 100,
    ]);
  });

  it('gives nothing back when the clock goes back', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 });
    expect(buckets.take('a', 10_000)).toBe(0);
    expect(buckets.take('a', 5_000)).toBe(1000);
    expect(buckets.take('a', 10_999)).toBeGreaterThan(0);
    expect(buckets.take('a', 11_000)).toBe(0);
  });

  it('forgets full buckets once many keys were seen, and they behave as new', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1 });
    for (let i = 0; i < 2000; i++) expect(buckets.take(`k${i}`, 0)).toBe(0);
    expect(buckets.take('k0', 5000)).toBe(0);
    expect(buckets.take('k0', 5000)).toBe(1000);
  });
});
