import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture, wechatVectors } from '../../helpers/fixtures.ts';
import { parseWechatXml } from '../../../engine/wechat/index.ts';
import {
  createTrigger,
  deployFunction,
  putAccount,
  startReceiverEngine,
  type ReceiverEngine,
} from './helpers/receiver-engine.ts';
import { nowSeconds, openSealedReply, post, signed, type TestAccount } from './helpers/pushes.ts';

// `"reply": true` triggers: the function runs before WeChat is answered and its `reply`
// becomes the answer: plain XML, or sealed with the account key for an encrypted push.
const B = wechatVectors().B_wxbizmsgcrypt_sample;
const SAFE: TestAccount = {
  appId: B.appid,
  token: B.token,
  encodingAESKey: B.encodingAESKey,
  mode: 'safe',
};
const PLAIN: TestAccount = { appId: 'wxplainreplies0001', token: 'replytoken', mode: 'plain' };
const MP: TestAccount = {
  appId: 'wxminiprogramreply',
  token: 'mptoken',
  encodingAESKey: 'E'.repeat(43),
  mode: 'safe',
};
const TEXT = wechatFixture('text.xml');
const USER = 'oia2TjuEGTNoeX76QEjQNrcURxG8';
const GH = 'gh_7f083739789a';

const FUNCTIONS: Record<string, string> = {
  echo: "exports.main = async (event) => ({ reply: { MsgType: 'text', Content: `你说：${event.data.Content} ]]> 😀` } });",
  slow: 'exports.main = async () => { await new Promise((resolve) => setTimeout(resolve, 2000)); return { reply: { MsgType: "text", Content: "too late" } }; };',
  boom: "exports.main = async () => { throw new Error('boom'); };",
  bad: "exports.main = async () => ({ reply: { MsgType: 'text', content: 'lower-case field' } });",
  none: 'exports.main = async () => ({ ok: true });',
};

let t: ReceiverEngine;

beforeAll(async () => {
  t = await startReceiverEngine();
  for (const [name, code] of Object.entries(FUNCTIONS)) await deployFunction(t, name, code);
  for (const account of [SAFE, PLAIN, MP]) {
    await putAccount(t, account.appId, {
      token: account.token,
      mode: account.mode,
      ...(account.encodingAESKey ? { encodingAESKey: account.encodingAESKey } : {}),
    });
    // One reply trigger per kind of function, picked by the text's first word.
    for (const name of Object.keys(FUNCTIONS)) {
      await createTrigger(t, {
        name: `${name}_${account.appId}`,
        type: 'wechat_message',
        reply: true,
        ...(name === 'slow' ? { replyBudgetMs: 200 } : {}),
        condition: {
          appId: account.appId,
          match: 'all',
          rules: [
            { field: 'Content', op: 'regex', value: `^${name === 'echo' ? 'hello' : name}\\b` },
          ],
        },
        actions: [{ type: 'function', function: name }],
      });
    }
  }
});

afterAll(async () => {
  await t?.close();
});

const textPush = (content: string, msgId: string) =>
  TEXT.replace(/<Content>.*<\/Content>/, `<Content><![CDATA[${content}]]></Content>`).replace(
    '24602856263318283',
    msgId,
  );

/** The trigger log rows of a trigger, newest first. */
async function logsOf(trigger: string): Promise<Array<Record<string, unknown>>> {
  const logs = await t.api('GET', `/triggers/${trigger}/logs`);
  return logs.body.objects;
}

describe('a text reply', () => {
  it('plain mode: answers the reply XML, To/From swapped, CreateTime in seconds, `]]>` kept intact', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await post(
      t.url,
      PLAIN.appId,
      signed(PLAIN, textPush('hello <there>', '7100000000000000001'), { timestamp: nowSeconds() }),
    );
    expect(answer).toMatchObject({ status: 200, contentType: 'text/xml; charset=utf-8' });
    const reply = parseWechatXml(answer.text);
    expect(reply).toEqual({
      ToUserName: USER,
      FromUserName: GH,
      CreateTime: expect.stringMatching(/^\d{10}$/),
      MsgType: 'text',
      Content: '你说：hello <there> ]]> 😀',
    });
    expect(Number(reply.CreateTime)).toBeGreaterThanOrEqual(before);
    expect(Number(reply.CreateTime)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const [log] = await logsOf(`echo_${PLAIN.appId}`);
    expect(log).toMatchObject({
      status: 'succeeded',
      error_type: null,
      job_id: expect.any(String),
    });
  });

  it('safe mode: the answer is sealed with the account key, signed, with the push nonce, and decrypts to the reply', async () => {
    const push = signed(SAFE, textPush('hello safe', '7100000000000000002'), {
      timestamp: nowSeconds(),
    });
    const answer = await post(t.url, SAFE.appId, push);
    expect(answer).toMatchObject({ status: 200, contentType: 'text/xml; charset=utf-8' });
    expect(answer.text).not.toContain('hello safe');
    const opened = openSealedReply(SAFE, SAFE.encodingAESKey!, answer.text);
    expect(opened.appId).toBe(SAFE.appId);
    expect(opened.envelope).toMatchObject({
      Nonce: push.query.nonce,
      TimeStamp: expect.stringMatching(/^\d{10}$/),
    });
    expect(opened.message).toEqual({
      ToUserName: USER,
      FromUserName: GH,
      CreateTime: String(opened.envelope.TimeStamp),
      MsgType: 'text',
      Content: '你说：hello safe ]]> 😀',
    });
  });

  it('a safe JSON mini-program push gets a sealed JSON answer with a numeric TimeStamp', async () => {
    const json = wechatFixture('mp_kf_text.json').replace('this is a test', 'hello json');
    const push = signed(MP, json, { timestamp: nowSeconds() });
    const answer = await post(t.url, MP.appId, push);
    expect(answer).toMatchObject({ status: 200, contentType: 'application/json; charset=utf-8' });
    const opened = openSealedReply(MP, MP.encodingAESKey!, answer.text);
    expect(typeof opened.envelope.TimeStamp).toBe('number');
    expect(opened.message).toMatchObject({
      ToUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      FromUserName: 'gh_97417a04a28d',
      MsgType: 'text',
      Content: '你说：hello json ]]> 😀',
    });
  });

  it('the push is in the inbox too (durable before the answer), and a retry gets `success` without running again', async () => {
    const xml = textPush('hello again', '7100000000000000003');
    const first = await post(t.url, PLAIN.appId, signed(PLAIN, xml, { timestamp: nowSeconds() }));
    expect(first.contentType).toBe('text/xml; charset=utf-8');
    const retry = await post(t.url, PLAIN.appId, signed(PLAIN, xml, { timestamp: nowSeconds() }));
    expect(retry).toMatchObject({ status: 200, text: 'success' });
    expect(t.count('inbox', "json_extract(data, '$.MsgId') = ?", '7100000000000000003')).toBe(1);
    expect(
      t.count(
        'jobs',
        "inbox_id IN (SELECT id FROM inbox WHERE json_extract(data, '$.MsgId') = ?)",
        '7100000000000000003',
      ),
    ).toBe(1);
  });
});

describe('no reply: WeChat gets `success` and the trigger log says why', () => {
  let pushCount = 0;
  it.each([
    ['slow', 'E_REPLY_BUDGET_EXCEEDED', /reply budget of 200 ms/],
    ['boom', 'execution_failed', /boom/],
    ['bad', 'E_WECHAT_REPLY_INVALID', /content/],
    ['none', 'E_REPLY_MISSING', /no `reply`/],
  ])('%s → %s', async (name, errorType, why) => {
    for (const account of [PLAIN, SAFE]) {
      const msgId = `72${String(++pushCount).padStart(15, '0')}`;
      const answer = await post(
        t.url,
        account.appId,
        signed(account, textPush(`${name} please`, msgId), { timestamp: nowSeconds() }),
      );
      expect(answer).toMatchObject({
        status: 200,
        text: 'success',
        contentType: 'text/plain; charset=utf-8',
      });
      const [log] = await logsOf(`${name}_${account.appId}`);
      expect(log).toMatchObject({ status: 'dead_letter', error_type: errorType });
      expect(String(log!.error)).toMatch(why);
      expect(t.logs.at(-1)).toMatchObject({
        appId: account.appId,
        trigger: `${name}_${account.appId}`,
        code: errorType,
        msg: 'passive reply not sent; answered "success"',
      });
    }
  });
});
