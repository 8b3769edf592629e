/**
 * Guards on what crosses the isolate boundary (issue 3): values the guest builds to hurt the
 * host while they are copied — a view of a shrunk resizable ArrayBuffer, getters and proxies
 * that fire during a copy, getters planted on Object.prototype for option names isolated-vm
 * reads. Everything crosses as JSON text made inside the guest, so none of these reach a
 * host-side copy; these tests hold that line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../runtime/index.ts';
import type { NestedInvoke } from '../../runtime/sandbox.ts';
import { deploy, HEALTHY, run, testSandbox } from '../integration/runtime/harness.ts';

let sandbox: SupervisedSandbox;
const received: unknown[] = [];
const nestedInvoke: NestedInvoke = async (name, data) => {
  received.push(data);
  return { code: 0, data: { name, data }, error: {} };
};

beforeAll(async () => {
  sandbox = testSandbox({ nestedInvoke });
  await sandbox.ready();
});
afterAll(() => sandbox.close());

async function expectExecutorUnharmed(pid: number | undefined): Promise<void> {
  const healthy = await deploy('guard_healthy', HEALTHY);
  expect(await run(sandbox, healthy, 'ok')).toMatchObject({
    status: 'fulfilled',
    result: { echo: 'ok' },
  });
  expect(sandbox.executors()[0]?.pid).toBe(pid);
  expect(sandbox.executors()[0]?.restarts).toBe(0);
}

describe('values built to hurt a host-side copy', () => {
  it('returns a view of a shrunk resizable ArrayBuffer as harmless JSON', async () => {
    const pid = sandbox.executors()[0]?.pid;
    const fn = await deploy(
      'shrunk_view',
      `exports.main = async () => {
        const rab = new ArrayBuffer(1024, { maxByteLength: 4096 });
        const fixed = new Uint8Array(rab, 512, 256);
        const tracking = new Uint8Array(rab, 0);
        rab.resize(16);
        console.log(fixed, tracking);
        await BaaS.invoke('echo', { fixed, tracking });
        setTimeout(() => {}, 1, fixed);
        crypto.getRandomValues(tracking);
        return { fixed, tracking, rab };
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('fulfilled');
    expect(out.result).toMatchObject({ rab: {} });
    await expectExecutorUnharmed(pid);
  });

  it('runs getters and proxy traps only inside the guest, during its own JSON encoding', async () => {
    const pid = sandbox.executors()[0]?.pid;
    const fn = await deploy(
      'copy_getters',
      `let fired = 0;
       exports.main = async () => {
        const sneaky = { get value() { fired++; return 'v' + fired } };
        const proxy = new Proxy({}, { ownKeys() { fired++; return ['a'] }, getOwnPropertyDescriptor() { return { value: 1, enumerable: true, configurable: true } }, get() { return 'p' } });
        const answer = await BaaS.invoke('echo', { sneaky, proxy });
        return { firedBeforeResult: fired, answer, sneaky };
      }`,
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('fulfilled');
    const result = out.result as { firedBeforeResult: number; answer: { data: { data: unknown } } };
    expect(received.at(-1)).toEqual({ sneaky: { value: 'v1' }, proxy: { a: 'p' } });
    expect(result.answer.data.data).toEqual({ sneaky: { value: 'v1' }, proxy: { a: 'p' } });
    await expectExecutorUnharmed(pid);
  });

  it('fails cleanly when a getter throws while the result is encoded', async () => {
    const fn = await deploy(
      'throwing_getter',
      'exports.main = async () => ({ get boom() { throw new Error("gotcha") } })',
    );
    expect(await run(sandbox, fn)).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_RESULT_INVALID', message: expect.stringContaining('gotcha') },
    });
  });

  it('ignores getters planted on Object.prototype for isolated-vm option names', async () => {
    const pid = sandbox.executors()[0]?.pid;
    // isolated-vm reads these names from option objects: if a guest's Object.prototype ever
    // met one of those reads, the planted getter would run (and hand it a hostile value).
    const fn = await deploy(
      'planted_options',
      `const IVM_OPTIONS = ['copy', 'reference', 'externalCopy', 'promise', 'result', 'arguments', 'timeout', 'release', 'filename', 'transferList', 'transferOut', 'transferIn'];
       const read = [];
       for (const key of [...IVM_OPTIONS, 'then', 'ok', 'error']) {
         const hostile = IVM_OPTIONS.includes(key) ? (key === 'timeout' ? 1 : true) : undefined;
         Object.defineProperty(Object.prototype, key, { get() { read.push(key); return hostile }, configurable: true });
       }
       exports.main = async () => {
         console.log('still logging');
         await new Promise((r) => setTimeout(r, 5));
         const n = await new BaaS.TableObject('calls').count();
         const answer = await BaaS.invoke('echo', { x: 1 });
         const optionReads = read.filter((key) => IVM_OPTIONS.includes(key));
         for (const key of [...IVM_OPTIONS, 'then', 'ok', 'error']) delete Object.prototype[key];
         return { n, answer, optionReads };
       }`,
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('fulfilled');
    const result = out.result as { n: unknown; answer: unknown; optionReads: string[] };
    expect(typeof result.n).toBe('number');
    expect(result.answer).toEqual({ code: 0, data: { name: 'echo', data: { x: 1 } }, error: {} });
    expect(received.at(-1)).toEqual({ x: 1 });
    expect(result.optionReads).toEqual([]);
    expect(out.log[0]?.message).toBe('still logging');
    await expectExecutorUnharmed(pid);
  });
});
