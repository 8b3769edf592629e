import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { finalLogs } from './helpers/logs.ts';

// Per-function concurrency caps in the job runner: 40 firings of a function that blocks
// until a gate opens cannot take every slot, so a fast function's firing still runs.
// Without the cap, 32 blocked runs would fill the runner and the fast one would wait. The cap
// is set (CLOUDFN_FUNCTION_CONCURRENCY) to a value other than its default, so the test also
// shows the setting is what holds.
const PER_FUNCTION = 6;
const SLOW = `exports.main = async () => {
  const gate = new BaaS.TableObject('gate');
  for (;;) {
    const open = await gate.count();
    if (open > 0) return 'through';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};`;

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ env: { CLOUDFN_FUNCTION_CONCURRENCY: String(PER_FUNCTION) } });
  expect(
    (await t.api('POST', '/tables', { name: 'gate', fields: [{ name: 'open', type: 'boolean' }] }))
      .status,
  ).toBe(201);
  expect((await t.api('PUT', '/functions/slow', { code: SLOW, timeoutMs: 120_000 })).status).toBe(
    201,
  );
  expect(
    (await t.api('PUT', '/functions/fast', { code: 'exports.main = async () => 1;' })).status,
  ).toBe(201);
});

afterAll(async () => {
  // Open the gate so nothing is left running at close.
  await t?.api('POST', '/tables/gate/records', { open: true });
  await t?.close();
});

async function hookFor(name: string, fn: string): Promise<string> {
  const created = await t.api('POST', '/triggers', {
    name,
    type: 'webhook',
    actions: [{ type: 'function', function: fn }],
  });
  expect(created.status).toBe(201);
  return created.body.key;
}

const post = (key: string, body: object) =>
  fetch(`${t.engine.url}/hooks/${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const executing = async (fn: string) =>
  (await t.api('GET', `/functions/${fn}/jobs?status=executing&limit=1000`)).body.meta
    .total_count as number;

describe('per-function concurrency caps', () => {
  it('a busy function runs at most CLOUDFN_FUNCTION_CONCURRENCY at once and does not starve another trigger', async () => {
    const slowKey = await hookFor('slow_hook', 'slow');
    const fastKey = await hookFor('fast_hook', 'fast');
    for (let i = 0; i < 40; i++) expect((await post(slowKey, { i })).status).toBe(202);
    await expect.poll(() => executing('slow'), { timeout: 20_000 }).toBe(PER_FUNCTION);

    expect((await post(fastKey, {})).status).toBe(202);
    const [fast] = await finalLogs(t, 'fast_hook', 1);
    expect(fast.status).toBe('succeeded');

    // The slow runs are all still blocked behind the gate, never more than the cap at once.
    expect(await executing('slow')).toBe(PER_FUNCTION);
    const slowLogs = (await t.api('GET', '/triggers/slow_hook/logs?limit=100')).body;
    expect(slowLogs.meta.total_count).toBe(40);
    expect(slowLogs.objects.every((l: { status: string }) => l.status === 'pending')).toBe(true);

    expect((await t.api('POST', '/tables/gate/records', { open: true })).status).toBe(201);
    const done = await finalLogs(t, 'slow_hook', 40, 60_000);
    expect(done.every((l) => l.status === 'succeeded' && l.attempts === 1)).toBe(true);
  });
});
