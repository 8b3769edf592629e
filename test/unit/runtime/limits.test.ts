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

  it('refuses nice values past 19 and a quarantine share outside (0, 1]', () => {
    expect(() => resolveLimits({ quarantineNice: 20 })).toThrow(/quarantineNice is a nice value/);
    expect(() => resolveLimits({ quarantineCpuShare: 0 })).toThrow(/quarantineCpuShare/);
    expect(() => resolveLimits({ quarantineCpuShare: 1.5 })).toThrow(/quarantineCpuShare/);
    expect(() => resolveLimits({ quarantineConcurrency: 0 })).toThrow(/quarantineConcurrency/);
    expect(resolveLimits({ quarantineCpuShare: 1 }).quarantineCpuShare).toBe(1);
  });
});
