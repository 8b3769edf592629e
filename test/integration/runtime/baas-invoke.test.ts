import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import type { FunctionVersion, InvocationOutcome, NestedInvoke } from '../../../runtime/sandbox.ts';
import { deploy, nestedInvokeIn, run, testSandbox } from './harness.ts';

let sandbox: SupervisedSandbox;
const deployed = new Map<string, FunctionVersion>();
const calls: { name: string; data: unknown; sync: boolean; depth: number; parentJobId: string }[] =
  [];

const background: Promise<InvocationOutcome>[] = [];
const throughSandbox = nestedInvokeIn(() => sandbox, deployed, background);
const nestedInvoke: NestedInvoke = (name, data, options) => {
  calls.push({ name, data, ...options });
  return throughSandbox(name, data, options);
};

beforeAll(async () => {
  sandbox = testSandbox({ nestedInvoke, limits: { maxInvokeDepth: 3 } });
  await sandbox.ready();
  deployed.set(
    'adder',
    await deploy(
      'adder',
      'exports.main = async (event) => ({ sum: event.data.a + event.data.b, eventType: event.eventType })',
    ),
  );
  deployed.set(
    'recursive',
    await deploy(
      'recursive',
      'exports.main = async (event) => { const r = await BaaS.invoke("recursive", event.data + 1); return r.code === 0 ? r.data : { stoppedAt: event.data, error: r.error } }',
    ),
  );
});
afterAll(() => sandbox.close());

describe('BaaS.invoke', () => {
  it('runs another function and answers MinCloud’s {code, data, error}', async () => {
    const caller = await deploy(
      'caller',
      'exports.main = async () => BaaS.invoke("adder", { a: 2, b: 3 })',
    );
    const out = await run(sandbox, caller, null, { jobId: 'parent-job' });
    expect(out.result).toEqual({
      code: 0,
      data: { sum: 5, eventType: 'cloud_function' },
      error: {},
    });
    expect(calls.at(-1)).toEqual({
      name: 'adder',
      data: { a: 2, b: 3 },
      sync: true,
      depth: 1,
      parentJobId: 'parent-job',
    });
  });

  it('with sync = false, answers at once without the callee’s result, and the callee still runs', async () => {
    const caller = await deploy(
      'async_caller',
      'exports.main = async () => BaaS.invoke("adder", { a: 1, b: 1 }, false)',
    );
    const before = background.length;
    const out = await run(sandbox, caller);
    // The caller got MinCloud's immediate answer, not the callee's result…
    expect(out).toMatchObject({ status: 'fulfilled', result: { code: 0, data: null, error: {} } });
    // …and the callee ran on its own, to its own result.
    expect(background).toHaveLength(before + 1);
    expect(await background[before]).toMatchObject({
      status: 'fulfilled',
      result: { sum: 2, eventType: 'cloud_function' },
    });
  });

  it('stops a cycle at the depth limit with a clear error', async () => {
    const out = await sandbox.invoke({
      fn: deployed.get('recursive') as FunctionVersion,
      event: { data: 0, eventType: 'invoke', jobId: 'cycle' },
    });
    expect(out.status).toBe('fulfilled');
    // depth 0 → 1 → 2 → 3 run; the call from depth 3 is refused.
    expect(JSON.stringify(out.result)).toContain('"stoppedAt":3');
    expect(out.result).toMatchObject({ stoppedAt: 3, error: { code: 'E_FUNCTION_INVOKE_DEPTH' } });
  });

  it('is not available without a NestedInvoke', async () => {
    const bare = testSandbox();
    try {
      const caller = await deploy(
        'lonely_caller',
        'exports.main = async () => BaaS.invoke("x", 1)',
      );
      expect((await run(bare, caller)).result).toMatchObject({
        code: 1,
        error: { code: 'E_FUNCTION_INVOKE_UNAVAILABLE' },
      });
    } finally {
      await bare.close();
    }
  });

  it('refuses data that JSON cannot carry inside the guest', async () => {
    const caller = await deploy(
      'bad_data_caller',
      'exports.main = async () => { try { await BaaS.invoke("adder", { n: 1n }) } catch (e) { return e.name } }',
    );
    expect((await run(sandbox, caller)).result).toBe('TypeError');
  });
});
