/** RunGate and QuarantineAdmission: turns, order and pace, on fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QuarantineAdmission } from '../../../runtime/supervisor/quarantine-admission.ts';
import { RunGate } from '../../../runtime/supervisor/run-gate.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Lets every settled promise run its callbacks. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('RunGate', () => {
  it('admits `size` at once and the rest in arrival order', async () => {
    const gate = new RunGate(2);
    const order: number[] = [];
    const releases: ((cpuMs: number) => void)[] = [];
    for (let i = 0; i < 4; i++)
      void gate.acquire().then((release) => {
        order.push(i);
        releases[i] = release;
      });
    await settle();
    expect(order).toEqual([0, 1]);
    expect(gate.waiting).toBe(2);
    releases[1]?.(0);
    await settle();
    expect(order).toEqual([0, 1, 2]);
    releases[0]?.(0);
    await settle();
    expect(order).toEqual([0, 1, 2, 3]);
    releases[2]?.(0);
    releases[3]?.(0);
    expect(gate.idle).toBe(true);
  });

  it('keeps a place empty for cpuMs × (1/share − 1) after a release, then passes it on', async () => {
    const gate = new RunGate(1, 0.25);
    const release = await gate.acquire();
    let next = false;
    void gate.acquire().then(() => {
      next = true;
    });
    const afterwards = vi.fn();
    release(100, afterwards); // a pause of 300 ms
    await vi.advanceTimersByTimeAsync(299);
    expect(next).toBe(false);
    expect(afterwards).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toBe(true);
    expect(afterwards).toHaveBeenCalledOnce();
  });

  it('ignores a second release, and frees the place when nobody waits', async () => {
    const gate = new RunGate(1);
    const release = await gate.acquire();
    release(0);
    release(0);
    expect(gate.held).toBe(0);
    await gate.acquire();
    expect(gate.held).toBe(1);
  });
});

describe('QuarantineAdmission', () => {
  /** A run that stays open until `finish(paceCpuMs)`. */
  function pendingRun(log: string[], name: string) {
    let finish: (paceCpuMs: number) => void = () => {};
    const run = () => {
      log.push(`start ${name}`);
      return new Promise<{ result: string; paceCpuMs: number }>((resolve) => {
        finish = (paceCpuMs) => resolve({ result: name, paceCpuMs });
      });
    };
    return { run, finish: (paceCpuMs: number) => finish(paceCpuMs) };
  }

  it('runs one version’s runs in turns and pauses it after an offence, not the others', async () => {
    const admission = new QuarantineAdmission({ concurrency: 2, cpuShare: 0.1 });
    const log: string[] = [];
    const a1 = pendingRun(log, 'a1');
    const a2 = pendingRun(log, 'a2');
    const b1 = pendingRun(log, 'b1');
    const done = [
      admission.admit('a', a1.run),
      admission.admit('a', a2.run),
      admission.admit('b', b1.run),
    ];
    await settle();
    expect(log).toEqual(['start a1', 'start b1']);
    a1.finish(50); // offended with 50 ms of CPU: a waits 450 ms
    b1.finish(0);
    await settle();
    expect(await done[0]).toBe('a1');
    expect(await done[2]).toBe('b1');
    await vi.advanceTimersByTimeAsync(449);
    expect(log).toEqual(['start a1', 'start b1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['start a1', 'start b1', 'start a2']);
    a2.finish(0);
    expect(await done[1]).toBe('a2');
    await settle();
    expect(admission.trackedVersions).toBe(0);
  });

  it('lets good runs of a suspect follow each other without a pause', async () => {
    const admission = new QuarantineAdmission({ concurrency: 1, cpuShare: 0.1 });
    const log: string[] = [];
    const runs = [1, 2, 3].map((i) => pendingRun(log, `r${i}`));
    const done = runs.map((r) => admission.admit('v', r.run));
    for (const r of runs) {
      await settle();
      r.finish(0);
    }
    expect(await Promise.all(done)).toEqual(['r1', 'r2', 'r3']);
  });

  it('holds all suspects to `concurrency` runs at once', async () => {
    const admission = new QuarantineAdmission({ concurrency: 1, cpuShare: 1 });
    const log: string[] = [];
    const a = pendingRun(log, 'a');
    const b = pendingRun(log, 'b');
    const done = [admission.admit('a', a.run), admission.admit('b', b.run)];
    await settle();
    expect(log).toEqual(['start a']);
    a.finish(1000); // a share of 1 never pauses
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    b.finish(0);
    expect(await Promise.all(done)).toEqual(['a', 'b']);
  });

  it('frees the places of a run that throws', async () => {
    const admission = new QuarantineAdmission({ concurrency: 1, cpuShare: 0.1 });
    await expect(
      admission.admit('x', () => Promise.reject(new Error('executor gone'))),
    ).rejects.toThrow('executor gone');
    expect(await admission.admit('x', async () => ({ result: 'next', paceCpuMs: 0 }))).toBe('next');
    expect(admission.trackedVersions).toBe(0);
  });
});
