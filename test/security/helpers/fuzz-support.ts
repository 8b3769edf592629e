import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { computeSignature, encryptMessage, prepareAccount } from '../../../engine/wechat/index.ts';
import { rawRequest } from './raw-http.ts';

/**
 * Bounds of every fuzz property: a count, and a time limit that stops a slow run early (the
 * machine is shared); a seed from FUZZ_SEED replays a failure (fast-check prints it).
 */
export function fuzzOptions(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return {
    numRuns,
    plugins: [fc.interruptAfterTimeLimit(12_000)],
    ...(seed === undefined ? {} : { seed }),
  };
}

export interface FuzzAccount {
  appId: string;
  token: string;
  encodingAESKey?: string;
  mode: 'plain' | 'compatible' | 'safe';
}

export const FUZZ_ACCOUNTS: Record<FuzzAccount['mode'], FuzzAccount> = {
  plain: { appId: 'wxfuzzplain0000001', token: 'fuzzplaintoken', mode: 'plain' },
  compatible: {
    appId: 'wxfuzzcompat000001',
    token: 'fuzzcompattoken',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    mode: 'compatible',
  },
  safe: {
    appId: 'wx2c2769f8efd9abc2',
    token: 'spamtest',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    mode: 'safe',
  },
};

/** Counts the engine's inbox rows from a second, read-only connection (SQLite WAL). */
export function inboxCounter(dataDir: string): { count(source?: string): number; close(): void } {
  const db = new Database(path.join(dataDir, 'engine.db'), { readonly: true });
  const all = db.prepare('SELECT COUNT(*) AS n FROM inbox');
  const bySource = db.prepare('SELECT COUNT(*) AS n FROM inbox WHERE source = ?');
  return {
    count: (source) =>
      ((source === undefined ? all.get() : bySource.get(source)) as { n: number }).n,
    close: () => db.close(),
  };
}

let msgId = 9_100_000_000_000_000_000n;

/**
 * Sends one valid push, as WeChat would (signed; encrypted unless plain), with a new MsgId,
 * and returns what the engine answered.
 */
export async function sendValidPush(
  baseUrl: string,
  account: FuzzAccount,
): Promise<{ status: number; text: string }> {
  const now = String(Math.floor(Date.now() / 1000));
  const nonce = String(100000 + Math.floor(Math.random() * 899999));
  const xml =
    `<xml><ToUserName><![CDATA[gh_fuzz]]></ToUserName><FromUserName><![CDATA[o_fuzz]]></FromUserName>` +
    `<CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[still here]]></Content><MsgId>${msgId++}</MsgId></xml>`;
  const query = new URLSearchParams({
    signature: computeSignature(account.token, now, nonce),
    timestamp: now,
    nonce,
  });
  let body = xml;
  if (account.mode !== 'plain') {
    const prepared = prepareAccount({ ...account, encodingAESKey: account.encodingAESKey! });
    const encrypt = encryptMessage(prepared.keys[0]!, xml, account.appId);
    query.set('encrypt_type', 'aes');
    query.set('msg_signature', computeSignature(account.token, now, nonce, encrypt));
    body = `<xml><ToUserName><![CDATA[gh_fuzz]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  }
  const answer = await rawRequest(baseUrl, 'POST', `/wechat/${account.appId}?${query.toString()}`, {
    headers: { 'content-type': 'text/xml' },
    body,
  });
  return { status: answer.status, text: answer.text };
}

// ---- generators -------------------------------------------------------------------------

const NAMES = [
  'xml',
  'Encrypt',
  'ToUserName',
  'FromUserName',
  'CreateTime',
  'MsgType',
  'Content',
  'MsgId',
  'Event',
  '__proto__',
  'constructor',
  'item',
  'a',
];

/** Adversarial XML: nested elements (moderate depth), CDATA, entities, DTDs, broken markup. */
export const xmlish: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }).map((s) => s.replace(/[<&]/g, '')),
    fc.string({ maxLength: 40 }).map((s) => `<![CDATA[${s}]]>`),
    fc.constantFrom('&amp;', '&lt;', '&#x41;', '&#0;', '&bogus;', '&#99999999;', ']]>', '<', '&'),
    fc
      .tuple(fc.constantFrom(...NAMES), fc.array(tie('node'), { maxLength: 4 }))
      .map(([name, children]) => `<${name}>${children.join('')}</${name}>`),
    fc.constantFrom(
      '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
      '<?xml version="1.0" encoding="UTF-16"?>',
      '<!-- <Encrypt>x</Encrypt> -->',
      '<a b="1" b="2">',
      '</xml>',
      '<xml>',
    ),
  ),
})).node;

/** Anything a body can be: bytes, text, XML-ish, JSON-ish. */
export const anyBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 256, unit: 'binary' }).map((s) => Buffer.from(s)),
  xmlish.map((s) => Buffer.from(`<xml>${s}</xml>`)),
  xmlish.map((s) => Buffer.from(s)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc
    .dictionary(fc.constantFrom(...NAMES), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 })
    .map((v) => Buffer.from(JSON.stringify(v))),
);

/** Query strings: WeChat's parameters with random values, random keys, raw reserved characters. */
export const anyQuery: fc.Arbitrary<string> = fc.oneof(
  fc
    .dictionary(
      fc.constantFrom(
        'signature',
        'msg_signature',
        'timestamp',
        'nonce',
        'encrypt_type',
        'echostr',
        'openid',
        '__proto__',
      ),
      fc.oneof(
        fc.string({ maxLength: 50 }),
        fc.constantFrom('aes', 'raw', '', '9999999999999999999999', '-1', '1e3', 'NaN'),
        fc.nat().map(String),
      ),
      { maxKeys: 7 },
    )
    .map((q) => new URLSearchParams(q).toString()),
  fc.string({ maxLength: 80, unit: fc.constantFrom(...'ab=&%[]?+;,/01xyz'.split('')) }),
);

/** Header values Node will send (visible ASCII), some of them hostile. */
export const anyContentType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'text/xml',
    'application/json',
    'application/json; charset=utf-16',
    'text/xml; charset=gbk',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    ';;;=/',
    '',
  ),
  fc.string({ maxLength: 40, unit: fc.constantFrom(...'abcdefghijklmnop/;=- '.split('')) }),
);
