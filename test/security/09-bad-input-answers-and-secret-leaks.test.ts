/**
 * Attack classes: (1) bad input that made the engine answer a plain-text 5xx (koa's own
 * serialiser failing after the error middleware, koa-router's 501 for unknown methods);
 * (2) secrets leaking into the engine log (a hook key in a logged path, the admin token, a
 * webhook secret, an account's token or AES key, a function's env values); (3) secrets shown
 * again by the admin API after the answer that created them (docs/security.md, "Answers" and
 * "Secrets").
 */
import { Writable } from 'node:stream';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../engine/http/app.ts';
import { ValidationError } from '../../engine/errors.ts';
import { redactPath } from '../../engine/http/redact.ts';
import { buildPush } from '../helpers/wechat-push.ts';
import { startCapturedEngine, type CapturedEngine } from './helpers/captured-engine.ts';
import { rawRequest } from './helpers/raw-http.ts';

/** `{o: {o: …}}`, `depth` levels: more than JSON.stringify's stack can write. */
function deep(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { o: value };
  return value;
}

describe('answers: JSON 4xx, never a plain-text 5xx', () => {
  let server: http.Server;
  let url: string;
  const lines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const app = createApp({
      adminToken: 'token-for-this-app',
      log: pino({ level: 'debug' }, sink),
      ready: () => true,
      public: [
        (r) => {
          // Real routes of the kinds that answered plain 500s: a stored value too deep to
          // write, a BigInt, a cycle; and a bug on a path that holds a secret.
          r.get('/deep', (ctx) => {
            ctx.body = { objects: [deep(20_000)] };
          });
          r.get('/bigint', (ctx) => {
            ctx.body = { n: 10n };
          });
          r.get('/cycle', (ctx) => {
            ctx.body = cyclic;
          });
          r.get('/refused', () => {
            // A refusal whose details echo a value JSON cannot write.
            throw new ValidationError('E_INVALID_BODY', 'refused', {
              value: 10n,
              deep: deep(20_000),
            });
          });
          r.post('/created', (ctx) => {
            ctx.status = 201;
            ctx.body = { ok: true };
          });
          r.post('/hooks/:key', () => {
            throw new Error('a bug while handling a hook');
          });
        },
      ],
      admin: [],
    });
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('answers values JSON cannot write with 422 E_RESPONSE_NOT_JSON, as JSON', async () => {
    for (const path of ['/deep', '/bigint', '/cycle']) {
      const answer = await rawRequest(url, 'GET', path);
      expect([path, answer.status]).toEqual([path, 422]);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(answer.text).error.code).toBe('E_RESPONSE_NOT_JSON');
    }
    const refused = await rawRequest(url, 'GET', '/refused');
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({
      error: { code: 'E_INVALID_BODY', message: 'refused' },
    });
    const created = await rawRequest(url, 'POST', '/created');
    expect([created.status, JSON.parse(created.text)]).toEqual([201, { ok: true }]);
  });

  it('answers an unknown or wrong method with a JSON 405 and the Allow header', async () => {
    for (const method of ['PROPFIND', 'PATCH', 'DELETE', 'PUT']) {
      const answer = await rawRequest(url, method, '/deep');
      expect([method, answer.status]).toEqual([method, 405]);
      expect(answer.headers.allow).toMatch(/GET/);
      expect(JSON.parse(answer.text).error.code).toBe('E_METHOD_NOT_ALLOWED');
    }
  });

  it('logs a bug on /hooks/:key with the key cut to 4 characters', async () => {
    const key = 'hk_0123456789abcdefSECRETPART';
    const answer = await rawRequest(url, 'POST', `/hooks/${key}`, { body: '{}' });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text).error.code).toBe('E_INTERNAL');
    const log = lines.join('');
    expect(log).toContain('unhandled error in request');
    expect(log).toContain('/hooks/hk_0…');
    expect(log).not.toContain('SECRETPART');
    expect(redactPath('/hooks/abc')).toBe('/hooks/abc');
    expect(redactPath('/hooks/abcdef/x')).toBe('/hooks/abcd…/…');
    expect(redactPath('/api/v1/functions')).toBe('/api/v1/functions');
  });
});

describe('the engine log and the admin API keep secrets secret', () => {
  let t: CapturedEngine;
  let receiver: http.Server;
  let receiverUrl: string;
  const SECRETS = {
    envValue: 'env-value-0f-a-5ecret',
    accountToken: 'acct-token-5ecret',
    aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    webhookSecret: 'webhook-5ecret-given-by-user',
  };
  const APP_ID = 'wx2c2769f8efd9abc2';
  let hookKey: string;
  let generatedSecret: string;

  beforeAll(async () => {
    t = await startCapturedEngine({ env: { CLOUDFN_WEBHOOK_ALLOW_PRIVATE: '1' } });
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const ok = (r: { status: number; body: unknown }) =>
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    ok(
      await t.api('PUT', `/wechat/accounts/${APP_ID}`, {
        token: SECRETS.accountToken,
        encodingAESKey: SECRETS.aesKey,
        mode: 'compatible',
      }),
    );
    ok(
      await t.api('PUT', '/functions/leaky', {
        code: 'exports.main = async (event) => { throw new Error("failed with " + process.env.API_KEY) }',
        env: { API_KEY: SECRETS.envValue },
      }),
    );
    const created = await t.api('POST', '/triggers', {
      name: 'forward',
      type: 'webhook',
      actions: [
        { type: 'webhook', url: `${receiverUrl}/a`, secret: SECRETS.webhookSecret },
        { type: 'webhook', url: `${receiverUrl}/b` },
        { type: 'function', function: 'leaky' },
      ],
      retry: { attempts: 1 },
    });
    ok(created);
    hookKey = created.body.key;
    generatedSecret = created.body.actions[1].secret;
  });

  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('shows the hook key and webhook secrets once, at creation; then only hints', async () => {
    expect(hookKey).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(generatedSecret.length).toBeGreaterThanOrEqual(32);
    const one = await t.api('GET', '/triggers/forward');
    const list = await t.api('GET', '/triggers');
    for (const body of [one.body, list.body]) {
      const text = JSON.stringify(body);
      for (const secret of [hookKey, generatedSecret, SECRETS.webhookSecret])
        expect(text).not.toContain(secret);
    }
    expect(one.body).toMatchObject({
      key_hint: `…${hookKey.slice(-4)}`,
      actions: [
        { secret_hint: `…${SECRETS.webhookSecret.slice(-4)}` },
        { secret_hint: `…${generatedSecret.slice(-4)}` },
        { type: 'function' },
      ],
    });
    const patched = await t.api('PATCH', '/triggers/forward', { enabled: true });
    expect(JSON.stringify(patched.body)).not.toContain(hookKey);
    expect(JSON.stringify(patched.body)).not.toContain(generatedSecret);
  });

  it('keeps secrets out of trigger-log rows', async () => {
    const fired = await fetch(`${t.engine.url}/hooks/${hookKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(fired.status).toBe(202);
    await t.engine.settled();
    const logs = await t.api('GET', '/triggers/forward/logs');
    expect(logs.body.objects).toHaveLength(3);
    const across = await t.api('GET', '/trigger-logs');
    const one = await t.api('GET', `/triggers/forward/logs/${logs.body.objects[0].id}`);
    for (const body of [logs.body, across.body, one.body]) {
      const text = JSON.stringify(body);
      for (const secret of [hookKey, generatedSecret, SECRETS.webhookSecret])
        expect(text).not.toContain(secret);
    }
    expect(
      logs.body.objects.map((l: { action: { secret_hint?: string } }) => l.action.secret_hint),
    ).toContain(`…${SECRETS.webhookSecret.slice(-4)}`);
  });

  it('writes no secret into the engine log while under attack', async () => {
    const url = t.engine.url;
    const json = { 'content-type': 'application/json' };
    const attacks: Array<[string, string, string?, Record<string, string>?]> = [
      ['POST', `/hooks/${hookKey}`, '{"a":'],
      ['POST', `/hooks/${hookKey}`, `${'['.repeat(30_000)}${']'.repeat(30_000)}`],
      ['POST', `/hooks/${hookKey}/`, '{}'],
      ['POST', `/hooks/${hookKey}x`, '{}'],
      ['GET', `/hooks/${hookKey}`],
      ['PROPFIND', `/hooks/${hookKey}`],
      ['POST', `/HOOKS/${hookKey}`, '{}'],
      ['POST', `/hooks/${hookKey}`, 'x'.repeat(300 * 1024)],
      ['GET', '/api/v1/functions', undefined, { authorization: `Bearer ${t.engine.adminToken}x` }],
      ['POST', `/wechat/${APP_ID}?timestamp=1&nonce=2&signature=3`, '<xml/>'],
      [
        'POST',
        `/wechat/${APP_ID}?encrypt_type=aes&timestamp=1&nonce=2&msg_signature=3`,
        '<xml><Encrypt>QUJD</Encrypt></xml>',
      ],
      ['GET', `/wechat/${APP_ID}?echostr=x&timestamp=1&nonce=2&signature=3`],
    ];
    for (const [method, path, body, headers] of attacks) {
      const answer = await rawRequest(url, method, path, {
        headers: { ...json, ...headers },
        ...(body === undefined ? {} : { body }),
      });
      expect([method, path.slice(0, 40), answer.status < 500]).toEqual([
        method,
        path.slice(0, 40),
        true,
      ]);
    }
    // A valid push, and the function that fails with its env value in the message.
    const push = buildPush(
      { appId: APP_ID, token: SECRETS.accountToken, encodingAESKey: SECRETS.aesKey },
      '<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[x]]></Content><MsgId>77</MsgId></xml>',
      { safe: true },
    );
    const answer = await fetch(`${url}/wechat/${APP_ID}?${push.query.toString()}`, {
      method: 'POST',
      body: push.body,
    });
    expect(await answer.text()).toBe('success');
    const invoked = await t.api('POST', '/functions/leaky/invoke', {});
    expect(invoked.body.code).toBe(1);
    await t.engine.settled();

    const log = t.logText();
    expect(log.length).toBeGreaterThan(0);
    expect(log).toContain('push refused'); // the capture does hold the engine's lines
    for (const [name, secret] of Object.entries({
      ...SECRETS,
      hookKey,
      generatedSecret,
      adminToken: t.engine.adminToken,
    })) {
      expect([name, log.includes(secret)]).toEqual([name, false]);
    }
  });
});
