// The three official vector sets (notes §2.3): A from the mini-program 消息推送 page, B the
// WXBizMsgCrypt sample, C the Java WXBizMsgCryptTest. Nothing here is self-generated.
import { describe, expect, it } from 'vitest';
import {
  computeSignature,
  decryptMessage,
  encryptMessage,
  openPush,
  prepareAccount,
  sealReply,
  verifyEcho,
} from '../../../engine/wechat/index.ts';
import { expectWechatError, fixture, vectors } from './fixtures.ts';

describe('vector A (mini-program debug_demo)', () => {
  const url = vectors.A_url_verify;
  const plain = vectors.A_plain_post;
  const safe = vectors.A_safe_post;
  const reply = vectors.A_safe_reply;
  const safeAccount = prepareAccount({
    appId: safe.appid,
    token: safe.token,
    encodingAESKey: safe.encodingAESKey,
    mode: 'safe',
  });

  it('answers the URL check with the raw echostr', () => {
    expect(computeSignature(url.token, url.timestamp, url.nonce)).toBe(url.signature);
    const account = prepareAccount({
      appId: 'wxba5fad812f8e6fb9',
      token: url.token,
      mode: 'plain',
    });
    const { signature, timestamp, nonce, echostr } = url;
    expect(verifyEcho(account, { signature, timestamp, nonce, echostr }, Number(timestamp))).toBe(
      echostr,
    );
  });

  it('refuses the URL check with a wrong signature or token', () => {
    const account = prepareAccount({
      appId: 'wxba5fad812f8e6fb9',
      token: url.token,
      mode: 'plain',
    });
    const wrong = { ...url, signature: url.signature.replace(/^f/, 'e') };
    expectWechatError(
      () => verifyEcho(account, wrong, Number(url.timestamp)),
      'E_WECHAT_BAD_SIGNATURE',
    );
    const otherToken = prepareAccount({
      appId: 'wxba5fad812f8e6fb9',
      token: 'AAAAB',
      mode: 'plain',
    });
    expectWechatError(
      () => verifyEcho(otherToken, url, Number(url.timestamp)),
      'E_WECHAT_BAD_SIGNATURE',
    );
  });

  it('sorts in string order, not numerically ("1714037059" before "486452656")', () => {
    expect(computeSignature(plain.token, plain.timestamp, plain.nonce)).toBe(plain.signature);
  });

  it('opens the plaintext JSON push', () => {
    const account = prepareAccount({
      appId: 'wxba5fad812f8e6fb9',
      token: plain.token,
      mode: 'plain',
    });
    const query = { signature: plain.signature, timestamp: plain.timestamp, nonce: plain.nonce };
    const opened = openPush(account, {
      query,
      body: fixture(plain.body),
      nowSeconds: Number(plain.timestamp),
    });
    expect(opened.format).toBe('json');
    expect(opened.encrypted).toBe(false);
    expect(opened.data).toStrictEqual({
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: 1714037059,
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
      _AppId: 'wxba5fad812f8e6fb9',
    });
  });

  it('checks msg_signature over the raw Encrypt text and decrypts the safe JSON push', () => {
    const body = fixture(safe.body);
    const encrypt = (JSON.parse(body.toString('utf8')) as { Encrypt: string }).Encrypt;
    expect(computeSignature(safe.token, safe.timestamp, safe.nonce, encrypt)).toBe(
      safe.msg_signature,
    );
    expect(computeSignature(safe.token, safe.timestamp, safe.nonce)).toBe(safe.signature);

    const decrypted = decryptMessage(safeAccount.keys[0]!, encrypt);
    expect(decrypted.random.toString('latin1')).toBe(safe.decrypted_random);
    expect(Buffer.byteLength(decrypted.message)).toBe(safe.decrypted_msg_len);
    expect(decrypted.message).toBe(safe.decrypted_msg);
    expect(decrypted.appId).toBe(safe.appid);

    const query = {
      signature: safe.signature,
      timestamp: safe.timestamp,
      nonce: safe.nonce,
      encrypt_type: 'aes',
      msg_signature: safe.msg_signature,
    };
    const opened = openPush(safeAccount, { query, body, nowSeconds: Number(safe.timestamp) });
    expect(opened).toMatchObject({
      format: 'json',
      encrypted: true,
      keyIndex: 0,
      nonce: safe.nonce,
    });
    expect(opened.data).toStrictEqual({
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: 1714112445,
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
      _AppId: safe.appid,
    });
  });

  it('reproduces the golden encrypted reply byte for byte', () => {
    const sealed = sealReply(safeAccount, 0, reply.msg, 'json', {
      timestamp: reply.timestamp,
      nonce: reply.nonce,
      random: Buffer.from(reply.random, 'latin1'),
    });
    expect(JSON.parse(sealed)).toStrictEqual({
      Encrypt: reply.encrypt,
      MsgSignature: reply.msg_signature,
      TimeStamp: Number(reply.timestamp),
      Nonce: reply.nonce,
    });
    expect(
      encryptMessage(safeAccount.keys[0]!, reply.msg, reply.appid, Buffer.from(reply.random)),
    ).toBe(reply.encrypt);
    expect(Buffer.from(reply.encrypt, 'base64')).toHaveLength(64);
  });

  it('wraps the golden reply in the documented XML envelope', () => {
    const sealed = sealReply(safeAccount, 0, reply.msg, 'xml', {
      timestamp: reply.timestamp,
      nonce: reply.nonce,
      random: Buffer.from(reply.random),
    });
    expect(sealed).toBe(
      `<xml><Encrypt><![CDATA[${reply.encrypt}]]></Encrypt>` +
        `<MsgSignature><![CDATA[${reply.msg_signature}]]></MsgSignature>` +
        `<TimeStamp>${reply.timestamp}</TimeStamp><Nonce><![CDATA[${reply.nonce}]]></Nonce></xml>`,
    );
  });
});

describe('vector B (WXBizMsgCrypt sample)', () => {
  const b = vectors.B_wxbizmsgcrypt_sample;
  const query = {
    timestamp: b.timestamp,
    nonce: b.nonce,
    encrypt_type: 'aes',
    msg_signature: b.msg_signature,
  };

  it('has the documented signatures and decrypted parts', () => {
    const account = prepareAccount({
      appId: b.appid,
      token: b.token,
      encodingAESKey: b.encodingAESKey,
      mode: 'safe',
    });
    const encrypt = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(
      fixture(b.body).toString('utf8'),
    )![1]!;
    expect(computeSignature(b.token, b.timestamp, b.nonce, encrypt)).toBe(b.msg_signature);
    expect(computeSignature(b.token, b.timestamp, b.nonce)).toBe(b.signature_computed_by_us);
    const decrypted = decryptMessage(account.keys[0]!, encrypt);
    expect(decrypted.random.toString('latin1')).toBe(b.decrypted_random);
    expect(Buffer.byteLength(decrypted.message)).toBe(b.decrypted_msg_len);
    expect(decrypted.message).toBe(b.decrypted_msg);
    expect(decrypted.appId).toBe(b.appid);
  });

  it.each([
    ['encrypted_compat_mode.xml', 'compatible'],
    ['encrypted_safe_mode.xml', 'safe'],
  ] as const)('opens %s in %s mode with the 64-bit MsgId exact', (name, mode) => {
    const account = prepareAccount({
      appId: b.appid,
      token: b.token,
      encodingAESKey: b.encodingAESKey,
      mode,
    });
    const opened = openPush(account, {
      query,
      body: fixture(name),
      nowSeconds: Number(b.timestamp) + 60,
    });
    expect(opened).toMatchObject({
      format: 'xml',
      encrypted: true,
      keyIndex: 0,
      msgId: '6054768590064713728',
    });
    expect(opened.dedupKey).toBe('msgid:6054768590064713728');
    expect(opened.data).toStrictEqual({
      ToUserName: 'gh_10f6c3c3ac5a',
      FromUserName: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      CreateTime: 1409735668,
      MsgType: 'text',
      Content: 'abcdteT',
      MsgId: '6054768590064713728',
      _AppId: b.appid,
    });
  });

  it('refuses the sample for an account with another AppID', () => {
    const account = prepareAccount({
      appId: 'wxOTHER',
      token: b.token,
      encodingAESKey: b.encodingAESKey,
      mode: 'safe',
    });
    const error = expectWechatError(
      () =>
        openPush(account, {
          query,
          body: fixture('encrypted_safe_mode.xml'),
          nowSeconds: Number(b.timestamp),
        }),
      'E_WECHAT_APPID_MISMATCH',
    );
    expect(error.status).toBe(401);
  });
});

describe('vector C (Java WXBizMsgCryptTest)', () => {
  const c = vectors.C_java_sample_encrypt;
  const account = prepareAccount({
    appId: c.appid,
    token: 'unused',
    encodingAESKey: c.encodingAESKey,
    mode: 'safe',
  });

  it('encrypts with a length prefix counting UTF-8 bytes, not characters', () => {
    expect(encryptMessage(account.keys[0]!, c.msg, c.appid, Buffer.from(c.random))).toBe(c.encrypt);
  });

  it('decrypts its own output back to the message', () => {
    const decrypted = decryptMessage(account.keys[0]!, c.encrypt);
    expect(decrypted).toStrictEqual({
      random: Buffer.from(c.random),
      message: c.msg,
      appId: c.appid,
    });
  });
});
