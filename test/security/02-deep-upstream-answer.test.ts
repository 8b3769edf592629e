import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

// Attack class (with 02-deep-nesting): a deep value from an outside service. The engine
// parses WeChat's API answers itself and hands them to the function as JSON; an answer
// nested tens of thousands of levels deep (a hostile or broken upstream, a proxy) made that
// JSON.stringify throw outside any catch, and the engine exit. Now the call fails with
// E_JSON_TOO_DEEP and the engine goes on.
const APP_ID = 'wx2c2769f8efd9abc2';
const LEVELS = 50_000;

describe('a WeChat API answer nested too deep', () => {
  let upstream: http.Server;
  let t: TestEngine;

  beforeAll(async () => {
    // Follows the documented shapes of /cgi-bin/token; /cgi-bin/user/info answers the poison.
    upstream = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/cgi-bin/token'))
        res.end(JSON.stringify({ access_token: 'token-1', expires_in: 7200 }));
      else res.end('{"openid":"o","x":' + '{"a":'.repeat(LEVELS) + '1' + '}'.repeat(LEVELS) + '}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    t = await startTestEngine({ env: { CLOUDFN_WECHAT_API_URL: url } });
    const put = await t.api('PUT', `/wechat/accounts/${APP_ID}`, {
      token: 'spamtest',
      appSecret: 'c1d9bbf0e7c64f7e8e6f9a0b1c2d3e4f',
    });
    expect(put.status).toBe(200);
    const code = `exports.main = async () => {
      try { await BaaS.wechat.getUserInfo('o'); return 'answered'; }
      catch (e) { return e.reason || e.code; }
    };`;
    expect((await t.api('PUT', '/functions/info', { code })).status).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('fails that call with E_JSON_TOO_DEEP; the engine answers after', async () => {
    const run = await t.api('POST', '/functions/info/invoke', {});
    expect(run.body).toMatchObject({ code: 0, data: 'E_JSON_TOO_DEEP' });
    expect((await fetch(`${t.engine.url}/healthz`)).status).toBe(200);
    expect((await t.api('POST', '/functions/info/invoke', {})).body.data).toBe('E_JSON_TOO_DEEP');
  });
});
