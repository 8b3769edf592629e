import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import { deploy, run, testSandbox } from './harness.ts';

let sandbox: SupervisedSandbox;
beforeAll(async () => {
  sandbox = testSandbox();
  await sandbox.ready();
});
afterAll(() => sandbox.close());

describe('timers', () => {
  it('fires setTimeout callbacks in delay order, with their extra arguments', async () => {
    const fn = await deploy(
      'timer_order',
      `exports.main = () => new Promise((resolve) => {
        const seen = [];
        setTimeout((x) => seen.push(x), 30, 'late');
        setTimeout((x) => seen.push(x), 5, 'early');
        setTimeout(() => resolve(seen), 60);
      })`,
    );
    expect((await run(sandbox, fn)).result).toEqual(['early', 'late']);
  });

  it('cancels with clearTimeout and repeats with setInterval', async () => {
    const fn = await deploy(
      'timer_clear',
      `exports.main = () => new Promise((resolve) => {
        const seen = [];
        const t = setTimeout(() => seen.push('cancelled'), 10);
        clearTimeout(t);
        let ticks = 0;
        const i = setInterval(() => { if (++ticks === 3) { clearInterval(i); resolve({ seen, ticks }) } }, 5);
      })`,
    );
    expect((await run(sandbox, fn)).result).toEqual({ seen: [], ticks: 3 });
  });

  it('ends a run that waits for a timer beyond its deadline as deadline_exceeded', async () => {
    const fn = await deploy(
      'timer_too_late',
      'exports.main = () => new Promise((r) => setTimeout(r, 60000))',
      { timeoutMs: 300 },
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({
      status: 'deadline_exceeded',
      error: { code: 'E_FUNCTION_TIMEOUT' },
    });
  });

  it('drops timers still pending when a run ends: they never fire in a later run', async () => {
    const fn = await deploy(
      'timer_leftover',
      `let fired = 0;
       exports.main = async (event) => {
         if (event.data === 'arm') setTimeout(() => { fired++ }, 20);
         else await new Promise((r) => setTimeout(r, 100));
         return fired;
       }`,
    );
    expect((await run(sandbox, fn, 'arm')).result).toBe(0);
    expect((await run(sandbox, fn, 'wait')).result).toBe(0);
  });

  it('fails the run when a timer callback throws', async () => {
    const fn = await deploy(
      'timer_throws',
      'exports.main = () => new Promise(() => setTimeout(() => { throw new Error("in timer") }, 5))',
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'execution_failed', error: { message: 'in timer' } });
  });

  it('refuses a non-function callback like Node does', async () => {
    const fn = await deploy(
      'timer_bad_arg',
      'exports.main = async () => { setTimeout("alert(1)", 1) }',
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'execution_failed', error: { name: 'TypeError' } });
  });
});
