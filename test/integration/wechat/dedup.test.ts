import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture, wechatVectors } from '../../helpers/fixtures.ts';
import {
  createTrigger,
  deployFunction,
  putAccount,
  startReceiverEngine,
  type ReceiverEngine,
} from './helpers/receiver-engine.ts';
import { nowSeconds, post, signed, type Push, type TestAccount } from './helpers/pushes.ts';

// WeChat delivers a push up to 4 times (first try + 3 retries), each with a new nonce and,
// encrypted, a new ciphertext. Whatever the timing and the mode, the push runs once.
const B = wechatVectors().B_wxbizmsgcrypt_sample;
const SAFE: TestAccount = {
  appId: B.appid,
  token: B.token,
  encodingAESKey: B.encodingAESKey,
  mode: 'safe',
};
const COMPAT: TestAccount = {
  appId: 'wxcompatiblededup1',
  token: 'compattoken',
  encodingAESKey: 'D'.repeat(43),
  mode: 'compatible',
};
const OTHER: TestAccount = { appId: 'wxotheraccountddp1', token: 'othertoken', mode: 'plain' };
const TEXT = wechatFixture('text.xml');
const CARD = wechatFixture('user_get_card.xml');

let t: ReceiverEngine;

beforeAll(async () => {
  t = await startReceiverEngine();
  await deployFunction(
    t,
    'note',
    'exports.main = async (event) => ({ msgId: event.data.MsgId ?? null });',
  );
  for (const account of [SAFE, COMPAT, OTHER]) {
    await putAccount(t, account.appId, {
      token: account.token,
      mode: account.mode,
      ...(account.encodingAESKey ? { encodingAESKey: account.encodingAESKey } : {}),
    });
    await createTrigger(t, {
      name: `note_${account.appId}`,
      type: 'wechat_message',
      condition: { appId: account.appId, match: 'all', rules: [] },
      actions: [{ type: 'function', function: 'note' }],
    });
  }
});

afterAll(async () => {
  await t?.close();
});

/** Inbox rows, trigger log rows and jobs whose event data has `field` = `value`. */
function runs(field: string, value: string): { inbox: number; logs: number; jobs: number } {
  const path = `$.${field}`;
  return {
    inbox: t.count('inbox', 'json_extract(data, ?) = ?', path, value),
    // Logs and jobs keep no copy of the event: they name its inbox entry.
    logs: t.count(
      'trigger_logs',
      'inbox_id IN (SELECT id FROM inbox WHERE json_extract(data, ?) = ?)',
      path,
      value,
    ),
    jobs: t.count(
      'jobs',
      "inbox_id IN (SELECT id FROM inbox WHERE json_extract(data, ?) = ?) AND status = 'fulfilled'",
      path,
      value,
    ),
  };
}

async function sendAll(pushes: Array<[TestAccount, Push]>): Promise<void> {
  const answers = await Promise.all(
    pushes.map(([account, push]) => post(t.url, account.appId, push)),
  );
  for (const answer of answers) expect(answer).toMatchObject({ status: 200, text: 'success' });
  await t.engine.settled();
}

describe('the same push 4 times at once', () => {
  it('safe mode: four different ciphertexts of one message dispatch once (one log row, one job)', async () => {
    const xml = TEXT.replace('24602856263318283', '9000000000000000001');
    await sendAll([1, 2, 3, 4].map(() => [SAFE, signed(SAFE, xml, { timestamp: nowSeconds() })]));
    expect(runs('MsgId', '9000000000000000001')).toEqual({ inbox: 1, logs: 1, jobs: 1 });
  });

  it('an event without MsgId (keyed by a hash of the decrypted message) dispatches once', async () => {
    const xml = CARD.replace(
      /<UserCardCode>.*?<\/UserCardCode>/,
      '<UserCardCode><![CDATA[000111222333]]></UserCardCode>',
    );
    expect(xml).not.toContain('<MsgId>');
    await sendAll([1, 2, 3, 4].map(() => [SAFE, signed(SAFE, xml, { timestamp: nowSeconds() })]));
    expect(runs('UserCardCode', '000111222333')).toEqual({ inbox: 1, logs: 1, jobs: 1 });
  });

  it('a compatible account: plaintext and encrypted deliveries of one message dispatch once', async () => {
    const xml = TEXT.replace('24602856263318283', '9000000000000000002');
    await sendAll(
      [false, true, false, true].map((encrypt) => [
        COMPAT,
        signed(COMPAT, xml, { timestamp: nowSeconds(), encrypt }),
      ]),
    );
    expect(runs('MsgId', '9000000000000000002')).toEqual({ inbox: 1, logs: 1, jobs: 1 });
  });
});

describe('what is not a retry', () => {
  it('two distinct events of the same user in the same second both run', async () => {
    const one = CARD.replace(
      /<UserCardCode>.*?<\/UserCardCode>/,
      '<UserCardCode><![CDATA[555000000001]]></UserCardCode>',
    );
    const two = CARD.replace(
      /<UserCardCode>.*?<\/UserCardCode>/,
      '<UserCardCode><![CDATA[555000000002]]></UserCardCode>',
    );
    await sendAll([
      [SAFE, signed(SAFE, one, { timestamp: nowSeconds() })],
      [SAFE, signed(SAFE, two, { timestamp: nowSeconds() })],
    ]);
    expect(runs('UserCardCode', '555000000001')).toEqual({ inbox: 1, logs: 1, jobs: 1 });
    expect(runs('UserCardCode', '555000000002')).toEqual({ inbox: 1, logs: 1, jobs: 1 });
  });

  it('the same MsgId pushed to another account runs there too (keys are per account)', async () => {
    const xml = TEXT.replace('24602856263318283', '9000000000000000003');
    await sendAll([
      [SAFE, signed(SAFE, xml, { timestamp: nowSeconds() })],
      [OTHER, signed(OTHER, xml, { timestamp: nowSeconds() })],
    ]);
    expect(runs('MsgId', '9000000000000000003')).toEqual({ inbox: 2, logs: 2, jobs: 2 });
  });
});

describe('a late retry', () => {
  it('arriving after the first delivery ran is answered `success` and runs nothing', async () => {
    const xml = TEXT.replace('24602856263318283', '9000000000000000004');
    await sendAll([[SAFE, signed(SAFE, xml, { timestamp: nowSeconds() })]]);
    expect(runs('MsgId', '9000000000000000004')).toEqual({ inbox: 1, logs: 1, jobs: 1 });
    await sendAll([[SAFE, signed(SAFE, xml, { timestamp: nowSeconds() })]]);
    expect(runs('MsgId', '9000000000000000004')).toEqual({ inbox: 1, logs: 1, jobs: 1 });
    expect(t.logs.at(-1)).toMatchObject({
      appId: SAFE.appId,
      dedupKey: 'msgid:9000000000000000004',
    });
  });
});
