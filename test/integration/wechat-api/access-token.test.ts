// The access-token manager on a real engine against the fake WeChat API (issue 20): one
// fetch for 100 concurrent functions, one refetch and one retry when a token is revoked
// mid-run, refresh before expiry, back-off after failures, fetch counts in the admin API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_ID,
  APP_SECRET,
  deploy,
  invoke,
  manualClock,
  startWechatSetup,
  type WechatSetup,
} from './setup.ts';

let s: WechatSetup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const TOKEN_FN = `exports.main = async (event) => BaaS.wxAccessToken(event.signKey)`;

describe('fetching', () => {
  it('100 concurrent functions cause one token fetch and all get the same token', async () => {
    s = await startWechatSetup();
    const { t, fake } = s;
    expect(
      (
        await t.api('POST', '/tables', {
          name: 'started',
          fields: [{ name: 'n', type: 'integer' }],
        })
      ).status,
    ).toBe(201);
    // Each run records that it started, then asks for the token; the fake holds token answers
    // until all 100 have started, so they all need a token at once.
    const code = `exports.main = async (event) => {
      const row = new BaaS.TableObject('started').create();
      row.set({ n: event.data.n });
      await row.save();
      return BaaS.wxAccessToken(event.signKey);
    }`;
    // 4 functions × 25 runs: the per-function concurrency cap is 32.
    // They wait for each other: a generous deadline, so a busy machine does not fail the test.
    for (const i of [0, 1, 2, 3]) await deploy(t, `token${i}`, code, { timeoutMs: 120_000 });
    const hold = fake.holdTokens();
    const runs = Array.from({ length: 100 }, (_, n) => invoke(t, `token${n % 4}`, { n }));
    for (;;) {
      const started = await t.api('GET', '/tables/started/records?limit=1');
      if (started.body.meta.total_count === 100) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    hold.release();
    const answers = await Promise.all(runs);
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill('fulfilled'));
    expect(new Set(answers.map((a) => a.data.access_token))).toEqual(
      new Set([`TOKEN_${APP_ID}_1`]),
    );
    expect(fake.count('/cgi-bin/token')).toBe(1);
    expect(fake.callsTo('/cgi-bin/token')[0]!.query).toMatchObject({
      grant_type: 'client_credential',
      appid: APP_ID,
    });
  });

  it('a token revoked mid-run costs one refetch; every call is retried once and succeeds', async () => {
    // A service of the test's own that revokes the account's tokens when a function calls it:
    // the revocation happens between two WeChat calls of the same runs.
    s = await startWechatSetup({ env: { CLOUDFN_OUTBOUND_ALLOW_PRIVATE: '1' } });
    const { t, fake } = s;
    let revocations = 0;
    let arrived = 0;
    let releaseAll: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
    const revoker = http.createServer((req, res) => {
      arrived++;
      if (arrived === 10) {
        fake.revokeTokens(APP_ID);
        revocations++;
        releaseAll();
      }
      void allArrived.then(() => res.end('revoked'));
    });
    await new Promise<void>((resolve) => revoker.listen(0, '127.0.0.1', resolve));
    const revokerUrl = `http://127.0.0.1:${(revoker.address() as AddressInfo).port}/`;
    try {
      await deploy(
        t,
        'notify',
        `exports.main = async (event) => {
          const send = (content) => BaaS.wechat.sendCustomerMessage({
            touser: event.data.openid, msgtype: 'text', text: { content } });
          await send('first');
          await BaaS.request.get(event.data.revoker);
          return send('second');
        }`,
      );
      const runs = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          invoke(t, 'notify', { openid: `oUser000${i}`, revoker: revokerUrl }),
        ),
      );
      expect(runs.map((r) => [r.status, r.data])).toEqual(
        Array(10).fill(['fulfilled', { errcode: 0, errmsg: 'ok' }]),
      );
      expect(revocations).toBe(1);
      expect(fake.count('/cgi-bin/token')).toBe(2);
      // 10 first sends; of the second sends, those made before the refetch were refused with
      // 40001 and retried once; every second send ended with the new token.
      const sends = fake.callsTo('/cgi-bin/message/custom/send');
      const refused = sends.length - 20;
      expect(refused).toBeGreaterThanOrEqual(1);
      expect(refused).toBeLessThanOrEqual(10);
      expect(sends.filter((c) => c.query.access_token === `TOKEN_${APP_ID}_1`)).toHaveLength(
        10 + refused,
      );
      expect(sends.filter((c) => c.query.access_token === `TOKEN_${APP_ID}_2`)).toHaveLength(10);
    } finally {
      revoker.closeAllConnections();
      await new Promise<void>((resolve) => revoker.close(() => resolve()));
    }
  });

  it('an expired token (42001) is fetched again and the call retried once', async () => {
    s = await startWechatSetup();
    const { t, fake } = s;
    await deploy(t, 'info', `exports.main = async () => BaaS.wechat.getUserInfo('oUser0001')`);
    expect((await invoke(t, 'info')).status).toBe('fulfilled');
    fake.expireTokens(APP_ID);
    const second = await invoke(t, 'info');
    expect(second.status).toBe('fulfilled');
    expect(second.data).toMatchObject({ openid: 'oUser0001', subscribe: 1 });
    expect(fake.count('/cgi-bin/token')).toBe(2);
  });
});

describe('expiry and failures', () => {
  it('refreshes at 80 % of expires_in, before the token is used past that point', async () => {
    const clock = manualClock();
    s = await startWechatSetup({ clock });
    const { t, fake } = s;
    await deploy(t, 'tok', TOKEN_FN);
    const first = await invoke(t, 'tok');
    expect(first.data).toEqual({ access_token: `TOKEN_${APP_ID}_1`, expires_in: 7200 });
    clock.advance(5700_000); // 79 %: still the cached token
    expect((await invoke(t, 'tok')).data).toEqual({
      access_token: `TOKEN_${APP_ID}_1`,
      expires_in: 1500,
    });
    expect(fake.count('/cgi-bin/token')).toBe(1);
    clock.advance(100_000); // 80.6 %: refreshed before this use
    expect((await invoke(t, 'tok')).data).toEqual({
      access_token: `TOKEN_${APP_ID}_2`,
      expires_in: 7200,
    });
    expect(fake.count('/cgi-bin/token')).toBe(2);
    const stats = (await t.api('GET', `/wechat/accounts/${APP_ID}/token-stats`)).body;
    expect(stats).toMatchObject({
      appId: APP_ID,
      fetchesToday: 2,
      failedFetchesToday: 0,
      dailyQuota: 2000,
      hasToken: true,
      consecutiveFailures: 0,
      nextAttemptAt: null,
    });
  });

  it('backs off after failed fetches (1 s, 2 s, …), reports them, and recovers', async () => {
    const clock = manualClock();
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    s = await startWechatSetup({ clock, log });
    const { t, fake } = s;
    await deploy(t, 'tok', TOKEN_FN);
    fake.failTokenFetches(2);

    const failed = await invoke(t, 'tok');
    expect(failed.status).toBe('execution_failed');
    // Uncaught, the job records the stable reason (inside the function, e.code is -1).
    expect(failed.error).toMatchObject({ code: 'E_WECHAT_API_BUSY', message: 'system error' });
    expect(fake.count('/cgi-bin/token')).toBe(1);

    // Within the back-off no fetch is made: the run fails at once with the reason.
    const waiting = await invoke(t, 'tok');
    expect(waiting.error).toMatchObject({ code: 'E_WECHAT_API_TOKEN_BACKOFF' });
    expect(fake.count('/cgi-bin/token')).toBe(1);
    let stats = (await t.api('GET', `/wechat/accounts/${APP_ID}/token-stats`)).body;
    expect(stats).toMatchObject({
      fetchesToday: 1,
      failedFetchesToday: 1,
      consecutiveFailures: 1,
      hasToken: false,
      lastError: '-1 system error',
    });
    expect(stats.nextAttemptAt).toBe(new Date(clock.now() + 1000).toISOString());

    clock.advance(1000);
    expect((await invoke(t, 'tok')).error).toMatchObject({ code: 'E_WECHAT_API_BUSY' });
    expect(fake.count('/cgi-bin/token')).toBe(2);
    clock.advance(1000); // the second back-off is 2 s
    expect((await invoke(t, 'tok')).error).toMatchObject({ code: 'E_WECHAT_API_TOKEN_BACKOFF' });
    expect(fake.count('/cgi-bin/token')).toBe(2);
    clock.advance(1000);
    const recovered = await invoke(t, 'tok');
    expect(recovered.status).toBe('fulfilled');
    expect(fake.count('/cgi-bin/token')).toBe(3);
    stats = (await t.api('GET', `/wechat/accounts/${APP_ID}/token-stats`)).body;
    expect(stats).toMatchObject({
      fetchesToday: 3,
      failedFetchesToday: 2,
      consecutiveFailures: 0,
      hasToken: true,
      lastError: null,
    });
    // Reported in the engine log (with the account and the back-off), never with the secret.
    const failures = lines.filter((l) => l.msg === 'WeChat access token fetch failed; backing off');
    expect(failures.map((l) => [l.appId, l.errcode, l.failures, l.retryInMs])).toEqual([
      [APP_ID, -1, 1, 1000],
      [APP_ID, -1, 2, 2000],
    ]);
    expect(lines.filter((l) => l.msg === 'WeChat access token fetched')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(APP_SECRET);
  });

  it('a wrong AppSecret fails with WeChat code 40125 and reason E_WECHAT_API_INVALID_SECRET', async () => {
    s = await startWechatSetup();
    const { t } = s;
    await t.api('PUT', `/wechat/accounts/${APP_ID}`, { token: 'spamtest', appSecret: 'wrong' });
    await deploy(
      t,
      'tok',
      `exports.main = async () => {
        try { await BaaS.wxAccessToken(); return 'no error'; }
        catch (e) { return { code: e.code, message: e.message, reason: e.reason }; }
      }`,
    );
    expect((await invoke(t, 'tok')).data).toEqual({
      code: 40125,
      message: 'invalid appsecret',
      reason: 'E_WECHAT_API_INVALID_SECRET',
    });
  });
});
