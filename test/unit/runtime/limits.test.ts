import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../../runtime/limits.ts';

describe('resolveLimits', () => {
  it('fills defaults and keeps overrides', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxConcurrency: 3 }).maxConcurrency).toBe(3);
  });

  it('refuses negative or non-numeric limits', () => {
    expect(() => resolveLimits({ maxResultBytes: -1 })).toThrow(/maxResultBytes/);
    expect(() => resolveLimits({ warmPoolSize: Number.NaN })).toThrow(/warmPoolSize/);
  });
});
