/**
 * Issue 12, item 8: `BaaS.invoke` fan-out is bounded. On a real engine (the engine's own
 * NestedInvoke and function service, not the runtime harness): a run makes at most 50 calls,
 * a function has at most CLOUDFN_INVOKE_MAX_IN_FLIGHT invoke runs in flight, and a refused
 * call rejects inside the caller and writes no job row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ env: { CLOUDFN_INVOKE_MAX_IN_FLIGHT: '10' } });
});
afterAll(() => t.close(), 180_000);

async function deploy(name: string, code: string, timeoutMs?: number): Promise<void> {
  const res = await t.api('PUT', `/functions/${name}`, {
    code,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  expect(res.status).toBe(201);
}

async function jobCount(name: string): Promise<number> {
  const res = await t.api('GET', `/functions/${name}/jobs?limit=1`);
  expect(res.status).toBe(200);
  return res.body.meta.total_count as number;
}

/** Calls `callee` n times (sync or not) and tallies what each call gave. */
const CALLER = (callee: string, n: number, sync: boolean) => `exports.main = async () => {
  const tally = {};
  for (let i = 0; i < ${n}; i++) {
    let key;
    try {
      const r = await BaaS.invoke(${JSON.stringify(callee)}, i, ${sync});
      key = 'code' + r.code;
    } catch (e) {
      key = e.reason + '/' + e.status; // an HError: reason is our E_ code
    }
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}`;

describe('BaaS.invoke through the engine', () => {
  it('runs the callee as a job of its own: sync answers its result or its error, async answers at once', async () => {
    await deploy(
      'double',
      'exports.main = async (e) => { if (e.data < 0) throw new Error("negative"); return { twice: e.data * 2, eventType: e.eventType } }',
    );
    await deploy(
      'orchestrator',
      `exports.main = async () => ({
        ok: await BaaS.invoke('double', 21),
        failed: await BaaS.invoke('double', -1),
        missing: await BaaS.invoke('no_such_function', 1),
        later: await BaaS.invoke('double', 5, false),
      })`,
    );
    const res = await t.api('POST', '/functions/orchestrator/invoke', {});
    expect(res.body.data).toMatchObject({
      ok: { code: 0, data: { twice: 42, eventType: 'cloud_function' }, error: {} },
      failed: { code: 1, data: null, error: { message: 'negative', status: 'execution_failed' } },
      missing: { code: 1, data: null, error: { code: 'E_FUNCTION_NOT_FOUND' } },
      later: { code: 0, data: null, error: {} },
    });
    await t.engine.settled();
    await expect
      .poll(
        async () =>
          (await t.api('GET', '/functions/double/jobs?status=fulfilled')).body.meta.total_count,
      )
      .toBe(2);
    const jobs = (await t.api('GET', '/functions/double/jobs')).body.objects as {
      source: string;
      data: unknown;
      result: unknown;
    }[];
    expect(jobs.map((j) => j.source)).toEqual([
      'cloud_function',
      'cloud_function',
      'cloud_function',
    ]);
    expect(jobs.find((j) => j.data === 5)?.result).toEqual({
      twice: 10,
      eventType: 'cloud_function',
    });
  });
});

describe('BaaS.invoke fan-out', () => {
  it('allows 50 calls per run; the 51st and later reject with E_FUNCTION_INVOKE_LIMIT and write no job', async () => {
    await deploy('leaf', 'exports.main = async (e) => e.data');
    await deploy('fan_async', CALLER('leaf', 60, false));
    const res = await t.api('POST', '/functions/fan_async/invoke', {});
    expect(res.body).toMatchObject({
      code: 0,
      data: { code0: 50, 'E_FUNCTION_INVOKE_LIMIT/429': 10 },
    });
    await t.engine.settled();
    expect(await jobCount('leaf')).toBe(50);

    await deploy('fan_sync', CALLER('leaf', 55, true));
    const sync = await t.api('POST', '/functions/fan_sync/invoke', {});
    expect(sync.body).toMatchObject({
      code: 0,
      data: { code0: 50, 'E_FUNCTION_INVOKE_LIMIT/429': 5 },
    });
    expect(await jobCount('leaf')).toBe(100);
  });

  it('refuses calls past the in-flight limit of the callee, without a job row, and takes calls again once those runs end', async () => {
    // `hang` stays in flight until its deadline.
    await deploy('hang', 'exports.main = () => new Promise(() => {})', 3000);
    await deploy('fan_hang', CALLER('hang', 15, false));
    const res = await t.api('POST', '/functions/fan_hang/invoke', {});
    expect(res.body).toMatchObject({
      code: 0,
      data: { code0: 10, 'E_FUNCTION_INVOKE_IN_FLIGHT/429': 5 },
    });
    expect(await jobCount('hang')).toBe(10);

    await expect
      .poll(
        async () =>
          (await t.api('GET', '/functions/hang/jobs?status=executing')).body.meta.total_count,
        {
          timeout: 30_000,
        },
      )
      .toBe(0);
    const again = await t.api('POST', '/functions/fan_hang/invoke', {});
    expect(again.body.data).toEqual({ code0: 10, 'E_FUNCTION_INVOKE_IN_FLIGHT/429': 5 });
  });

  it('keeps a function that self-invokes 1,000 times asynchronously to a bounded number of jobs', async () => {
    await deploy(
      'bomb',
      `exports.main = async () => {
        let accepted = 0;
        let refused = 0;
        for (let i = 0; i < 1000; i++) {
          try {
            if ((await BaaS.invoke('bomb', null, false)).code === 0) accepted++;
          } catch (e) {
            refused++;
          }
        }
        return { accepted, refused };
      }`,
    );
    const res = await t.api('POST', '/functions/bomb/invoke', {});
    expect(res.body).toMatchObject({ code: 0, status: 'fulfilled' });
    // 950 past the per-run limit at least; more when its children fill the in-flight limit.
    expect(res.body.data.refused).toBeGreaterThanOrEqual(950);
    await t.engine.settled();
    await expect
      .poll(
        async () =>
          (await t.api('GET', '/functions/bomb/jobs?status=executing')).body.meta.total_count,
      )
      .toBe(0);
    // One job row per accepted call and none for a refused one (depth refusals resolve
    // code 1 and write none either).
    const jobs = await t.api('GET', '/functions/bomb/jobs?limit=1000');
    const accepted = (jobs.body.objects as { result: { accepted: number } | null }[]).reduce(
      (sum, job) => sum + (job.result?.accepted ?? 0),
      0,
    );
    expect(jobs.body.meta.total_count).toBe(1 + accepted);
    // The engine still answers.
    expect((await t.api('POST', '/functions/leaf/invoke', { data: 'alive' })).body.data).toBe(
      'alive',
    );
  });
});
