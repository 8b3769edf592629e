import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import {
  startReceiverEngine,
  type ReceiverEngine,
  type ShiftedClock,
} from '../wechat/helpers/receiver-engine.ts';
import { finalLogs } from './helpers/logs.ts';

// Incoming webhooks, POST /hooks/:key, on a real engine: the key is the secret (a wrong one
// is 404), the JSON body becomes event.data, bodies are capped, each trigger has a rate
// limit, the key rotates, a disabled trigger refuses, and PUT keeps the key.
const ECHO = `exports.main = async (event) => ({ data: event.data, eventType: event.eventType });`;

async function hook(
  base: string,
  key: string,
  body: string | object,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}/hooks/${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

describe('incoming webhooks', () => {
  let t: TestEngine;
  let key: string;

  beforeAll(async () => {
    t = await startTestEngine();
    expect((await t.api('PUT', '/functions/echo', { code: ECHO })).status).toBe(201);
    const created = await t.api('POST', '/triggers', {
      name: 'payments',
      type: 'webhook',
      condition: { match: 'all', rules: [{ field: 'type', op: '=', value: 'payment.succeeded' }] },
      actions: [{ type: 'function', function: 'echo' }],
    });
    expect(created.status).toBe(201);
    key = created.body.key;
  });

  afterAll(async () => {
    await t?.close();
  });

  const jobs = async () =>
    (await t.api('GET', '/functions/echo/jobs?limit=100')).body.objects as any[];

  it('gives a long random key on create, then shows only its hint', async () => {
    expect(key).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const got = await t.api('GET', '/triggers/payments');
    expect(got.body).toMatchObject({ key_hint: `…${key.slice(-4)}` });
    expect(got.body.key).toBeUndefined();
    expect(got.body.hook_path).toBeUndefined();
  });

  it('answers 404 to a wrong key and fires nothing', async () => {
    for (const wrong of [key.slice(0, -1), `${key}x`, 'payments', key.toUpperCase()]) {
      const answer = await hook(t.engine.url, wrong, { type: 'payment.succeeded' });
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('E_HOOK_NOT_FOUND');
      expect(JSON.stringify(answer.body)).not.toContain('payments');
    }
    await t.engine.settled();
    expect(await jobs()).toHaveLength(0);
  });

  it('fires the trigger with the JSON body as event.data when the key is right and the rules hold', async () => {
    const body = { type: 'payment.succeeded', amount: 1250, customer: { id: 'c_1' } };
    const answer = await hook(t.engine.url, key, body);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: true, id: expect.any(String) });
    expect((await hook(t.engine.url, key, { type: 'payment.failed' })).status).toBe(202);
    await t.engine.settled();

    const [log] = await finalLogs(t, 'payments', 1);
    expect(log).toMatchObject({ status: 'succeeded', event: body, event_id: answer.body.id });
    const [job] = await jobs();
    expect(job).toMatchObject({
      status: 'fulfilled',
      data: body,
      result: { data: body, eventType: 'webhook' },
    });
  });

  it('refuses a body over 256 KiB with 413 and invalid JSON with 400, storing nothing', async () => {
    const big = JSON.stringify({ type: 'payment.succeeded', pad: 'x'.repeat(256 * 1024) });
    const tooLarge = await hook(t.engine.url, key, big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('E_BODY_TOO_LARGE');
    const bad = await hook(t.engine.url, key, '{"type": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('E_BAD_JSON');
    await t.engine.settled();
    expect((await t.api('GET', '/triggers/payments/logs')).body.meta.total_count).toBe(1);
  });

  it('rotates the key: the old one is 404 at once, the new one fires', async () => {
    const rotated = await t.api('POST', '/triggers/payments/rotate-key');
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.key as string;
    expect(fresh).not.toBe(key);
    expect((await hook(t.engine.url, key, { type: 'payment.succeeded' })).status).toBe(404);
    expect((await hook(t.engine.url, fresh, { type: 'payment.succeeded', n: 2 })).status).toBe(202);
    await t.engine.settled();
    await finalLogs(t, 'payments', 2);
    key = fresh;
  });

  it('keeps the key across PUT, and refuses while disabled', async () => {
    const put = await t.api('PUT', '/triggers/payments', {
      type: 'webhook',
      actions: [{ type: 'function', function: 'echo' }],
    });
    expect(put.status).toBe(200);
    expect(put.body.key_hint).toBe(`…${key.slice(-4)}`);

    const disabled = await t.api('PATCH', '/triggers/payments', { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, key_hint: `…${key.slice(-4)}` });
    const refused = await hook(t.engine.url, key, { any: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('E_HOOK_DISABLED');

    expect((await t.api('PATCH', '/triggers/payments', { enabled: true })).body.enabled).toBe(true);
    expect((await hook(t.engine.url, key, { any: 1 })).status).toBe(202);
    await t.engine.settled();
    await finalLogs(t, 'payments', 3);
  });

  it('answers 404 for a key after its trigger is deleted', async () => {
    expect((await t.api('DELETE', '/triggers/payments')).status).toBe(204);
    expect((await hook(t.engine.url, key, { any: 1 })).status).toBe(404);
  });
});

describe('the rate limit of an incoming webhook', () => {
  // A stopped clock makes the token bucket exact: 100 requests at once, then 20 a second.
  let stopped = Date.now();
  const clock: ShiftedClock = {
    offsetMs: 0,
    now: () => stopped,
    setSeconds: (s) => void (stopped = s * 1000),
  };
  let t: ReceiverEngine;

  beforeAll(async () => {
    t = await startReceiverEngine({ clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  const createHook = async (name: string): Promise<string> => {
    const created = await t.api('POST', '/triggers', {
      name,
      type: 'webhook',
      actions: [{ type: 'table', table: 'hits', record: { n: '{{n}}' } }],
    });
    expect(created.status).toBe(201);
    return created.body.key;
  };

  it('accepts a burst of 100 per trigger, then 429 with Retry-After until tokens come back', async () => {
    expect(
      (await t.api('POST', '/tables', { name: 'hits', fields: [{ name: 'n', type: 'integer' }] }))
        .status,
    ).toBe(201);
    const busy = await createHook('busy');
    const calm = await createHook('calm');

    const answers = await Promise.all(
      Array.from({ length: 130 }, (_, n) => hook(t.url, busy, { n })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(100);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(30);
    expect(limited[0]!.body.error.code).toBe('E_HOOK_RATE_LIMITED');
    expect(limited[0]!.headers.get('retry-after')).toBe('1');

    // Another trigger has its own bucket.
    expect((await hook(t.url, calm, { n: 0 })).status).toBe(202);

    stopped += 1000;
    const later = await Promise.all(
      Array.from({ length: 25 }, (_, n) => hook(t.url, busy, { n: 1000 + n })),
    );
    expect(later.filter((a) => a.status === 202)).toHaveLength(20);

    await t.engine.settled();
    expect(t.count('trigger_logs', "trigger = 'busy'")).toBe(120);
  });
});
