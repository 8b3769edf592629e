import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envDigest } from '../../../engine/functions/env-digest.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { buildPush } from '../../helpers/wechat-push.ts';
import { wechatFixture } from '../../helpers/fixtures.ts';

// The engine routes the console adds: test runs of drafts, one version's code, the deploy
// precondition, GET /metrics and the SSE live log. A real engine, real isolates.
let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(() => t.close());

const put = async (name: string, code: string, headers: Record<string, string>) => {
  const res = await fetch(`${t.engine.url}/api/v1/functions/${name}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${t.engine.adminToken}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify({ code }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('POST /functions/:name/test', () => {
  it('runs the draft with the sample event and saves no version and no job', async () => {
    const code = `exports.main = async (event) => { console.log('got', event.data.Event); return { echoed: event.data.Event }; };`;
    const res = await t.api('POST', '/functions/drafty/test', {
      code,
      data: { Event: 'user_consume_card' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('fulfilled');
    expect(res.body.result).toEqual({ echoed: 'user_consume_card' });
    expect(res.body.log.map((l: any) => l.message)).toEqual(['got user_consume_card']);
    expect((await t.api('GET', '/functions/drafty')).status).toBe(404);
  });

  it('runs the draft, not the deployed version, with the deployed env', async () => {
    await t.api('PUT', '/functions/both', {
      code: 'exports.main = async () => "deployed";',
      env: { GREETING: 'hi' },
    });
    const res = await t.api('POST', '/functions/both/test', {
      code: 'exports.main = async () => "draft " + process.env.GREETING;',
    });
    expect(res.body.result).toBe('draft hi');
    const invoked = await t.api('POST', '/functions/both/invoke', {});
    expect(invoked.body.data).toBe('deployed');
    const jobs = await t.api('GET', '/functions/both/jobs');
    expect(jobs.body.meta.total_count).toBe(1);
  });

  it('answers a draft that does not build with 400 E_FUNCTION_BUILD and a thrown error as execution_failed', async () => {
    const bad = await t.api('POST', '/functions/broken/test', { code: 'exports.main = (' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('E_FUNCTION_BUILD');
    const throws = await t.api('POST', '/functions/broken/test', {
      code: 'exports.main = async () => { throw new Error("nope"); };',
    });
    expect(throws.body.status).toBe('execution_failed');
    expect(throws.body.error.message).toBe('nope');
    const invalid = await t.api('POST', '/functions/broken/test', { code: 'x', extra: 1 });
    expect(invalid.status).toBe(400);
  });
});

describe('deploy preconditions', () => {
  it('refuses with 409 a deploy based on a version that is no longer active', async () => {
    const first = await put('racy', 'exports.main = async () => 1;', { 'if-none-match': '*' });
    expect(first.status).toBe(201);
    expect(first.body.version).toBe(1);
    const again = await put('racy', 'exports.main = async () => 1;', { 'if-none-match': '*' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('E_FUNCTION_VERSION_CONFLICT');

    const mine = await put('racy', 'exports.main = async () => 2;', { 'if-match': '"1"' });
    expect(mine.status).toBe(200);
    expect(mine.body.version).toBe(2);
    // A second editor still on version 1:
    const theirs = await put('racy', 'exports.main = async () => 3;', { 'if-match': '"1"' });
    expect(theirs.status).toBe(409);
    expect(theirs.body.error).toMatchObject({ code: 'E_FUNCTION_VERSION_CONFLICT', actual: 2 });
    expect((await t.api('GET', '/functions/racy')).body.version).toBe(2);
    // Without a precondition (the CLI) a deploy is unconditional, as before.
    expect((await put('racy', 'exports.main = async () => 4;', {})).body.version).toBe(3);
  });

  it('gives one version with its code, without the inline source map', async () => {
    const res = await t.api('GET', '/functions/racy/versions/2');
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.body.code).toContain('async () => 2');
    expect(res.body.code).not.toContain('sourceMappingURL');
    expect((await t.api('GET', '/functions/racy/versions/99')).body.error.code).toBe(
      'E_FUNCTION_VERSION_NOT_FOUND',
    );
  });

  it('serves the CLI too: "active", the code exactly as stored with raw=true, env_sha256', async () => {
    const active = await t.api('GET', '/functions/racy/versions/active?raw=true');
    expect(active.status).toBe(200);
    expect(active.body.version).toBe(3);
    // Raw is the stored bundle itself: its sha256 is the version's, source map included.
    expect(createHash('sha256').update(active.body.code).digest('hex')).toBe(active.body.sha256);
    expect(active.body.code).toContain('sourceMappingURL');
    expect(active.body.env_sha256).toBe(envDigest({}));
    const readable = await t.api('GET', '/functions/racy/versions/3');
    expect(readable.body.code).not.toContain('sourceMappingURL');
    expect(readable.body.env_sha256).toBe(active.body.env_sha256);
    expect(
      (await t.api('GET', '/functions/racy/versions/active?raw=yes')).body.error,
    ).toMatchObject({ code: 'E_INVALID_QUERY', path: 'raw' });
    for (const v of ['latest', '1.5', '-1'])
      expect((await t.api('GET', `/functions/racy/versions/${v}`)).body.error.code).toBe(
        'E_FUNCTION_VERSION_NOT_FOUND',
      );
    // One route for both callers: the former /code is gone.
    expect((await t.api('GET', '/functions/racy/code')).status).toBe(404);
  });
});

describe('POST /wechat/accounts/:appId/open-reply', () => {
  it('opens a sealed answer with the account key and passes a plain one through', async () => {
    const appId = 'wxreplyopen00001';
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    await t.api('PUT', `/wechat/accounts/${appId}`, {
      token: 'tok',
      encodingAESKey: key,
      mode: 'safe',
    });
    // What the engine itself seals for this account: a signed, encrypted push body.
    const sealed = await t.api('POST', `/wechat/accounts/${appId}/sign`, {
      body: '<xml><Content><![CDATA[hi]]></Content></xml>',
      encrypt: true,
    });
    const opened = await t.api('POST', `/wechat/accounts/${appId}/open-reply`, {
      body: sealed.body.body,
    });
    expect(opened.status).toBe(200);
    expect(opened.body.encrypted).toBe(true);
    expect(opened.body.message).toContain('<Content><![CDATA[hi]]></Content>');
    const plain = await t.api('POST', `/wechat/accounts/${appId}/open-reply`, { body: 'success' });
    expect(plain.body).toEqual({ encrypted: false, message: 'success' });
    const unknown = await t.api('POST', '/wechat/accounts/wxnobody/open-reply', { body: 'x' });
    expect(unknown.status).toBe(404);
  });
});

describe('GET /metrics and GET /events', () => {
  it('counts pushes accepted, deduplicated and refused, and runs with their times', async () => {
    const account = { appId: 'wxmetrics0000001', token: 'metricstoken' };
    await t.api('PUT', `/wechat/accounts/${account.appId}`, { token: account.token });
    const push = buildPush(account, wechatFixture('user_consume_card.xml'));
    const send = (query: URLSearchParams) =>
      fetch(`${t.engine.url}/wechat/${account.appId}?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: push.body,
      });
    expect((await send(push.query)).status).toBe(200);
    expect((await send(push.query)).status).toBe(200); // WeChat's retry: a duplicate
    const forged = new URLSearchParams(push.query);
    forged.set('signature', '0'.repeat(40));
    expect((await send(forged)).status).toBeGreaterThanOrEqual(400);
    await t.api('PUT', '/functions/timed', { code: 'exports.main = async () => 1;' });
    await t.api('POST', '/functions/timed/invoke', {});

    const res = await t.api('GET', '/metrics?window=hour');
    expect(res.status).toBe(200);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(res.body.series.accepted)).toBe(1);
    expect(sum(res.body.series.deduplicated)).toBe(1);
    expect(sum(res.body.series.refused)).toBe(1);
    expect(res.body.series.t).toHaveLength(60);
    expect(res.body.jobsByStatus.fulfilled).toBeGreaterThanOrEqual(1);
    expect(res.body.runTimeMs.p50).toBeGreaterThan(0);
    expect(res.body.runTimeMs.p99).toBeGreaterThanOrEqual(res.body.runTimeMs.p50);
    expect(res.body).toMatchObject({ deadLetters: 0, executorRestarts: 0, quarantined: [] });
    const day = await t.api('GET', '/metrics?window=day');
    expect(day.body.series.t).toHaveLength(96);
    expect((await t.api('GET', '/metrics?window=week')).status).toBe(400);
  });

  it('streams each finished run to a live-log subscriber', async () => {
    await t.api('PUT', '/functions/streamed', { code: 'exports.main = async () => 1;' });
    const controller = new AbortController();
    const res = await fetch(`${t.engine.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${t.engine.adminToken}` },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The first chunk (retry:) arrives on connect: the subscription is in place after it.
    text += decoder.decode((await reader.read()).value);
    expect(text).toContain('retry:');
    await t.api('POST', '/functions/streamed/invoke', {});
    while (!text.includes('"function":"streamed"'))
      text += decoder.decode((await reader.read()).value);
    const line = text.split('\n').find((l) => l.startsWith('data:') && l.includes('streamed'))!;
    const event = JSON.parse(line.slice(5));
    expect(event).toMatchObject({ kind: 'job', function: 'streamed', status: 'fulfilled' });
    controller.abort();
  });
});
