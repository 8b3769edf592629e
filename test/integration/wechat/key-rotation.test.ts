import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture } from '../../helpers/fixtures.ts';
import {
  createTrigger,
  deployFunction,
  putAccount,
  startReceiverEngine,
  type ReceiverEngine,
} from './helpers/receiver-engine.ts';
import {
  codeOf,
  nowSeconds,
  openSealedReply,
  post,
  signed,
  type TestAccount,
} from './helpers/pushes.ts';

// Key rotation over HTTP (docs/wechat.md §4): after PUT of a new EncodingAESKey, pushes
// still encrypted with the old one open, and each reply is sealed with the key that worked.
const APP_ID = 'wxkeyrotation00001';
const TOKEN = 'rotationtoken';
const K1 = 'a'.repeat(43);
const K2 = 'b'.repeat(43);
const K3 = 'c'.repeat(43);
const withKey = (key: string): TestAccount => ({
  appId: APP_ID,
  token: TOKEN,
  encodingAESKey: key,
  mode: 'safe',
});
const TEXT = wechatFixture('text.xml');

let t: ReceiverEngine;
let pushes = 0;

beforeAll(async () => {
  t = await startReceiverEngine();
  await putAccount(t, APP_ID, { token: TOKEN, encodingAESKey: K1 });
  await deployFunction(
    t,
    'echo',
    "exports.main = async (event) => ({ reply: { MsgType: 'text', Content: `got ${event.data.Content}` } });",
  );
  await createTrigger(t, {
    name: 'echo',
    type: 'wechat_message',
    reply: true,
    condition: { appId: APP_ID, match: 'all', rules: [] },
    actions: [{ type: 'function', function: 'echo' }],
  });
});

afterAll(async () => {
  await t?.close();
});

/** Pushes a text encrypted with `key`; returns the answer. */
async function pushWith(key: string, content: string) {
  const xml = TEXT.replace(
    /<Content>.*<\/Content>/,
    `<Content><![CDATA[${content}]]></Content>`,
  ).replace('24602856263318283', `81${String(++pushes).padStart(15, '0')}`);
  return post(t.url, APP_ID, signed(withKey(key), xml, { timestamp: nowSeconds() }));
}

/** Opens a sealed answer with `key`, or says why it cannot be opened. */
function opensWith(key: string, body: string): string {
  try {
    return String(openSealedReply(withKey(key), key, body).message.Content);
  } catch {
    return 'does not open';
  }
}

describe('key rotation', () => {
  it('before rotation, a push with the key is answered sealed with it', async () => {
    const answer = await pushWith(K1, 'one');
    expect(answer.status).toBe(200);
    expect(opensWith(K1, answer.text)).toBe('got one');
  });

  it('PUT with a new key keeps the old one as the previous key (never echoing either)', async () => {
    const put = await t.api('PUT', `/wechat/accounts/${APP_ID}`, {
      token: TOKEN,
      encodingAESKey: K2,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      appId: APP_ID,
      mode: 'safe',
      hasEncodingAESKey: true,
      hasPreviousEncodingAESKey: true,
    });
    expect(JSON.stringify(put.body)).not.toMatch(/aaaa|bbbb/);
  });

  it('a push still encrypted with the old key opens, and its reply is sealed with the old key', async () => {
    const answer = await pushWith(K1, 'old key');
    expect(answer.status).toBe(200);
    expect(opensWith(K1, answer.text)).toBe('got old key');
    expect(opensWith(K2, answer.text)).toBe('does not open');
  });

  it('a push with the new key is answered with the new key', async () => {
    const answer = await pushWith(K2, 'new key');
    expect(answer.status).toBe(200);
    expect(opensWith(K2, answer.text)).toBe('got new key');
    expect(opensWith(K1, answer.text)).toBe('does not open');
  });

  it('PUT of the same key again keeps the previous one', async () => {
    await putAccount(t, APP_ID, { token: TOKEN, encodingAESKey: K2 });
    expect((await pushWith(K1, 'still old')).status).toBe(200);
  });

  it('a third key drops the first: pushes with it are refused (400 E_WECHAT_DECRYPT), the second still opens', async () => {
    await putAccount(t, APP_ID, { token: TOKEN, encodingAESKey: K3 });
    const refused = await pushWith(K1, 'too old');
    expect({ status: refused.status, code: codeOf(refused) }).toEqual({
      status: 400,
      code: 'E_WECHAT_DECRYPT',
    });
    const previous = await pushWith(K2, 'previous');
    expect(opensWith(K2, previous.text)).toBe('got previous');
    const current = await pushWith(K3, 'current');
    expect(opensWith(K3, current.text)).toBe('got current');
  });

  it('every accepted push was stored once, the refused one not at all', () => {
    expect(t.count('inbox')).toBe(6);
    expect(t.count('inbox', "json_extract(data, '$.Content') = 'too old'")).toBe(0);
  });
});
