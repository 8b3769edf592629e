/**
 * Attack class: unauthenticated CPU burn in safe mode. A forged encrypted push (any body, a
 * made-up msg_signature) must be refused on the signature before the envelope is parsed and
 * before anything is decrypted, whatever the body holds; only the Encrypt text is read, by a
 * bounded scan. Checked by order (which parts ran, which code answered), never by timing; the
 * cost itself is measured by bench/receiver/forged-push-cpu.ts (docs/performance.md).
 */
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openPush, prepareAccount, signPush, MAX_PUSH_BYTES } from '../../engine/wechat/index.ts';
import * as parseXml from '../../engine/wechat/parse-xml.ts';
import * as parseJson from '../../engine/wechat/parse-json.ts';
import * as crypto from '../../engine/wechat/crypto.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { rawRequest } from './helpers/raw-http.ts';

// The real parsers and decryption, counted: the test asks whether they ran, not how long.
vi.mock('../../engine/wechat/parse-xml.ts', async (importOriginal) => {
  const real = await importOriginal<typeof parseXml>();
  return { ...real, parseWechatXml: vi.fn(real.parseWechatXml) };
});
vi.mock('../../engine/wechat/parse-json.ts', async (importOriginal) => {
  const real = await importOriginal<typeof parseJson>();
  return { ...real, parseWechatJson: vi.fn(real.parseWechatJson) };
});
vi.mock('../../engine/wechat/crypto.ts', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return {
    ...real,
    decryptForAccount: vi.fn(real.decryptForAccount),
    decryptMessage: vi.fn(real.decryptMessage),
  };
});

const APP_ID = 'wx2c2769f8efd9abc2';
const TOKEN = 'spamtest';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const NOW = 1_714_000_000;
const safe = prepareAccount({ appId: APP_ID, token: TOKEN, encodingAESKey: KEY, mode: 'safe' });
const compatible = prepareAccount({
  appId: APP_ID,
  token: TOKEN,
  encodingAESKey: KEY,
  mode: 'compatible',
});
const TEXT =
  '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName>' +
  '<CreateTime>1714000000</CreateTime><MsgType><![CDATA[text]]></MsgType>' +
  '<Content><![CDATA[hi]]></Content><MsgId>42</MsgId></xml>';

const forgedQuery = {
  timestamp: String(NOW),
  nonce: '1234',
  encrypt_type: 'aes',
  msg_signature: 'f'.repeat(40),
};

const pad = (head: string, unit: string, tail: string) =>
  head +
  unit.repeat(Math.floor((MAX_PUSH_BYTES - 64 - head.length - tail.length) / unit.length)) +
  tail;

/** Bodies an attacker would send to make the receiver work: each would trip the parser or the decryption. */
const FORGED: Record<string, string> = {
  'a DTD (billion laughs)': `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>`,
  'broken XML': '<xml><Encrypt>QUJD</Encrypt><Open></xml>',
  'an Encrypt that is not base64': '<xml><Encrypt><![CDATA[not base64 at all!]]></Encrypt></xml>',
  'a valid-looking envelope': `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${'QUJD'.repeat(30)}]]></Encrypt></xml>`,
  '1 MiB of nested elements': pad('<xml>', '<a><b>x</b></a>', '<Encrypt>QUJD</Encrypt></xml>'),
  '1 MiB Encrypt': pad('<xml><Encrypt><![CDATA[', 'QUJD', ']]></Encrypt></xml>'),
  'elements nested 100,000 deep': pad('<xml>', '<a>', '<Encrypt>QUJD</Encrypt></xml>'),
  'JSON nested 100,000 deep': `{"Encrypt":"QUJD","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
  'JSON with a 1 MiB Encrypt': pad('{"ToUserName":"gh_1","Encrypt":"', 'QUJD', '"}'),
};

const counted = () => ({
  xml: vi.mocked(parseXml.parseWechatXml).mock.calls.length,
  json: vi.mocked(parseJson.parseWechatJson).mock.calls.length,
  decrypt:
    vi.mocked(crypto.decryptForAccount).mock.calls.length +
    vi.mocked(crypto.decryptMessage).mock.calls.length,
});

describe('forged safe-mode pushes are refused on the signature, before any parse or decryption', () => {
  beforeEach(() => vi.clearAllMocks());

  for (const [name, body] of Object.entries(FORGED)) {
    it(`refuses ${name} with E_WECHAT_BAD_SIGNATURE, parsing and decrypting nothing`, () => {
      let code: unknown;
      try {
        openPush(safe, { query: forgedQuery, body: Buffer.from(body), nowSeconds: NOW });
      } catch (err) {
        code = (err as { code?: unknown }).code;
      }
      expect(code).toBe('E_WECHAT_BAD_SIGNATURE');
      expect(counted()).toEqual({ xml: 0, json: 0, decrypt: 0 });
    });
  }

  it('refuses a body with no findable Encrypt as malformed, still parsing nothing', () => {
    for (const body of ['<xml><ToUserName>a</ToUserName></xml>', pad('<xml>', '<', '</xml>')]) {
      expect(() =>
        openPush(safe, { query: forgedQuery, body: Buffer.from(body), nowSeconds: NOW }),
      ).toThrow(expect.objectContaining({ code: 'E_WECHAT_MALFORMED' }));
    }
    const sections = pad('<xml>', '<C><![CDATA[<Encrypt>]]></C>', '<Encrypt>QUJD</Encrypt></xml>');
    expect(() =>
      openPush(safe, { query: forgedQuery, body: Buffer.from(sections), nowSeconds: NOW }),
    ).toThrow(expect.objectContaining({ code: 'E_WECHAT_MALFORMED' }));
    expect(counted()).toEqual({ xml: 0, json: 0, decrypt: 0 });
  });

  it('opens a signed push, parsing only the decrypted message (the counters do count)', () => {
    const signed = signPush(safe, { body: TEXT, timestamp: NOW, encrypt: true });
    const opened = openPush(safe, {
      query: signed.query,
      body: Buffer.from(signed.body),
      nowSeconds: NOW,
    });
    expect(opened.data).toMatchObject({ Content: 'hi', MsgId: '42', _AppId: APP_ID });
    expect(counted()).toEqual({ xml: 2, json: 0, decrypt: 1 }); // signPush parsed once
  });

  it('reads the Encrypt element, not a user text that spells one, in compatible mode (XML and JSON)', () => {
    const tricky = [
      TEXT.replace(
        '<![CDATA[hi]]>',
        '<![CDATA[<Encrypt>AAAA</Encrypt> ]]]]><![CDATA[> <![CDATA[ "Encrypt": "x"]]>',
      ),
      JSON.stringify({
        ToUserName: 'gh_1',
        FromUserName: 'o_user',
        CreateTime: 1714000000,
        MsgType: 'text',
        Content: 'Encrypt',
        Encrypted: '"Encrypt":"AAAA"',
        MsgId: 43,
      }),
    ];
    for (const body of tricky) {
      const signed = signPush(compatible, { body, timestamp: NOW, encrypt: true });
      const opened = openPush(compatible, {
        query: signed.query,
        body: Buffer.from(signed.body),
        nowSeconds: NOW,
        contentType: signed.contentType,
      });
      expect(opened.data.FromUserName).toBe('o_user');
      expect(String(opened.data.Content)).toContain('Encrypt');
    }
  });
});

describe('through the engine', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine();
    const put = await t.api('PUT', `/wechat/accounts/${APP_ID}`, {
      token: TOKEN,
      encodingAESKey: KEY,
      mode: 'safe',
    });
    expect(put.status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses on the query alone before reading a body the query already condemns', async () => {
    // Half a declared megabyte is sent and the rest never comes: only an answer given
    // without reading the body can arrive at all.
    const halfSent = (query: string) =>
      new Promise<{ status: number; code: string }>((resolve, reject) => {
        const url = new URL(t.engine.url);
        const req = http.request({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: `/wechat/${APP_ID}?${query}`,
          headers: { 'content-type': 'text/xml', 'content-length': String(MAX_PUSH_BYTES) },
          agent: false,
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode!, code: JSON.parse(text).error.code });
          });
        });
        req.on('error', reject);
        req.write('<xml>'.padEnd(MAX_PUSH_BYTES / 2, ' '));
      });
    const now = String(Math.floor(Date.now() / 1000));
    expect(await halfSent(`timestamp=${now}&nonce=1&signature=${'0'.repeat(40)}`)).toEqual({
      status: 401,
      code: 'E_WECHAT_BAD_SIGNATURE',
    });
    expect(await halfSent(`timestamp=${now}&nonce=1&encrypt_type=aes`)).toEqual({
      status: 401,
      code: 'E_WECHAT_BAD_SIGNATURE',
    });
    expect(await halfSent(`nonce=1&encrypt_type=aes&msg_signature=x`)).toEqual({
      status: 401,
      code: 'E_WECHAT_BAD_SIGNATURE',
    });
    expect(await halfSent(`timestamp=${now}&nonce=1&encrypt_type=rot13`)).toEqual({
      status: 400,
      code: 'E_WECHAT_MALFORMED',
    });
  });

  it('answers forged bodies 4xx, stores none, and still answers a valid push', async () => {
    vi.clearAllMocks();
    const now = String(Math.floor(Date.now() / 1000));
    const query = new URLSearchParams({ ...forgedQuery, timestamp: now }).toString();
    for (const body of Object.values(FORGED)) {
      const answer = await rawRequest(t.engine.url, 'POST', `/wechat/${APP_ID}?${query}`, {
        headers: { 'content-type': 'text/xml' },
        body,
      });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text).error.code).toBe('E_WECHAT_BAD_SIGNATURE');
    }
    const signed = signPush(safe, { body: TEXT, timestamp: now, encrypt: true });
    const ok = await rawRequest(
      t.engine.url,
      'POST',
      `/wechat/${APP_ID}?${new URLSearchParams(signed.query).toString()}`,
      { headers: { 'content-type': 'text/xml' }, body: signed.body },
    );
    expect([ok.status, ok.text]).toEqual([200, 'success']);
    const db = new Database(path.join(t.dataDir, 'engine.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM inbox').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
