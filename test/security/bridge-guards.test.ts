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
    const fn = await deploy(
      'planted_options',
      `let reads = 0;
       for (const key of ['copy', 'reference', 'externalCopy', 'promise', 'result', 'arguments', 'timeout', 'release', 'filename', 'transferList', 'transferOut', 'transferIn', 'then', 'ok', 'error']) {
         Object.defineProperty(Object.prototype, key, { get() { reads++; return undefined }, configurable: true });
       }
       exports.main = async () => {
         console.log('still logging');
         await new Promise((r) => setTimeout(r, 5));
         const n = await new BaaS.TableObject('calls').count();
         const answer = await BaaS.invoke('echo', { x: 1 });
         return { n: typeof n, code: answer.code, readsAreGuestOnly: typeof reads };
       }`,
    );
    const out = await run(sandbox, fn);
    expect(out.status).toBe('fulfilled');
    expect(out.result).toEqual({ n: 'number', code: 0, readsAreGuestOnly: 'number' });
    expect(out.log[0]?.message).toBe('still logging');
    await expectExecutorUnharmed(pid);
  });
});
