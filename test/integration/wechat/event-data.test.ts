import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture } from '../../helpers/fixtures.ts';
import {
  createTrigger,
  deployFunction,
  putAccount,
  startReceiverEngine,
  type ReceiverEngine,
} from './helpers/receiver-engine.ts';
import { nowSeconds, plainPush, post, signed, type TestAccount } from './helpers/pushes.ts';

// What a function sees as event.data, pushed over real HTTP and read back from INSIDE the
// isolate: the official mini-program vectors (A) byte for byte, 64-bit ids and leading zeros.
interface Vectors {
  A_plain_post: { token: string; timestamp: string; nonce: string; signature: string };
  A_safe_post: {
    token: string;
    encodingAESKey: string;
    appid: string;
    timestamp: string;
    nonce: string;
    signature: string;
    msg_signature: string;
    decrypted_msg: string;
  };
}
const vectors = JSON.parse(wechatFixture('vectors.json')) as Vectors;
const A = vectors.A_safe_post;
// Compatible mode accepts both of vector A's pushes: the plaintext one and the encrypted one.
const MP: TestAccount = {
  appId: A.appid,
  token: A.token,
  encodingAESKey: A.encodingAESKey,
  mode: 'compatible',
};
const SAFE_MP: TestAccount = {
  appId: 'wxminiprogramsafe1',
  token: 'mptoken',
  encodingAESKey: 'B'.repeat(43),
  mode: 'safe',
};
const OA: TestAccount = { appId: 'wxofficialaccount1', token: 'oatoken', mode: 'plain' };

// Runs inside the isolate: returns the data it got and the JS type of every value there.
const SEE_DATA = `exports.main = async (event) => ({
  data: event.data,
  types: Object.fromEntries(Object.entries(event.data).map(([k, v]) => [k, typeof v])),
});`;

let t: ReceiverEngine;

beforeAll(async () => {
  t = await startReceiverEngine();
  await deployFunction(t, 'see_data', SEE_DATA);
  for (const account of [MP, SAFE_MP, OA]) {
    await putAccount(t, account.appId, {
      token: account.token,
      mode: account.mode,
      ...(account.encodingAESKey ? { encodingAESKey: account.encodingAESKey } : {}),
    });
    await createTrigger(t, {
      name: `see_${account.appId}`,
      type: 'wechat_message',
      condition: { appId: account.appId, match: 'all', rules: [] },
      actions: [{ type: 'function', function: 'see_data' }],
    });
  }
});

afterAll(async () => {
  await t?.close();
});

/** The result of the one job the last push ran, after everything settled. */
async function lastSeen(): Promise<{
  data: Record<string, unknown>;
  types: Record<string, string>;
}> {
  await t.engine.settled();
  const jobs = await t.api('GET', '/functions/see_data/jobs?limit=1');
  expect(jobs.body.objects[0]).toMatchObject({ status: 'fulfilled' });
  return jobs.body.objects[0].result;
}

/** CreateTime a number, every other value a string. */
function expectSpecTypes(types: Record<string, string>): void {
  for (const [key, type] of Object.entries(types))
    expect([key, type]).toEqual([key, key === 'CreateTime' ? 'number' : 'string']);
}

describe('mini-program JSON pushes (official vector A)', () => {
  it('the plaintext JSON vector, with its exact query, reaches the function as event.data', async () => {
    const v = vectors.A_plain_post;
    t.clock.setSeconds(Number(v.timestamp));
    const answer = await post(t.url, MP.appId, {
      query: { signature: v.signature, timestamp: v.timestamp, nonce: v.nonce },
      body: wechatFixture('mp_debug_demo_plain.json'),
      contentType: 'application/json',
    });
    expect(answer).toMatchObject({ status: 200, text: 'success' });
    const seen = await lastSeen();
    expect(seen.data).toEqual({
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: 1714037059,
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
      _AppId: MP.appId,
    });
    expectSpecTypes(seen.types);
  });

  it('the safe-mode JSON vector is decrypted and reaches the function as the decrypted message', async () => {
    t.clock.setSeconds(Number(A.timestamp));
    const answer = await post(t.url, MP.appId, {
      query: {
        signature: A.signature,
        timestamp: A.timestamp,
        nonce: A.nonce,
        encrypt_type: 'aes',
        msg_signature: A.msg_signature,
      },
      body: wechatFixture('mp_debug_demo_safe.json'),
      contentType: 'application/json',
    });
    expect(answer).toMatchObject({ status: 200, text: 'success' });
    const seen = await lastSeen();
    expect(seen.data).toEqual({
      ...(JSON.parse(A.decrypted_msg) as Record<string, unknown>),
      _AppId: MP.appId,
    });
    expectSpecTypes(seen.types);
  });

  it.each([
    ['plaintext', OA, false],
    ['safe mode', SAFE_MP, true],
  ] as const)(
    'a %s customer-service push keeps its 64-bit MsgId exact',
    async (_label, account, encrypt) => {
      t.clock.offsetMs = 0;
      const push = signed(account, wechatFixture('mp_kf_text.json'), {
        timestamp: nowSeconds(),
        encrypt,
      });
      expect(await post(t.url, account.appId, push)).toMatchObject({
        status: 200,
        text: 'success',
      });
      const seen = await lastSeen();
      // JSON.parse would have made it 6054768590064714000.
      expect(seen.data).toMatchObject({
        MsgId: '6054768590064713728',
        CreateTime: 1482048670,
        Content: 'this is a test',
        _AppId: account.appId,
      });
      expectSpecTypes(seen.types);
    },
  );
});

describe('XML pushes keep what peers lose', () => {
  it.each([
    [
      'text.xml',
      { MsgId: '24602856263318283', MsgDataId: '2247483653', Content: ' 你好 <b>&amp; hi  ' },
    ],
    ['submit_membercard_user_info.xml', { UserCardCode: '018255396048' }],
    ['event_SCAN.xml', { EventKey: '0123' }],
    ['user_pay_from_pay_cell.xml', { TransId: '10022403432015000000000' }],
  ])('%s reaches the function with ids and codes as exact strings', async (name, expected) => {
    t.clock.offsetMs = 0;
    expect(
      await post(t.url, OA.appId, plainPush(OA, wechatFixture(name), nowSeconds())),
    ).toMatchObject({ status: 200, text: 'success' });
    const seen = await lastSeen();
    expect(seen.data).toMatchObject({ ...expected, _AppId: OA.appId });
    expect(typeof seen.data.CreateTime).toBe('number');
    expectSpecTypes(seen.types);
  });
});
