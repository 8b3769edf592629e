// Passive replies: shapes, CDATA safety, format and encryption following the push.
import { describe, expect, it } from 'vitest';
import {
  buildReply,
  cdata,
  decryptMessage,
  openPush,
  parseWechatJson,
  parseWechatXml,
  prepareAccount,
  signPush,
  type OpenedPush,
  type PreparedAccount,
} from '../../../engine/wechat/index.ts';
import { computeSignature } from '../../../engine/wechat/signature.ts';
import { expectWechatError, fixture } from './fixtures.ts';

const APP_ID = 'wxreply0000000001';
const TOKEN = 'replyToken';
const NOW = 1_714_000_000;
const NONCE = '246813579';
const CURRENT = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const PREVIOUS = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const TEXT = fixture('text.xml').toString('utf8');
const JSON_PUSH = fixture('mp_kf_text.json').toString('utf8');

const plain = prepareAccount({ appId: APP_ID, token: TOKEN, mode: 'plain' });
const safe = prepareAccount({ appId: APP_ID, token: TOKEN, encodingAESKey: CURRENT, mode: 'safe' });

function open(account: PreparedAccount, body: string, encrypt: boolean): OpenedPush {
  const signed = signPush(account, { body, timestamp: NOW, nonce: NONCE, encrypt });
  return openPush(account, {
    query: signed.query,
    body: Buffer.from(signed.body),
    nowSeconds: NOW,
  });
}

/** Opens an encrypted reply as WeChat would: check MsgSignature, decrypt, check the AppID. */
function openReply(
  account: PreparedAccount,
  body: string,
  format: 'xml' | 'json',
  keyIndex = 0,
): string {
  const envelope = format === 'json' ? parseWechatJson(body) : parseWechatXml(body);
  const { Encrypt, MsgSignature, TimeStamp, Nonce } = envelope as Record<string, string>;
  expect(MsgSignature).toBe(computeSignature(TOKEN, TimeStamp!, Nonce!, Encrypt!));
  const decrypted = decryptMessage(account.keys[keyIndex]!, Encrypt!);
  expect(decrypted.appId).toBe(APP_ID);
  return decrypted.message;
}

describe('plaintext XML replies', () => {
  const opened = open(plain, TEXT, false);
  const build = (reply: unknown) => buildReply(plain, opened, reply, { nowSeconds: NOW + 0.9 });

  it('builds a text reply with the users swapped and CreateTime in whole seconds', () => {
    const { body, contentType } = build({ MsgType: 'text', Content: '你好' });
    expect(contentType).toMatch(/^text\/xml/);
    expect(body).toBe(
      '<xml><ToUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></ToUserName>' +
        '<FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1714000000</CreateTime>' +
        '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>',
    );
  });

  it('keeps `]]>` and markup in content intact through a parse', () => {
    const content = 'a]]>b<![CDATA[c]]>]]>&amp;</xml><x>';
    const { body } = build({ MsgType: 'text', Content: content });
    expect(parseWechatXml(body).Content).toBe(content);
    expect(cdata(']]>')).toBe('<![CDATA[]]]]><![CDATA[>]]>');
  });

  it('drops characters XML cannot carry, keeping emoji', () => {
    const { body } = build({ MsgType: 'text', Content: 'a\u0000b\u0008c\uFFFEd😀\t\n' });
    expect(parseWechatXml(body).Content).toBe('abcd😀\t\n');
  });

  it.each([
    [{ MsgType: 'image', MediaId: 'm1' }, { Image: { MediaId: 'm1' } }],
    [{ MsgType: 'image', Image: { MediaId: 'm1' } }, { Image: { MediaId: 'm1' } }],
    [{ MsgType: 'voice', MediaId: 'v1' }, { Voice: { MediaId: 'v1' } }],
    [{ MsgType: 'video', MediaId: 'v1', Title: 't' }, { Video: { MediaId: 'v1', Title: 't' } }],
    [
      {
        MsgType: 'music',
        Music: { Title: 't', MusicUrl: 'http://m', HQMusicUrl: 'http://hq', ThumbMediaId: 'th' },
      },
      { Music: { Title: 't', MusicUrl: 'http://m', HQMusicUrl: 'http://hq', ThumbMediaId: 'th' } },
    ],
    [
      {
        MsgType: 'news',
        Articles: [
          { Title: 'a', Url: 'http://a' },
          { Title: 'b', PicUrl: 'http://p' },
        ],
      },
      {
        ArticleCount: '2',
        Articles: {
          item: [
            { Title: 'a', Url: 'http://a' },
            { Title: 'b', PicUrl: 'http://p' },
          ],
        },
      },
    ],
    [
      { MsgType: 'news', ArticleCount: 1, Articles: [{ Title: 'one' }] },
      { ArticleCount: '1', Articles: { item: [{ Title: 'one' }] } },
    ],
    [{ MsgType: 'transfer_customer_service' }, {}],
    [
      { MsgType: 'transfer_customer_service', TransInfo: { KfAccount: 'kf@test' } },
      { TransInfo: { KfAccount: 'kf@test' } },
    ],
  ])('builds %j', (reply, fields) => {
    const parsed = parseWechatXml(build(reply).body);
    expect(parsed).toStrictEqual({
      ToUserName: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
      FromUserName: 'gh_7f083739789a',
      CreateTime: '1714000000',
      MsgType: reply.MsgType,
      ...fields,
    });
  });

  it.each([
    ['not an object', 'hello', /must be an object/],
    ['an unknown MsgType', { MsgType: 'sticker' }, /MsgType must be one of/],
    ['no MsgType', { Content: 'x' }, /MsgType/],
    ['a text reply without Content', { MsgType: 'text' }, /needs Content/],
    ['an empty Content', { MsgType: 'text', Content: '' }, /non-empty/],
    ['a non-string Content', { MsgType: 'text', Content: 42 }, /string/],
    ['a misspelt field', { MsgType: 'text', content: 'x' }, /unknown field\(s\) content/],
    ['a user override', { MsgType: 'text', Content: 'x', ToUserName: 'o_other' }, /unknown field/],
    ['an image without MediaId', { MsgType: 'image' }, /MediaId/],
    [
      'fields both flat and wrapped',
      { MsgType: 'image', MediaId: 'a', Image: { MediaId: 'b' } },
      /not both/,
    ],
    ['music without ThumbMediaId', { MsgType: 'music', Title: 't' }, /ThumbMediaId/],
    ['news without articles', { MsgType: 'news', Articles: [] }, /1 to 8/],
    [
      'news with 9 articles',
      { MsgType: 'news', Articles: new Array(9).fill({ Title: 't' }) },
      /1 to 8/,
    ],
    [
      'a wrong ArticleCount',
      { MsgType: 'news', ArticleCount: 2, Articles: [{ Title: 't' }] },
      /ArticleCount/,
    ],
    [
      'an article with an unknown field',
      { MsgType: 'news', Articles: [{ Link: 'x' }] },
      /article 0/,
    ],
  ])('refuses %s with E_WECHAT_REPLY_INVALID', (_what, reply, message) => {
    const error = expectWechatError(() => build(reply), 'E_WECHAT_REPLY_INVALID');
    expect(error.message).toMatch(message);
  });
});

describe('encrypted and JSON replies', () => {
  it('encrypts the reply to an encrypted push and echoes its nonce (XML round trip)', () => {
    const opened = open(safe, TEXT, true);
    const reply = buildReply(
      safe,
      opened,
      { MsgType: 'text', Content: 'x]]>y' },
      { nowSeconds: NOW },
    );
    const envelope = parseWechatXml(reply.body);
    expect(envelope).toMatchObject({ TimeStamp: String(NOW), Nonce: NONCE });
    expect(Object.keys(envelope).sort()).toStrictEqual([
      'Encrypt',
      'MsgSignature',
      'Nonce',
      'TimeStamp',
    ]);
    const inner = parseWechatXml(openReply(safe, reply.body, 'xml'));
    expect(inner).toMatchObject({
      ToUserName: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
      MsgType: 'text',
      Content: 'x]]>y',
    });
  });

  it('answers a plaintext push in plaintext even for an account with a key', () => {
    const compatible = prepareAccount({
      appId: APP_ID,
      token: TOKEN,
      encodingAESKey: CURRENT,
      mode: 'compatible',
    });
    const opened = open(compatible, TEXT, false);
    const { body } = buildReply(
      compatible,
      opened,
      { MsgType: 'text', Content: 'hi' },
      { nowSeconds: NOW },
    );
    expect(parseWechatXml(body).Content).toBe('hi');
  });

  it('answers a JSON push in JSON, plaintext', () => {
    const opened = open(plain, JSON_PUSH, false);
    const { body, contentType } = buildReply(
      plain,
      opened,
      { MsgType: 'image', MediaId: 'm' },
      { nowSeconds: NOW },
    );
    expect(contentType).toMatch(/^application\/json/);
    expect(JSON.parse(body)).toStrictEqual({
      ToUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      FromUserName: 'gh_97417a04a28d',
      CreateTime: NOW,
      MsgType: 'image',
      Image: { MediaId: 'm' },
    });
  });

  it('answers an encrypted JSON push with the JSON envelope (numeric TimeStamp) and a JSON message', () => {
    const opened = open(safe, JSON_PUSH, true);
    const random = Buffer.from('0123456789abcdef');
    const reply = buildReply(
      safe,
      opened,
      { MsgType: 'news', Articles: [{ Title: 't' }] },
      { nowSeconds: NOW, random, nonce: 'n1' },
    );
    const envelope = JSON.parse(reply.body) as Record<string, unknown>;
    expect(envelope).toMatchObject({ TimeStamp: NOW, Nonce: 'n1' });
    expect(decryptMessage(safe.keys[0]!, envelope.Encrypt as string).random).toStrictEqual(random);
    const inner = JSON.parse(openReply(safe, reply.body, 'json'));
    expect(inner).toStrictEqual({
      ToUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      FromUserName: 'gh_97417a04a28d',
      CreateTime: NOW,
      MsgType: 'news',
      ArticleCount: 1,
      Articles: [{ Title: 't' }],
    });
  });

  it('opens a push made with the previous key and replies with that same key', () => {
    const before = prepareAccount({
      appId: APP_ID,
      token: TOKEN,
      encodingAESKey: PREVIOUS,
      mode: 'safe',
    });
    const rotated = prepareAccount({
      appId: APP_ID,
      token: TOKEN,
      encodingAESKey: CURRENT,
      previousEncodingAESKey: PREVIOUS,
      mode: 'safe',
    });
    const signed = signPush(before, { body: TEXT, timestamp: NOW, nonce: NONCE });
    const opened = openPush(rotated, {
      query: signed.query,
      body: Buffer.from(signed.body),
      nowSeconds: NOW,
    });
    expect(opened.keyIndex).toBe(1);
    expect(open(rotated, TEXT, true).keyIndex).toBe(0);
    const reply = buildReply(
      rotated,
      opened,
      { MsgType: 'text', Content: 'rotated' },
      { nowSeconds: NOW },
    );
    expect(parseWechatXml(openReply(rotated, reply.body, 'xml', 1)).Content).toBe('rotated');
    expectWechatError(() => openReply(rotated, reply.body, 'xml', 0), 'E_WECHAT_DECRYPT');
  });
});
