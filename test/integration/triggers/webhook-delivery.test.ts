import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { startHookReceiver, type HookReceiver } from './helpers/hook-receiver.ts';
import { finalLogs } from './helpers/logs.ts';

// Outgoing webhooks on a real engine, to a real receiver on loopback (allowed here with
// CLOUDFN_WEBHOOK_ALLOW_PRIVATE=1): signature, delivery id stable across retries, retries
// with back-off, dead letter, replay, and secrets kept across PUT.
const sign = (secret: string, body: Buffer) =>
  'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');

let t: TestEngine;
let receiver: HookReceiver;
const NOOP = 'exports.main = async () => null;';

beforeAll(async () => {
  t = await startTestEngine({ env: { CLOUDFN_WEBHOOK_ALLOW_PRIVATE: '1' } });
  receiver = await startHookReceiver();
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

/** A webhook-sourced trigger forwarding every POST /hooks/:key to the receiver. */
async function forwarder(
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ key: string; secret: string }> {
  const created = await t.api('POST', '/triggers', {
    name,
    type: 'webhook',
    actions: [{ type: 'webhook', url: `${receiver.url}/${name}` }],
    retry: { attempts: 3, backoff: '20ms' },
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { key: created.body.key, secret: created.body.actions[0].secret };
}

async function hook(key: string, body: unknown): Promise<Response> {
  return fetch(`${t.engine.url}/hooks/${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const receivedFor = (name: string) =>
  receiver.received.filter(
    (r) =>
      r.headers['x-cloudfn-delivery'] !== undefined &&
      String(r.body).includes(`"trigger":"${name}"`),
  );

/** The one log row of the trigger, once final (retries wait for their back-off). */
async function onlyLog(name: string) {
  return (await finalLogs(t, name, 1))[0];
}

describe('outgoing webhooks', () => {
  it('POST the event as JSON with a valid X-Cloudfn-Signature and X-Cloudfn-Delivery', async () => {
    const { key, secret } = await forwarder('signed');
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect((await hook(key, { order: 42, note: 'héllo' })).status).toBe(202);
    const log = await onlyLog('signed');

    const [delivery] = receivedFor('signed');
    expect(delivery).toBeDefined();
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['x-cloudfn-signature']).toBe(sign(secret, delivery!.body));
    expect(sign('another-secret', delivery!.body)).not.toBe(
      delivery!.headers['x-cloudfn-signature'],
    );
    expect(JSON.parse(delivery!.body.toString('utf8'))).toEqual({
      trigger: 'signed',
      data: { order: 42, note: 'héllo' },
    });
    expect(log).toMatchObject({ status: 'succeeded', attempts: 1, error_type: null });
    expect(delivery!.headers['x-cloudfn-delivery']).toBe(log.id);
  });

  it('with the receiver failing twice then succeeding: delivered once, after 3 attempts, one delivery id', async () => {
    const { key } = await forwarder('flaky');
    receiver.script.push(503, 500);
    expect((await hook(key, { n: 1 })).status).toBe(202);
    const log = await onlyLog('flaky');

    const attempts = receivedFor('flaky');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['x-cloudfn-delivery'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers['x-cloudfn-signature'])).size).toBe(1);
    expect(attempts[0]!.headers['x-cloudfn-delivery']).toBe(log.id);
    expect(log).toMatchObject({ status: 'succeeded', attempts: 3, error_type: null, error: null });
  });

  it('with the receiver failing always: dead_letter after 3 attempts, then replay runs it again', async () => {
    const { key } = await forwarder('broken');
    receiver.script.push(500, 500, 500);
    expect((await hook(key, { n: 2 })).status).toBe(202);
    const dead = await onlyLog('broken');
    expect(receivedFor('broken')).toHaveLength(3);
    expect(dead).toMatchObject({
      status: 'dead_letter',
      attempts: 3,
      error_type: 'E_WEBHOOK_STATUS',
    });
    expect(dead.error).toContain('HTTP 500');

    const filtered = await t.api('GET', '/triggers/broken/logs?status=dead_letter');
    expect(filtered.body.objects.map((l: { id: string }) => l.id)).toEqual([dead.id]);

    const replay = await t.api('POST', `/triggers/broken/logs/${dead.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: dead.id, status: 'pending', attempts: 0 });
    const replayed = await onlyLog('broken');

    const deliveries = receivedFor('broken');
    expect(deliveries).toHaveLength(4);
    expect(deliveries[3]!.headers['x-cloudfn-delivery']).toBe(dead.id);
    expect(replayed).toMatchObject({ id: dead.id, status: 'succeeded', attempts: 1 });
  });

  it('refuses to replay a log that is unknown or belongs to another trigger', async () => {
    const { key } = await forwarder('mine');
    await hook(key, {});
    const log = await onlyLog('mine');
    expect((await t.api('POST', `/triggers/signed/logs/${log.id}/replay`)).body.error.code).toBe(
      'E_TRIGGER_LOG_NOT_FOUND',
    );
    expect((await t.api('POST', '/triggers/mine/logs/nope/replay')).status).toBe(404);
    expect((await t.api('GET', `/triggers/mine/logs/${log.id}`)).body).toMatchObject({
      id: log.id,
      status: 'succeeded',
    });
  });

  it('keeps a webhook action secret across PUT unless the URL changes or a secret is given', async () => {
    // A trigger may only name a function that exists.
    const deployed = await t.api('PUT', '/functions/absent', { code: NOOP });
    expect(deployed.status).toBe(201);
    const { secret } = await forwarder('kept');
    const body = (url: string, more: Record<string, unknown> = {}) => ({
      type: 'webhook',
      actions: [
        { type: 'function', function: 'absent' },
        { type: 'webhook', url, ...more },
      ],
    });
    // The webhook action moved to index 1: a different position is a different action.
    const moved = await t.api('PUT', '/triggers/kept', body(`${receiver.url}/kept`));
    expect(moved.status).toBe(200);
    const movedSecret = moved.body.actions[1].secret;
    expect(movedSecret).not.toBe(secret);

    // Kept, so not shown again: only its hint.
    const again = await t.api('PUT', '/triggers/kept', body(`${receiver.url}/kept`));
    expect(again.body.actions[1].secret).toBeUndefined();
    expect(again.body.actions[1].secret_hint).toBe(`…${movedSecret.slice(-4)}`);

    const elsewhere = await t.api('PUT', '/triggers/kept', body(`${receiver.url}/other`));
    expect(elsewhere.body.actions[1].secret).not.toBe(movedSecret);

    const given = await t.api(
      'PUT',
      '/triggers/kept',
      body(`${receiver.url}/other`, { secret: 'my-own-secret' }),
    );
    expect(given.body.actions[1].secret).toBe('my-own-secret');
  });
});

describe('the SSRF policy at save time', () => {
  let strict: TestEngine;
  beforeAll(async () => {
    strict = await startTestEngine();
    expect((await strict.api('PUT', '/functions/f', { code: NOOP })).status).toBe(201);
  });
  afterAll(async () => {
    await strict?.close();
  });

  it.each([
    'http://127.0.0.1:9/x',
    'http://localhost:9/x',
    'http://[::1]:9/x',
    'http://169.254.169.254/latest',
    'http://10.1.2.3/',
  ])('refuses %s without CLOUDFN_WEBHOOK_ALLOW_PRIVATE, naming the action', async (url) => {
    const answer = await strict.api('POST', '/triggers', {
      name: 'probe',
      type: 'webhook',
      actions: [
        { type: 'function', function: 'f' },
        { type: 'webhook', url },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'E_WEBHOOK_TARGET_FORBIDDEN',
      path: 'actions[1].url',
    });
    expect((await strict.api('GET', '/triggers/probe')).status).toBe(404);
  });

  it('refuses the same target on PUT', async () => {
    expect(
      (
        await strict.api('POST', '/triggers', {
          name: 'later',
          type: 'webhook',
          actions: [{ type: 'function', function: 'f' }],
        })
      ).status,
    ).toBe(201);
    const answer = await strict.api('PUT', '/triggers/later', {
      type: 'webhook',
      actions: [{ type: 'webhook', url: 'http://127.0.0.1/' }],
    });
    expect(answer.body.error).toMatchObject({
      code: 'E_WEBHOOK_TARGET_FORBIDDEN',
      path: 'actions[0].url',
    });
  });
});
