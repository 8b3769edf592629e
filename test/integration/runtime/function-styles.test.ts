import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import { deploy, run, testSandbox } from './harness.ts';

let sandbox: SupervisedSandbox;
beforeAll(async () => {
  sandbox = testSandbox();
  await sandbox.ready();
});
afterAll(() => sandbox.close());

describe('MinCloud function styles', () => {
  it('runs an async exports.main and returns its value', async () => {
    const fn = await deploy(
      'async_style',
      'exports.main = async function (event) { return { doubled: event.data.n * 2 } }',
    );
    const out = await run(sandbox, fn, { n: 21 });
    expect(out.status).toBe('fulfilled');
    expect(out.result).toEqual({ doubled: 42 });
  });

  it('runs the (event, callback) style, also when the callback comes later', async () => {
    const fn = await deploy(
      'callback_style',
      'exports.main = function (event, callback) { setTimeout(() => callback(null, { got: event.data }), 10) }',
    );
    const out = await run(sandbox, fn, 'hello');
    expect(out).toMatchObject({ status: 'fulfilled', result: { got: 'hello' } });
  });

  it('fails a run whose callback gets an error, keeping its message', async () => {
    const fn = await deploy(
      'callback_error',
      'exports.main = function (event, callback) { callback(new Error("card not found")) }',
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('execution_failed');
    expect(out.error).toMatchObject({ name: 'Error', message: 'card not found' });
  });

  it('fails a run whose callback gets a plain string error', async () => {
    const fn = await deploy(
      'callback_string_error',
      'exports.main = (event, callback) => callback("nope")',
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'execution_failed', error: { message: 'nope' } });
  });

  it('fails a run that throws or rejects', async () => {
    const threw = await deploy(
      'throws',
      'exports.main = () => { throw new TypeError("bad input") }',
    );
    const rejected = await deploy(
      'rejects',
      'exports.main = async () => { throw new RangeError("out of range") }',
    );
    expect((await run(sandbox, threw)).error).toMatchObject({
      name: 'TypeError',
      message: 'bad input',
    });
    expect((await run(sandbox, rejected)).error).toMatchObject({
      name: 'RangeError',
      message: 'out of range',
    });
  });

  it('accepts ESM and TypeScript exports', async () => {
    const { bundleFunction } = await import('../../../runtime/index.ts');
    const { code } = await bundleFunction({
      source:
        'export async function main(e: { data: number }): Promise<number> { return e.data + 1 }',
      filename: 'esm.ts',
    });
    const out = await sandbox.invoke({
      fn: { name: 'esm_ts', version: 1, code, timeoutMs: 2000, memoryMb: 64, env: {} },
      event: { data: 1, eventType: 'invoke', jobId: 'esm' },
    });
    expect(out).toMatchObject({ status: 'fulfilled', result: 2 });
  });

  it('explains a missing main export', async () => {
    const fn = await deploy('no_main', 'exports.handler = async () => 1');
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_NO_MAIN' },
    });
  });

  it('reports a result that JSON cannot carry', async () => {
    const fn = await deploy('bigint_result', 'exports.main = async () => ({ n: 10n })');
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_RESULT_INVALID' },
    });
  });

  it('keeps module globals between runs of one version, like Lambda and Workers', async () => {
    const fn = await deploy('counter_global', 'let n = 0; exports.main = async () => ++n');
    expect((await run(sandbox, fn)).result).toBe(1);
    expect((await run(sandbox, fn)).result).toBe(2);
  });

  it('starts a new version from scratch', async () => {
    const v1 = await deploy('versioned', 'let n = 0; exports.main = async () => "v1:" + ++n');
    await run(sandbox, v1);
    const v2 = await deploy('versioned', 'let n = 100; exports.main = async () => "v2:" + ++n');
    expect((await run(sandbox, v2)).result).toBe('v2:101');
  });

  it('fails every run of a function whose module throws while loading', async () => {
    const fn = await deploy(
      'load_error',
      'throw new Error("config missing");\nexports.main = async () => 1',
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'execution_failed', error: { message: 'config missing' } });
    expect(out.error?.stack).toContain('load_error.js:1');
  });
});

describe('the event', () => {
  it('carries data, eventType, trigger, jobId, timeLimitInMS and memoryLimitInMB', async () => {
    const fn = await deploy('event_echo', 'exports.main = async (event) => event', {
      timeoutMs: 1234,
      memoryMb: 96,
    });
    const out = await sandbox.invoke({
      fn,
      event: {
        data: { UserCardCode: '12312312' },
        eventType: 'trigger',
        trigger: { name: 'card', type: 'wechat_message' },
        jobId: 'job-abc',
      },
    });
    expect(out.result).toEqual({
      data: { UserCardCode: '12312312' },
      eventType: 'trigger',
      trigger: { name: 'card', type: 'wechat_message' },
      jobId: 'job-abc',
      timeLimitInMS: 1234,
      memoryLimitInMB: 96,
    });
  });

  it('has no trigger field when no trigger fired the run', async () => {
    const fn = await deploy(
      'event_keys',
      'exports.main = async (event) => Object.keys(event).sort()',
    );
    const out = await run(sandbox, fn, 1);
    expect(out.result).toEqual(['data', 'eventType', 'jobId', 'memoryLimitInMB', 'timeLimitInMS']);
  });
});

describe('process.env', () => {
  it('holds the function env, frozen, and nothing else of process', async () => {
    const fn = await deploy(
      'env_reader',
      `exports.main = async () => {
        process.env.KEY = 'changed'; // sloppy mode: ignored silently
        let strictError = null;
        try { (function () { 'use strict'; process.env.NEW = 'x' })() } catch (e) { strictError = e.name }
        return { env: { ...process.env }, frozen: Object.isFrozen(process.env), strictError, processKeys: Object.keys(process), exit: typeof process.exit }
      }`,
      { env: { KEY: 'secret-value', OTHER: 'x' } },
    );
    const out = await run(sandbox, fn);
    expect(out.result).toEqual({
      env: { KEY: 'secret-value', OTHER: 'x' },
      frozen: true,
      strictError: 'TypeError',
      processKeys: ['env'],
      exit: 'undefined',
    });
  });
});

describe('console', () => {
  it('captures log, info, warn and error with their levels, in order', async () => {
    const fn = await deploy(
      'console_levels',
      `exports.main = async () => {
        console.log('plain', 1, { a: [1, 2] });
        console.info('info');
        console.warn('warn');
        console.error(new Error('oops'));
        return true;
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out.log.map((l) => [l.level, l.message.split('\n')[0]])).toEqual([
      ['log', 'plain 1 { a: [ 1, 2 ] }'],
      ['info', 'info'],
      ['warn', 'warn'],
      ['error', 'Error: oops'],
    ]);
    expect(out.log.every((l) => typeof l.at === 'number')).toBe(true);
  });

  it('survives values that throw or cycle while being printed', async () => {
    const fn = await deploy(
      'console_hostile',
      `exports.main = async () => {
        const cyclic = { name: 'c' }; cyclic.self = cyclic;
        const trap = new Proxy({}, { ownKeys() { throw new Error('trap') } });
        const getter = { get boom() { throw new Error('getter') } };
        console.log(cyclic, trap, getter, Symbol('s'), 12n, undefined, null, () => 1);
        return 'ok';
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('fulfilled');
    expect(out.log[0]?.message).toContain('[Circular]');
  });
});

describe('callback-style runs and the event loop', () => {
  // MinCloud's start/nodejs-event-loop.md: after callback, the run waits for the event loop.
  it('a callback-style run ends once the timers it left pending have run', async () => {
    const fn = await deploy(
      'callback_then_timer',
      `exports.main = function (event, callback) {
        console.log('before callback');
        setTimeout(function () {
          console.log('timeout before callback');
          setTimeout(() => console.log('a timer set by a timer'), 5);
        }, 20);
        callback(null, 'success callback');
        console.log('after callback');
      };`,
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'fulfilled', result: 'success callback' });
    expect(out.log.map((l) => l.message)).toEqual([
      'before callback',
      'after callback',
      'timeout before callback',
      'a timer set by a timer',
    ]);
  });

  it('a cleared timer does not hold a callback-style run; a timer that throws fails it', async () => {
    const cleared = await deploy(
      'callback_cleared_timer',
      `exports.main = (event, callback) => {
        const t = setTimeout(() => console.log('never'), 50);
        callback(null, 'done');
        Promise.resolve().then(() => clearTimeout(t));
      };`,
    );
    const out = await run(sandbox, cleared);
    expect(out).toMatchObject({ status: 'fulfilled', result: 'done' });
    expect(out.log).toEqual([]);
    const throws = await deploy(
      'callback_timer_throws',
      `exports.main = (event, callback) => {
        setTimeout(() => { throw new Error('late failure'); }, 5);
        callback(null, 'done');
      };`,
    );
    expect(await run(sandbox, throws)).toMatchObject({
      status: 'execution_failed',
      error: { message: 'late failure' },
    });
  });

  it('an interval left running after callback holds the run until its deadline (as on Lambda)', async () => {
    const fn = await deploy(
      'callback_interval',
      `exports.main = (event, callback) => { setInterval(() => {}, 20); callback(null, 'ok'); };`,
      { timeoutMs: 300 },
    );
    expect((await run(sandbox, fn)).status).toBe('deadline_exceeded');
  });

  it('an async run still ends when its promise settles, whatever timers are pending', async () => {
    const fn = await deploy(
      'async_leaves_timer',
      `exports.main = async () => { setTimeout(() => console.log('dropped'), 200); return 'now'; };`,
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'fulfilled', result: 'now' });
    expect(out.log).toEqual([]);
  });
});

describe('assignments to a const', () => {
  // The real lottery function carries one on a path that never runs: Node loads it.
  it('deploy accepts them; one that runs throws TypeError as in Node', async () => {
    const fn = await deploy(
      'const_assignment',
      `const limit = 3;
      exports.main = async (event) => { if (event.data.reset) { limit = 0; } return limit; };`,
    );
    expect(await run(sandbox, fn, { reset: false })).toMatchObject({
      status: 'fulfilled',
      result: 3,
    });
    const failed = await run(sandbox, fn, { reset: true });
    expect(failed).toMatchObject({ status: 'execution_failed', error: { name: 'TypeError' } });
    expect(failed.error!.message).toContain('Assignment to constant variable');
  });
});
