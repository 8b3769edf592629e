/**
 * Engine-level behaviours of runs fired by triggers, on a real engine: limits set through the
 * API end as their errors in the job AND the trigger log, an executor crash during a
 * trigger-fired run, DELETE /functions/:name, replay answering 409, the queued firings of a
 * deleted trigger. Incoming webhooks fire the triggers: POST /hooks/:key is deterministic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { finalLogs } from '../triggers/helpers/logs.ts';

let t: TestEngine;
beforeAll(async () => {
  // Functions here offend on purpose and go to quarantine: no pause between their runs
  // there, so that closing the engine does not wait out a paced replay.
  t = await startTestEngine({ env: { CLOUDFN_QUARANTINE_CPU_PERCENT: '100' } });
});
// Closing waits for runs in flight (a replay still waiting for its deadline), which on a
// loaded machine can take a while.
afterAll(() => t.close(), 180_000);

async function deploy(name: string, code: string, limits: object = {}): Promise<void> {
  const res = await t.api('PUT', `/functions/${name}`, { code, ...limits });
  expect([200, 201]).toContain(res.status);
}

/** A webhook trigger running `fn` once per hook call (`attempts` tries); returns its key. */
async function hookTrigger(name: string, fn: string, attempts = 1): Promise<string> {
  const created = await t.api('POST', '/triggers', {
    name,
    type: 'webhook',
    condition: { match: 'all', rules: [] },
    actions: [{ type: 'function', function: fn }],
    retry: { attempts, backoff: '1s' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.key as string;
}

async function fire(key: string, body: object = {}): Promise<void> {
  const res = await fetch(`${t.engine.url}/hooks/${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

describe('limits set through the API', () => {
  it('a timeoutMs set by PUT ends a trigger-fired run as deadline_exceeded in the job and the log', async () => {
    await deploy('slowpoke', 'exports.main = () => { for (;;) {} }', { timeoutMs: 200 });
    expect((await t.api('GET', '/functions/slowpoke')).body).toMatchObject({ timeoutMs: 200 });
    await fire(await hookTrigger('slow_hook', 'slowpoke'));
    const [log] = await finalLogs(t, 'slow_hook', 1);
    expect(log).toMatchObject({ status: 'dead_letter', error_type: 'deadline_exceeded' });
    expect(log.error).toContain('200 ms');
    const job = await t.api('GET', `/jobs/${log.job_id}`);
    expect(job.body).toMatchObject({
      status: 'deadline_exceeded',
      source: 'trigger:slow_hook',
      error: { code: 'E_FUNCTION_TIMEOUT' },
    });
  });

  it('a memoryMb set by PUT ends an allocation bomb as E_FUNCTION_MEMORY in the job and the log', async () => {
    await deploy(
      'hoarder',
      'exports.main = () => { const keep = []; for (let i = 0; ; i++) keep.push({ i, s: "x" + i }) }',
      { memoryMb: 16, timeoutMs: 30_000 },
    );
    expect((await t.api('GET', '/functions/hoarder')).body).toMatchObject({ memoryMb: 16 });
    await fire(await hookTrigger('hoard_hook', 'hoarder'));
    const [log] = await finalLogs(t, 'hoard_hook', 1, 60_000);
    expect(log).toMatchObject({ status: 'dead_letter', error_type: 'execution_failed' });
    expect(log.error).toContain('16 MB');
    expect((await t.api('GET', `/jobs/${log.job_id}`)).body).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_MEMORY' },
    });
  });
});

describe('an executor crash during a trigger-fired run', () => {
  it('fails that run with E_EXECUTOR_CRASHED in the job and the log, and the engine carries on', async () => {
    // V8's fatal out-of-memory path: the executor process dies (or is killed past the
    // deadline and its grace), whatever isolated-vm's memory limit says.
    await deploy(
      'crasher',
      'exports.main = async (e) => { if (e.data.crash) Array(1e9).fill(0); return "fine" }',
      { timeoutMs: 1000 },
    );
    await fire(await hookTrigger('crash_hook', 'crasher'), { crash: true });
    const logs = await finalLogs(t, 'crash_hook', 1, 60_000);
    expect(logs[0]).toMatchObject({
      status: 'dead_letter',
      attempts: 1,
      error_type: 'execution_failed',
    });
    expect(logs[0].error).toMatch(/restarted because/);
    expect((await t.api('GET', `/jobs/${logs[0].job_id}`)).body).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_EXECUTOR_CRASHED' },
    });
    // The engine carries on: another function runs (on the restarted executor).
    await deploy('bystander', 'exports.main = async (e) => e.data');
    expect((await t.api('POST', '/functions/bystander/invoke', { data: 'up' })).body).toMatchObject(
      {
        code: 0,
        data: 'up',
      },
    );
  }, 120_000);
});

describe('DELETE /functions/:name', () => {
  it('removes the function and its versions; a trigger still naming it fails its firing', async () => {
    await deploy('doomed', 'exports.main = async () => "v1"');
    await deploy('doomed', 'exports.main = async () => "v2"');
    const key = await hookTrigger('doomed_hook', 'doomed');
    // A trigger names it: refused (409 E_IN_USE) unless forced.
    expect((await t.api('DELETE', '/functions/doomed')).status).toBe(409);
    expect((await t.api('DELETE', '/functions/doomed?force=true')).status).toBe(204);
    expect((await t.api('GET', '/functions/doomed')).body).toMatchObject({
      error: { code: 'E_FUNCTION_NOT_FOUND' },
    });
    expect((await t.api('GET', '/functions/doomed/versions')).status).toBe(404);
    const invoked = await t.api('POST', '/functions/doomed/invoke', {});
    expect(invoked.status).toBe(404);
    expect((await t.api('DELETE', '/functions/doomed')).status).toBe(404);
    const listed = await t.api('GET', '/functions?limit=1000');
    expect(listed.body.objects.map((f: { name: string }) => f.name)).not.toContain('doomed');

    await fire(key);
    const [log] = await finalLogs(t, 'doomed_hook', 1);
    expect(log).toMatchObject({ status: 'dead_letter', error_type: 'E_FUNCTION_NOT_FOUND' });
    // Deployed again under the same name, it starts at version 1 and runs.
    await deploy('doomed', 'exports.main = async () => "reborn"');
    expect((await t.api('GET', '/functions/doomed/versions')).body.meta.total_count).toBe(1);
    expect((await t.api('POST', '/functions/doomed/invoke', {})).body.data).toBe('reborn');
  });
});

describe('replay', () => {
  it('answers 409 while the firing is queued or running, and 202 once it is final', async () => {
    // The run waits for its deadline, so the firing is surely still running when we replay.
    await deploy('waiter', 'exports.main = () => new Promise(() => {})', { timeoutMs: 3000 });
    await fire(await hookTrigger('replay_hook', 'waiter'));
    let logId: string | undefined;
    await expect
      .poll(async () => {
        const logs = await t.api('GET', '/triggers/replay_hook/logs');
        logId = logs.body.objects[0]?.id;
        return logs.body.objects[0]?.status;
      })
      .toBe('pending');
    const early = await t.api('POST', `/triggers/replay_hook/logs/${logId}/replay`);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'E_TRIGGER_LOG_NOT_REPLAYABLE' } });

    const [final] = await finalLogs(t, 'replay_hook', 1, 30_000);
    expect(final).toMatchObject({ id: logId, status: 'dead_letter' });
    const replayed = await t.api('POST', `/triggers/replay_hook/logs/${logId}/replay`);
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ id: logId, status: 'pending' });
    // Replayed while the replay runs: 409 again.
    expect((await t.api('POST', `/triggers/replay_hook/logs/${logId}/replay`)).status).toBe(409);
  });
});

describe('a deleted trigger', () => {
  it('does not run its queued firings: they end dead_letter with E_TRIGGER_NOT_FOUND', async () => {
    // Each run fails at once, so the firing waits for its retry (back-off 1 s) in the queue.
    await deploy('flaky', 'exports.main = async () => { throw new Error("not yet") }');
    await fire(await hookTrigger('gone_hook', 'flaky', 3));
    await expect
      .poll(async () => (await t.api('GET', '/triggers/gone_hook/logs')).body.objects[0]?.status)
      .toBe('failed');
    const [queued] = (await t.api('GET', '/triggers/gone_hook/logs')).body.objects;
    expect(queued.attempts).toBe(1);
    expect((await t.api('DELETE', '/triggers/gone_hook')).status).toBe(204);

    // Its log stays readable across triggers; the retry finds the trigger gone.
    const byId = async () =>
      (await t.api('GET', '/trigger-logs?limit=1000')).body.objects.find(
        (l: { id: string }) => l.id === queued.id,
      );
    await expect.poll(async () => (await byId())?.status, { timeout: 20_000 }).toBe('dead_letter');
    expect(await byId()).toMatchObject({ error_type: 'E_TRIGGER_NOT_FOUND' });
    // The function ran once only: the queued retry did not run it.
    expect((await t.api('GET', '/functions/flaky/jobs')).body.meta.total_count).toBe(1);
  });
});
