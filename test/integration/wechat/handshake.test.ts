import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture } from '../../helpers/fixtures.ts';
import { computeSignature } from '../../../engine/wechat/index.ts';
import { putAccount, startReceiverEngine, type ReceiverEngine } from './helpers/receiver-engine.ts';
import { codeOf, nowSeconds } from './helpers/pushes.ts';

// The URL check WeChat makes when 服务器配置 is saved: GET ?signature&timestamp&nonce&echostr.
const V = (
  JSON.parse(wechatFixture('vectors.json')) as {
    A_url_verify: {
      token: string;
      timestamp: string;
      nonce: string;
      echostr: string;
      signature: string;
    };
  }
).A_url_verify;
const APP_ID = 'wxba5fad812f8e6fb9';
const SAFE_APP_ID = 'wxsafehandshake001';

let t: ReceiverEngine;

beforeAll(async () => {
  t = await startReceiverEngine();
  await putAccount(t, APP_ID, { token: V.token, mode: 'plain' });
  // A safe account answers the URL check the same way: WeChat sends it in plaintext.
  await putAccount(t, SAFE_APP_ID, {
    token: V.token,
    encodingAESKey: 'C'.repeat(43),
    mode: 'safe',
  });
});

afterAll(async () => {
  await t?.close();
});

async function check(
  appId: string,
  query: Record<string, string>,
): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${t.url}/wechat/${appId}?${new URLSearchParams(query).toString()}`);
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get('content-type'),
  };
}

describe('GET /wechat/:appId (URL check)', () => {
  it('answers the official vector with the bare echostr as text/plain', async () => {
    t.clock.setSeconds(Number(V.timestamp));
    const answer = await check(APP_ID, {
      signature: V.signature,
      timestamp: V.timestamp,
      nonce: V.nonce,
      echostr: V.echostr,
    });
    expect(answer).toEqual({ status: 200, text: V.echostr, type: 'text/plain; charset=utf-8' });
  });

  it('answers a safe-mode account, and echoes any echostr verbatim (no HTML, no quotes)', async () => {
    t.clock.offsetMs = 0;
    const timestamp = nowSeconds();
    const echostr = '<b>"12&34"</b>';
    const signature = computeSignature(V.token, timestamp, '42');
    const answer = await check(SAFE_APP_ID, { signature, timestamp, nonce: '42', echostr });
    expect(answer).toEqual({ status: 200, text: echostr, type: 'text/plain; charset=utf-8' });
  });

  it.each([
    ['a wrong signature', { signature: '0'.repeat(40) }, 401, 'E_WECHAT_BAD_SIGNATURE'],
    ['no signature', { signature: undefined }, 401, 'E_WECHAT_BAD_SIGNATURE'],
    ['no echostr', { echostr: undefined }, 400, 'E_WECHAT_MALFORMED'],
  ])('refuses %s', async (_label, change, status, code) => {
    t.clock.setSeconds(Number(V.timestamp));
    const query: Record<string, string | undefined> = {
      signature: V.signature,
      timestamp: V.timestamp,
      nonce: V.nonce,
      echostr: V.echostr,
      ...change,
    };
    const answer = await check(
      APP_ID,
      Object.fromEntries(
        Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined),
      ),
    );
    expect({ status: answer.status, code: codeOf(answer) }).toEqual({ status, code });
    expect(answer.text).not.toContain(V.echostr);
    expect(t.logs.at(-1)).toMatchObject({ appId: APP_ID, code, status });
  });

  it('refuses the official vector once its timestamp is over 5 minutes old (a replayed check)', async () => {
    t.clock.setSeconds(Number(V.timestamp) + 301);
    const answer = await check(APP_ID, {
      signature: V.signature,
      timestamp: V.timestamp,
      nonce: V.nonce,
      echostr: V.echostr,
    });
    expect({ status: answer.status, code: codeOf(answer) }).toEqual({
      status: 401,
      code: 'E_WECHAT_STALE_TIMESTAMP',
    });
  });

  it('stores nothing for URL checks', () => {
    expect(t.count('inbox')).toBe(0);
  });
});
