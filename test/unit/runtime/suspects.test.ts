import { describe, expect, it } from 'vitest';
import { conductOf } from '../../../runtime/protocol.ts';
import { SuspectList } from '../../../runtime/supervisor/suspects.ts';

const limits = { suspectCpuMs: 100 };
const ok = { status: 'fulfilled' as const, cpuMs: 1 };

describe('conductOf', () => {
  it('names deadlines, memory limits and heavy CPU as offences', () => {
    expect(conductOf({ status: 'deadline_exceeded', cpuMs: 0 }, limits)).toBe('offence');
    expect(
      conductOf(
        {
          status: 'execution_failed',
          cpuMs: 5,
          error: { name: 'RangeError', message: '', code: 'E_FUNCTION_MEMORY' },
        },
        limits,
      ),
    ).toBe('offence');
    expect(conductOf({ status: 'fulfilled', cpuMs: 100 }, limits)).toBe('offence');
  });

  it('counts a function’s own failures as good conduct, rejections and executor crashes as neither', () => {
    expect(conductOf(ok, limits)).toBe('good');
    expect(
      conductOf(
        { status: 'execution_failed', cpuMs: 1, error: { name: 'TypeError', message: 'x' } },
        limits,
      ),
    ).toBe('good');
    expect(
      conductOf(
        {
          status: 'execution_rejected',
          cpuMs: 0,
          error: { name: 'Error', message: '', code: 'E_FUNCTION_BUSY' },
        },
        limits,
      ),
    ).toBe('neutral');
    expect(
      conductOf(
        {
          status: 'execution_failed',
          cpuMs: 0,
          error: { name: 'Error', message: '', code: 'E_EXECUTOR_CRASHED' },
        },
        limits,
      ),
    ).toBe('neutral');
  });
});

describe('SuspectList', () => {
  const limits = { provingRuns: 2, probationRuns: 3, probationMs: 1000 };

  it('lets a new version prove itself before the fast path, per version', () => {
    const list = new SuspectList(limits);
    expect(list.pathOf('f', 1)).toBe('proving');
    expect(list.record('f', 1, 'good', 0)).toBeUndefined();
    expect(list.record('f', 1, 'neutral', 0)).toBeUndefined();
    expect(list.pathOf('f', 1)).toBe('proving');
    expect(list.record('f', 1, 'good', 0)).toBe('trusted');
    expect(list.pathOf('f', 1)).toBe('fast');
    expect(list.record('f', 1, 'good', 0)).toBeUndefined();
    expect(list.pathOf('f', 2)).toBe('proving');
    expect(new SuspectList({ ...limits, provingRuns: 0 }).pathOf('f', 1)).toBe('fast');
  });

  it('sends a version to quarantine on its first offence, proving or trusted', () => {
    const list = new SuspectList(limits);
    expect(list.record('f', 1, 'offence', 0)).toBe('suspect');
    expect(list.record('f', 1, 'offence', 1)).toBeUndefined();
    expect(list.pathOf('f', 1)).toBe('quarantine');
    expect(list.isSuspect('f', 1)).toBe(true);
    list.record('g', 1, 'good', 0);
    list.record('g', 1, 'good', 0);
    expect(list.offend('g', 1, 0)).toBe('suspect');
    expect(list.isSuspect('g', 1)).toBe(true);
  });

  it('trusts it again after enough good runs and enough time, both doubled per relapse', () => {
    const list = new SuspectList(limits);
    list.record('f', 1, 'offence', 0);
    list.record('f', 1, 'good', 10);
    list.record('f', 1, 'neutral', 20);
    list.record('f', 1, 'good', 30);
    // Three good runs, but not yet a second since the offence.
    expect(list.record('f', 1, 'good', 999)).toBeUndefined();
    expect(list.record('f', 1, 'good', 1000)).toBe('trusted');
    expect(list.pathOf('f', 1)).toBe('fast');

    expect(list.record('f', 1, 'offence', 5000)).toBe('suspect');
    for (let i = 0; i < 5; i++) expect(list.record('f', 1, 'good', 6000)).toBeUndefined();
    expect(list.record('f', 1, 'good', 6999)).toBeUndefined();
    expect(list.record('f', 1, 'good', 7000)).toBe('trusted');
  });

  it('starts its probation over on an offence in quarantine', () => {
    const list = new SuspectList({ provingRuns: 0, probationRuns: 2, probationMs: 0 });
    list.record('f', 1, 'offence', 0);
    list.record('f', 1, 'good', 0);
    list.offend('f', 1, 0);
    // Two offences: four good runs now.
    for (let i = 0; i < 3; i++) expect(list.record('f', 1, 'good', 0)).toBeUndefined();
    expect(list.record('f', 1, 'good', 0)).toBe('trusted');
  });

  it('forgets every version of a function', () => {
    const list = new SuspectList(limits);
    list.offend('f', 1, 0);
    list.offend('f', 2, 0);
    list.offend('g', 1, 0);
    list.forget('f');
    expect([list.pathOf('f', 1), list.pathOf('f', 2), list.pathOf('g', 1)]).toEqual([
      'proving',
      'proving',
      'quarantine',
    ]);
  });
});
