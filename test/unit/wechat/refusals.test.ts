// Each hostile or wrong push gets its documented code (docs/errors.md, "WeChat receiver").
import { createCipheriv } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_PUSH_BYTES,
  checkQueryBeforeBody,
  computeSignature,
  encryptMessage,
  openPush,
  prepareAccount,
  signPush,
  type PreparedAccount,
} from '../../../engine/wechat/index.ts';
import { expectWechatError, fixture } from './fixtures.ts';

const APP_ID = 'wxrefusals0000001';
const TOKEN = 'refusalToken';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const NOW = 1_714_000_000;
const TS = String(NOW);
const NONCE = '123456789';

const plainAccount = prepareAccount({ appId: APP_ID, token: TOKEN, mode: 'plain' });
const safeAccount = prepareAccount({
  appId: APP_ID,
  token: TOKEN,
  encodingAESKey: KEY,
  mode: 'safe',
});
const TEXT = fixture('text.xml').toString('utf8');

function plainQuery(timestamp = TS): Record<string, string> {
  return { signature: computeSignature(TOKEN, timestamp, NONCE), timestamp, nonce: NONCE };
}

function openPlain(body: string | Buffer, account: PreparedAccount = plainAccount) {
  return openPush(account, { query: plainQuery(), body: Buffer.from(body), nowSeconds: NOW });
}

/** A safe-mode push whose Encrypt text is given as is, correctly signed. */
function openEncrypt(encrypt: string, account: PreparedAccount = safeAccount) {
  const query = {
    timestamp: TS,
    nonce: NONCE,
    encrypt_type: 'aes',
    msg_signature: computeSignature(TOKEN, TS, NONCE, encrypt),
  };
  const body = `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return openPush(account, { query, body: Buffer.from(body), nowSeconds: NOW });
}

/** AES-256-CBC over a raw plaintext of our choosing (a multiple of 16 bytes), no padding added. */
function rawEncrypt(plain: Buffer): string {
  const raw = Buffer.from(`${KEY}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', raw, raw.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** random ‖ len ‖ msg ‖ appid followed by the given padding bytes. */
function fullStr(
  message: string,
  appId: string,
  padding: number[],
  declaredLength?: number,
): Buffer {
  const msg = Buffer.from(message);
  const header = Buffer.alloc(20, 0x61);
  header.writeUInt32BE(declaredLength ?? msg.length, 16);
  return Buffer.concat([header, msg, Buffer.from(appId), Buffer.from(padding)]);
}

function padTo32(content: Buffer): number[] {
  const pad = 32 - (content.length % 32);
  return new Array<number>(pad).fill(pad);
}

describe('size', () => {
  it('refuses a 2 MiB body with 413 before checking anything else', () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const error = expectWechatError(
      () => openPush(plainAccount, { query: {}, body, nowSeconds: NOW }),
      'E_WECHAT_TOO_LARGE',
    );
    expect(error.status).toBe(413);
  });

  it('refuses one byte over 1 MiB and accepts a valid push of exactly 1 MiB', () => {
    const [before, after] = TEXT.split(/<Content>.*<\/Content>/) as [string, string];
    const frame = `${before}<Content><![CDATA[]]></Content>${after}`;
    const fill = 'x'.repeat(MAX_PUSH_BYTES - Buffer.byteLength(frame));
    const body = `${before}<Content><![CDATA[${fill}]]></Content>${after}`;
    expect(Buffer.byteLength(body)).toBe(MAX_PUSH_BYTES);
    expect(openPlain(body).data.Content).toBe(fill);
    expectWechatError(() => openPlain(`${body} `), 'E_WECHAT_TOO_LARGE');
  });
});

describe('hostile XML', () => {
  afterEach(() => {
    // Nothing may leak onto Object.prototype whatever the parser saw.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses the XXE and billion-laughs fixtures without expanding anything', () => {
    for (const name of ['attack_xxe.xml', 'attack_billion_laughs.xml']) {
      const error = expectWechatError(() => openPlain(fixture(name)), 'E_WECHAT_MALFORMED');
      expect(error.message).toMatch(/DOCTYPE or ENTITY/);
    }
  });

  it('refuses a DOCTYPE hidden after the root or in lower case', () => {
    expectWechatError(() => openPlain(`${TEXT}<!doctype x>`), 'E_WECHAT_MALFORMED');
    expectWechatError(
      () => openPlain(TEXT.replace('<xml>', '<!ENTITY x "y"><xml>')),
      'E_WECHAT_MALFORMED',
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a <%s> element', (name) => {
    const body = TEXT.replace('</xml>', `<${name}><polluted>yes</polluted></${name}></xml>`);
    expectWechatError(() => openPlain(body), 'E_WECHAT_MALFORMED');
  });

  it('refuses truncated XML (which the parser alone would half-parse silently)', () => {
    for (const cut of [TEXT.length - 7, TEXT.indexOf('<MsgId>') + 10, 20]) {
      expectWechatError(() => openPlain(TEXT.slice(0, cut)), 'E_WECHAT_MALFORMED');
    }
  });

  it('refuses nesting deeper than 20 elements', () => {
    const deep = `<xml>${'<a>'.repeat(30)}x${'</a>'.repeat(30)}</xml>`;
    expectWechatError(() => openPlain(deep), 'E_WECHAT_MALFORMED');
  });

  it('refuses bodies without an <xml> root with elements, empty bodies and non-UTF-8 bytes', () => {
    for (const body of [
      '<root><a>1</a></root>',
      '<xml/>',
      '<xml>text</xml>',
      '',
      '   ',
      'hello',
      '<xml><a>1</a></xml><xml><a>2</a></xml>',
    ]) {
      expectWechatError(() => openPlain(body), 'E_WECHAT_MALFORMED');
    }
    expectWechatError(
      () => openPlain(Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe])),
      'E_WECHAT_MALFORMED',
    );
  });

  it('refuses a CreateTime that is not whole seconds', () => {
    for (const value of ['abc', '1.5', '', '-1']) {
      const body = TEXT.replace(
        '<CreateTime>1348831860</CreateTime>',
        `<CreateTime>${value}</CreateTime>`,
      );
      expectWechatError(() => openPlain(body), 'E_WECHAT_MALFORMED');
    }
  });
});

describe('hostile JSON', () => {
  it.each([
    ['a __proto__ key', '{"MsgType":"text","__proto__":{"polluted":"yes"}}'],
    ['a nested constructor key', '{"MsgType":"text","a":{"constructor":{"prototype":{}}}}'],
    ['an array root', '[{"MsgType":"text"}]'],
    ['invalid JSON', '{"MsgType":"text",'],
    ['nesting over 20 levels', `{"a":${'['.repeat(25)}${']'.repeat(25)}}`],
  ])('refuses %s', (_what, body) => {
    expectWechatError(() => openPlain(body), 'E_WECHAT_MALFORMED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps every JSON number as its source text and turns booleans and null into strings', () => {
    const body =
      '{"ToUserName":"gh","CreateTime":1714000000,"MsgId":18446744073709551615,"Amount":1.50,"Flag":true,"Nothing":null,"List":[0.10,false]}';
    expect(openPlain(body).data).toStrictEqual({
      ToUserName: 'gh',
      CreateTime: 1714000000,
      MsgId: '18446744073709551615',
      Amount: '1.50',
      Flag: 'true',
      Nothing: '',
      List: ['0.10', 'false'],
      _AppId: APP_ID,
    });
  });
});

describe('signatures and timestamps', () => {
  it('refuses a wrong or missing signature with 401', () => {
    const wrong = { ...plainQuery(), signature: '0'.repeat(40) };
    const error = expectWechatError(
      () => openPush(plainAccount, { query: wrong, body: Buffer.from(TEXT), nowSeconds: NOW }),
      'E_WECHAT_BAD_SIGNATURE',
    );
    expect(error.status).toBe(401);
    for (const missing of ['signature', 'timestamp', 'nonce']) {
      const query: Record<string, string | undefined> = { ...plainQuery(), [missing]: undefined };
      expectWechatError(
        () => openPush(plainAccount, { query, body: Buffer.from(TEXT), nowSeconds: NOW }),
        'E_WECHAT_BAD_SIGNATURE',
      );
    }
  });

  it('refuses an unsigned body before reading it', () => {
    const query = { ...plainQuery(), signature: 'f'.repeat(40) };
    expectWechatError(
      () => openPush(plainAccount, { query, body: fixture('attack_xxe.xml'), nowSeconds: NOW }),
      'E_WECHAT_BAD_SIGNATURE',
    );
  });

  it('checks a plaintext signature again unless this very query was found right for this account', () => {
    const open = (query: Record<string, string | undefined>, account = plainAccount) =>
      openPush(account, { query, body: Buffer.from(TEXT), nowSeconds: NOW });
    const query: Record<string, string | undefined> = plainQuery();
    checkQueryBeforeBody(plainAccount, query);
    expect(open(query).data.MsgType).toBe('text');
    // Changed after the check: each is refused, as without it.
    for (const [key, value] of [
      ['signature', '0'.repeat(40)],
      ['timestamp', String(NOW + 1)],
      ['nonce', 'another'],
    ] as const) {
      const changed = plainQuery();
      checkQueryBeforeBody(plainAccount, changed);
      changed[key] = value;
      expectWechatError(() => open(changed), 'E_WECHAT_BAD_SIGNATURE');
    }
    // Another account with another token, and an equal query object that was never checked.
    const other = prepareAccount({ appId: APP_ID, token: 'otherToken', mode: 'plain' });
    expectWechatError(() => open(query, other), 'E_WECHAT_BAD_SIGNATURE');
    expectWechatError(
      () => open({ ...plainQuery(), signature: 'f'.repeat(40) }),
      'E_WECHAT_BAD_SIGNATURE',
    );
  });

  it('refuses `signature` passed where msg_signature belongs (the classic safe-mode mistake)', () => {
    const signed = signPush(safeAccount, { body: TEXT, timestamp: NOW, nonce: NONCE });
    const query = { ...signed.query, msg_signature: signed.query.signature };
    expectWechatError(
      () => openPush(safeAccount, { query, body: Buffer.from(signed.body), nowSeconds: NOW }),
      'E_WECHAT_BAD_SIGNATURE',
    );
    const { msg_signature: _dropped, ...withoutMsgSignature } = signed.query;
    expectWechatError(
      () =>
        openPush(safeAccount, {
          query: withoutMsgSignature,
          body: Buffer.from(signed.body),
          nowSeconds: NOW,
        }),
      'E_WECHAT_BAD_SIGNATURE',
    );
  });

  it('refuses a body whose Encrypt text was swapped (msg_signature covers it)', () => {
    const signed = signPush(safeAccount, { body: TEXT, timestamp: NOW, nonce: NONCE });
    const other = signPush(safeAccount, {
      body: TEXT.replace('hi', 'ho'),
      timestamp: NOW,
      nonce: NONCE,
    });
    expectWechatError(
      () =>
        openPush(safeAccount, {
          query: signed.query,
          body: Buffer.from(other.body),
          nowSeconds: NOW,
        }),
      'E_WECHAT_BAD_SIGNATURE',
    );
  });

  it.each([
    ['5 minutes and 1 second old', NOW - 301],
    ['5 minutes and 1 second ahead', NOW + 301],
    ['in milliseconds', NOW * 1000],
  ])('refuses a query timestamp %s with 401', (_what, timestamp) => {
    const query = plainQuery(String(timestamp));
    const error = expectWechatError(
      () => openPush(plainAccount, { query, body: Buffer.from(TEXT), nowSeconds: NOW }),
      'E_WECHAT_STALE_TIMESTAMP',
    );
    expect(error.status).toBe(401);
  });

  it('refuses a non-numeric timestamp, and a stale one in safe mode too', () => {
    expectWechatError(
      () =>
        openPush(plainAccount, {
          query: plainQuery('soon'),
          body: Buffer.from(TEXT),
          nowSeconds: NOW,
        }),
      'E_WECHAT_STALE_TIMESTAMP',
    );
    const signed = signPush(safeAccount, { body: TEXT, timestamp: NOW - 3600, nonce: NONCE });
    expectWechatError(
      () =>
        openPush(safeAccount, {
          query: signed.query,
          body: Buffer.from(signed.body),
          nowSeconds: NOW,
        }),
      'E_WECHAT_STALE_TIMESTAMP',
    );
  });

  it('accepts a timestamp exactly 5 minutes off and never looks at CreateTime', () => {
    for (const timestamp of [NOW - 300, NOW + 300]) {
      const opened = openPush(plainAccount, {
        query: plainQuery(String(timestamp)),
        body: Buffer.from(TEXT),
        nowSeconds: NOW,
      });
      expect(opened.data.CreateTime).toBe(1348831860); // 2012: years older than the window
    }
  });
});

describe('decryption', () => {
  it('refuses a wrong AppID inside the ciphertext with 401', () => {
    const encrypt = encryptMessage(safeAccount.keys[0]!, TEXT, 'wxSOMEONEELSE0001');
    const error = expectWechatError(() => openEncrypt(encrypt), 'E_WECHAT_APPID_MISMATCH');
    expect(error.status).toBe(401);
    expect(error.details).toMatchObject({ messageAppId: 'wxSOMEONEELSE0001' });
  });

  it('refuses an AppID that is only a prefix or extension of the account', () => {
    for (const appId of [APP_ID.slice(0, -1), `${APP_ID}0`, '']) {
      expectWechatError(
        () => openEncrypt(encryptMessage(safeAccount.keys[0]!, TEXT, appId)),
        'E_WECHAT_APPID_MISMATCH',
      );
    }
  });

  it.each([
    ['a zero padding byte', (content: Buffer) => [...padTo32(content).slice(1), 0]],
    [
      'a padding byte over 32',
      (content: Buffer) => [...new Array<number>(padTo32(content).length - 1).fill(33), 33],
    ],
    [
      'unequal padding bytes',
      (content: Buffer) => padTo32(content).map((b, i) => (i === 0 ? b + 1 : b)),
    ],
  ])('refuses %s', (_what, padding) => {
    const content = fullStr(TEXT, APP_ID, []);
    const plain = Buffer.concat([content, Buffer.from(padding(content))]);
    const error = expectWechatError(() => openEncrypt(rawEncrypt(plain)), 'E_WECHAT_DECRYPT');
    expect(error.details?.reason).toMatch(/padding/);
  });

  it('accepts the same plaintext with correct padding (the helper builds valid input)', () => {
    const content = fullStr(TEXT, APP_ID, []);
    const opened = openEncrypt(rawEncrypt(Buffer.concat([content, Buffer.from(padTo32(content))])));
    expect(opened.data.MsgId).toBe('24602856263318283');
  });

  it('refuses a length prefix that runs past the plaintext', () => {
    const base = fullStr(TEXT, APP_ID, []);
    const content = fullStr(TEXT, APP_ID, [], base.length);
    const plain = Buffer.concat([content, Buffer.from(padTo32(content))]);
    const error = expectWechatError(() => openEncrypt(rawEncrypt(plain)), 'E_WECHAT_DECRYPT');
    expect(error.details?.reason).toMatch(/length prefix/);
  });

  it('refuses non-base64, short and misaligned ciphertexts', () => {
    const good = encryptMessage(safeAccount.keys[0]!, TEXT, APP_ID);
    for (const encrypt of [
      'not base64!',
      good.slice(0, -4),
      Buffer.alloc(16).toString('base64'),
      `${good.slice(0, 8)}`,
    ]) {
      expectWechatError(() => openEncrypt(encrypt), 'E_WECHAT_DECRYPT');
    }
  });

  it('refuses a ciphertext made with another key', () => {
    const other = prepareAccount({
      appId: APP_ID,
      token: TOKEN,
      encodingAESKey: 'B'.repeat(43),
      mode: 'safe',
    });
    expectWechatError(
      () => openEncrypt(encryptMessage(other.keys[0]!, TEXT, APP_ID)),
      'E_WECHAT_DECRYPT',
    );
  });

  it('refuses encrypt_type=aes without an Encrypt element, and unknown encrypt types', () => {
    const query = { timestamp: TS, nonce: NONCE, encrypt_type: 'aes', msg_signature: 'x' };
    expectWechatError(
      () => openPush(safeAccount, { query, body: Buffer.from(TEXT), nowSeconds: NOW }),
      'E_WECHAT_MALFORMED',
    );
    const rot13 = { ...plainQuery(), encrypt_type: 'rot13' };
    expectWechatError(
      () => openPush(plainAccount, { query: rot13, body: Buffer.from(TEXT), nowSeconds: NOW }),
      'E_WECHAT_MALFORMED',
    );
  });
});

describe('modes', () => {
  const compatibleAccount = prepareAccount({
    appId: APP_ID,
    token: TOKEN,
    encodingAESKey: KEY,
    mode: 'compatible',
  });
  const plainWithKey = prepareAccount({
    appId: APP_ID,
    token: TOKEN,
    encodingAESKey: KEY,
    mode: 'plain',
  });

  it('a safe-mode account refuses a plaintext push with 400 E_WECHAT_MODE', () => {
    const error = expectWechatError(() => openPlain(TEXT, safeAccount), 'E_WECHAT_MODE');
    expect(error.status).toBe(400);
  });

  it('a plain account without a key refuses an encrypted push with E_WECHAT_MODE', () => {
    const signed = signPush(safeAccount, { body: TEXT, timestamp: NOW, nonce: NONCE });
    expectWechatError(
      () =>
        openPush(plainAccount, {
          query: signed.query,
          body: Buffer.from(signed.body),
          nowSeconds: NOW,
        }),
      'E_WECHAT_MODE',
    );
  });

  it('a compatible account, and a plain one that has a key, accept both plaintext and encrypted pushes', () => {
    for (const account of [compatibleAccount, plainWithKey]) {
      expect(openPlain(TEXT, account).encrypted).toBe(false);
      const signed = signPush(account, { body: TEXT, timestamp: NOW, nonce: NONCE, encrypt: true });
      const opened = openPush(account, {
        query: signed.query,
        body: Buffer.from(signed.body),
        nowSeconds: NOW,
      });
      expect(opened.encrypted).toBe(true);
      expect(opened.dedupKey).toBe(openPlain(TEXT, account).dedupKey);
    }
  });
});

describe('accounts', () => {
  it.each([
    ['a 42-character key', { encodingAESKey: 'a'.repeat(42) }],
    ['a 44-character key', { encodingAESKey: 'a'.repeat(44) }],
    ['a key with a non-base64 character', { encodingAESKey: `${'a'.repeat(42)}-` }],
    ['a bad previous key', { encodingAESKey: KEY, previousEncodingAESKey: 'short' }],
    ['a previous key without a current one', { previousEncodingAESKey: KEY }],
    ['safe mode without a key', { mode: 'safe' as const }],
    ['compatible mode without a key', { mode: 'compatible' as const }],
    ['an empty token', { token: '' }],
    ['an unknown mode', { mode: 'strict' as 'safe' }],
  ])('refuses %s with E_WECHAT_BAD_KEY', (_what, override) => {
    expectWechatError(
      () => prepareAccount({ appId: APP_ID, token: TOKEN, mode: 'plain', ...override }),
      'E_WECHAT_BAD_KEY',
    );
  });

  it('never serialises the token or keys', () => {
    const json = JSON.stringify(safeAccount);
    expect(json).not.toContain(TOKEN);
    expect(JSON.parse(json)).toStrictEqual({ appId: APP_ID, mode: 'safe', keyCount: 1 });
  });
});
