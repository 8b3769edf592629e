import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture } from '../../helpers/fixtures.ts';
import { startReceiverEngine, type ReceiverEngine } from './helpers/receiver-engine.ts';
import { codeOf, post } from './helpers/pushes.ts';

// The accounts admin API and the admin-only signing route `cloudfn push` uses, over HTTP.
const KEY = 'F'.repeat(43);
const TEXT = wechatFixture('text.xml');

let t: ReceiverEngine;

beforeAll(async () => {
  t = await startReceiverEngine();
});

afterAll(async () => {
  await t?.close();
});

describe('PUT /api/v1/wechat/accounts/:appId', () => {
  it('defaults the mode to safe with a key and to plain without, and never echoes secrets', async () => {
    const safe = await t.api('PUT', '/wechat/accounts/wxaccountsafe0001', {
      token: 'secret-token',
      encodingAESKey: KEY,
    });
    expect(safe).toMatchObject({
      status: 200,
      body: {
        appId: 'wxaccountsafe0001',
        mode: 'safe',
        hasEncodingAESKey: true,
        hasPreviousEncodingAESKey: false,
      },
    });
    const plain = await t.api('PUT', '/wechat/accounts/wxaccountplain001', {
      token: 'secret-token',
    });
    expect(plain.body).toMatchObject({ mode: 'plain', hasEncodingAESKey: false });
    const list = await t.api('GET', '/wechat/accounts');
    expect(list.body.meta.total_count).toBe(2);
    expect(JSON.stringify(list.body)).not.toMatch(/secret-token|FFFF/);
    const one = await t.api('GET', '/wechat/accounts/wxaccountsafe0001');
    expect(one.body).toMatchObject({ appId: 'wxaccountsafe0001', mode: 'safe' });
    expect(JSON.stringify(one.body)).not.toMatch(/secret-token|FFFF/);
  });

  it.each([
    ['a key of 42 characters', { token: 't', encodingAESKey: 'F'.repeat(42) }, 'E_WECHAT_BAD_KEY'],
    ['safe mode without a key', { token: 't', mode: 'safe' }, 'E_WECHAT_BAD_KEY'],
    ['an unknown mode', { token: 't', mode: 'secure' }, 'E_INVALID_BODY'],
    ['an unknown field', { token: 't', aesKey: KEY }, 'E_INVALID_BODY'],
  ])('refuses %s with 400, storing nothing', async (_label, body, code) => {
    const answer = await t.api('PUT', '/wechat/accounts/wxaccountrefused01', body);
    expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: 400, code });
    expect((await t.api('GET', '/wechat/accounts/wxaccountrefused01')).status).toBe(404);
  });

  it('DELETE removes the account: its pushes then get 404', async () => {
    await t.api('PUT', '/wechat/accounts/wxaccountdelete01', { token: 'tok' });
    expect((await t.api('DELETE', '/wechat/accounts/wxaccountdelete01')).status).toBe(204);
    expect((await t.api('DELETE', '/wechat/accounts/wxaccountdelete01')).status).toBe(404);
    const signed = await t.api('POST', '/wechat/accounts/wxaccountdelete01/sign', { body: TEXT });
    expect({ status: signed.status, code: signed.body.error.code }).toEqual({
      status: 404,
      code: 'E_WECHAT_UNKNOWN_ACCOUNT',
    });
  });

  it('the account routes need the admin token', async () => {
    const response = await fetch(`${t.url}/api/v1/wechat/accounts`);
    expect(response.status).toBe(401);
  });
});

describe('POST /api/v1/wechat/accounts/:appId/sign', () => {
  it.each([
    ['plain', 'wxaccountplain001', undefined, false],
    ['safe', 'wxaccountsafe0001', undefined, true],
    ['safe, asked for plaintext', 'wxaccountsafe0001', false, false],
  ] as const)(
    '%s: builds a push the receiver accepts',
    async (_label, appId, encrypt, encrypted) => {
      const xml = TEXT.replace('24602856263318283', String(Date.now()));
      const signed = await t.api('POST', `/wechat/accounts/${appId}/sign`, {
        body: xml,
        ...(encrypt === undefined ? {} : { encrypt }),
      });
      expect(signed.status).toBe(200);
      expect(signed.body.query.encrypt_type === 'aes').toBe(encrypted);
      expect(signed.body.body.includes('<Encrypt>')).toBe(encrypted);
      const answer = await post(t.url, appId, {
        query: signed.body.query,
        body: signed.body.body,
        contentType: signed.body.contentType,
      });
      // A safe account refuses the plaintext one: signing does not bypass the mode.
      if (appId === 'wxaccountsafe0001' && !encrypted)
        expect({ status: answer.status, code: codeOf(answer) }).toEqual({
          status: 400,
          code: 'E_WECHAT_MODE',
        });
      else expect(answer).toMatchObject({ status: 200, text: 'success' });
    },
  );

  it('refuses a body that is not a WeChat message', async () => {
    const signed = await t.api('POST', '/wechat/accounts/wxaccountplain001/sign', {
      body: '<!DOCTYPE x><xml></xml>',
    });
    expect({ status: signed.status, code: signed.body.error.code }).toEqual({
      status: 400,
      code: 'E_WECHAT_MALFORMED',
    });
  });
});
