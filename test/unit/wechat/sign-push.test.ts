// signPush builds pushes exactly as WeChat would; openPush must accept every one of them.
import { describe, expect, it } from 'vitest';
import {
  computeSignature,
  openPush,
  parseWechatJson,
  parseWechatXml,
  prepareAccount,
  signPush,
} from '../../../engine/wechat/index.ts';
import { expectWechatError, fixture, fixtureNames } from './fixtures.ts';

const APP_ID = 'wxsigner000000001';
const TOKEN = 'signerToken';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const NOW = 1_714_000_000;
const MODES = ['plain', 'compatible', 'safe'] as const;
const MESSAGES = fixtureNames().filter(
  (name) =>
    !name.startsWith('attack_') &&
    !name.startsWith('encrypted_') &&
    name !== 'mp_debug_demo_safe.json',
);

function account(mode: (typeof MODES)[number]) {
  return prepareAccount({ appId: APP_ID, token: TOKEN, encodingAESKey: KEY, mode });
}

describe('signPush ↔ openPush', () => {
  it.each(MODES.flatMap((mode) => MESSAGES.map((name) => [mode, name] as const)))(
    '%s mode: %s opens to the same event.data as the plaintext',
    (mode, name) => {
      const body = fixture(name).toString('utf8');
      const signed = signPush(account(mode), { body, timestamp: NOW, nonce: '13579' });
      const opened = openPush(account(mode), {
        query: signed.query,
        body: Buffer.from(signed.body),
        nowSeconds: NOW + 10,
      });
      const reference = openPush(account('plain'), {
        query: signPush(account('plain'), { body, timestamp: NOW }).query,
        body: Buffer.from(body),
        nowSeconds: NOW,
      });
      expect(opened.encrypted).toBe(mode !== 'plain');
      expect(opened.data).toStrictEqual(reference.data);
      expect(opened.dedupKey).toBe(reference.dedupKey);
    },
  );

  it('signs the query as WeChat does, with openid, encrypt_type and msg_signature', () => {
    const body = fixture('text.xml').toString('utf8');
    const signed = signPush(account('safe'), {
      body,
      timestamp: NOW,
      nonce: '42',
      random: Buffer.alloc(16, 1),
    });
    const encrypt = parseWechatXml(signed.body).Encrypt as string;
    expect(signed.query).toStrictEqual({
      signature: computeSignature(TOKEN, String(NOW), '42'),
      timestamp: String(NOW),
      nonce: '42',
      openid: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
      encrypt_type: 'aes',
      msg_signature: computeSignature(TOKEN, String(NOW), '42', encrypt),
    });
    expect(Object.keys(parseWechatXml(signed.body))).toStrictEqual(['ToUserName', 'Encrypt']);
    expect(signed.contentType).toMatch(/^text\/xml/);
  });

  it('puts the plaintext fields beside Encrypt in compatible mode, 64-bit MsgId exact in JSON', () => {
    const body = fixture('mp_kf_text.json').toString('utf8');
    const signed = signPush(account('compatible'), { body, timestamp: NOW });
    expect(signed.body).toContain('"MsgId": 6054768590064713728');
    expect(parseWechatJson(signed.body)).toMatchObject({
      MsgId: '6054768590064713728',
      Content: 'this is a test',
    });
    expect(typeof parseWechatJson(signed.body).Encrypt).toBe('string');
    const safe = signPush(account('safe'), { body, timestamp: NOW });
    expect(Object.keys(JSON.parse(safe.body) as object)).toStrictEqual(['ToUserName', 'Encrypt']);
    expect(safe.contentType).toMatch(/^application\/json/);
  });

  it('draws a fresh nonce and random each time unless given', () => {
    const body = fixture('text.xml').toString('utf8');
    const a = signPush(account('safe'), { body, timestamp: NOW });
    const b = signPush(account('safe'), { body, timestamp: NOW });
    expect(a.query.nonce).toMatch(/^\d{9}$/);
    expect(a.body).not.toBe(b.body);
  });

  it('refuses a body that is not a WeChat message, and encryption without a key', () => {
    expectWechatError(
      () => signPush(account('plain'), { body: '<xml><a>', timestamp: NOW }),
      'E_WECHAT_MALFORMED',
    );
    const noKey = prepareAccount({ appId: APP_ID, token: TOKEN, mode: 'plain' });
    const body = fixture('text.xml').toString('utf8');
    expectWechatError(
      () => signPush(noKey, { body, timestamp: NOW, encrypt: true }),
      'E_WECHAT_MODE',
    );
    expect(signPush(noKey, { body, timestamp: NOW }).body).toBe(body.trim());
  });
});
