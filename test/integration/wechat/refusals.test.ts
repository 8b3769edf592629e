import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture, wechatVectors } from '../../helpers/fixtures.ts';
import {
  createTrigger,
  putAccount,
  startReceiverEngine,
  type ReceiverEngine,
} from './helpers/receiver-engine.ts';
import {
  badlyPaddedCiphertext,
  codeOf,
  encryptedForAppId,
  nowSeconds,
  plainPush,
  post,
  safePushFromCiphertext,
  signed,
  type Push,
  type TestAccount,
} from './helpers/pushes.ts';

// Hostile and wrong pushes over real HTTP to a real engine: each gets its documented 4xx,
// its refusal is logged with code and account, and nothing is stored or run: no inbox row,
// no trigger log row, no job, no queue item, no record written by the catch-all triggers.
const B = wechatVectors().B_wxbizmsgcrypt_sample;
const SAFE: TestAccount = {
  appId: B.appid,
  token: B.token,
  encodingAESKey: B.encodingAESKey,
  mode: 'safe',
};
const PLAIN: TestAccount = { appId: 'wxplainaccount0001', token: 'plaintoken', mode: 'plain' };
const TEXT = wechatFixture('text.xml');

let t: ReceiverEngine;

beforeAll(async () => {
  t = await startReceiverEngine();
  await putAccount(t, SAFE.appId, {
    token: SAFE.token,
    encodingAESKey: SAFE.encodingAESKey!,
    mode: 'safe',
  });
  await putAccount(t, PLAIN.appId, { token: PLAIN.token, mode: 'plain' });
  const tables = await t.api('POST', '/tables', {
    name: 'seen',
    fields: [
      { name: 'app', type: 'string' },
      { name: 'type', type: 'string' },
    ],
  });
  expect(tables.status).toBe(201);
  // A trigger that matches every push of each account: anything that got through would run.
  for (const account of [SAFE, PLAIN]) {
    await createTrigger(t, {
      name: `all_${account.appId}`,
      type: 'wechat_message',
      condition: { appId: account.appId, match: 'all', rules: [] },
      actions: [
        { type: 'table', table: 'seen', record: { app: '{{_AppId}}', type: '{{MsgType}}' } },
      ],
    });
  }
});

afterAll(async () => {
  await t?.close();
});

/** Sends the push, checks status and code, then that the engine stored and ran nothing. */
async function expectRefused(
  appId: string,
  push: Push,
  status: number,
  code: string,
): Promise<void> {
  const logsBefore = t.logs.length;
  const answer = await post(t.url, appId, push);
  expect({ status: answer.status, code: codeOf(answer) }).toEqual({ status, code });
  await t.engine.settled();
  expect(t.count('inbox')).toBe(0);
  expect(t.count('trigger_logs')).toBe(0);
  expect(t.count('jobs')).toBe(0);
  expect(t.count('queue')).toBe(0);
  const seen = await t.api('GET', '/tables/seen/records');
  expect(seen.body.meta.total_count).toBe(0);
  // SPEC §3 / issue 4: each refusal is logged with its reason, stable code and account.
  const refusal = t.logs.slice(logsBefore).find((line) => line.code === code);
  expect(refusal).toMatchObject({ appId, code, status, level: 40 });
  expect(String(refusal?.msg)).toMatch(/^push refused: .+/);
}

const plain = (body: string | Buffer, timestamp = nowSeconds()): Push =>
  plainPush(PLAIN, body, timestamp);

describe('hostile XML to a plaintext account (400 E_WECHAT_MALFORMED)', () => {
  it.each(['attack_xxe.xml', 'attack_billion_laughs.xml'])(
    'refuses the %s fixture',
    async (name) => {
      await expectRefused(PLAIN.appId, plain(wechatFixture(name)), 400, 'E_WECHAT_MALFORMED');
    },
  );

  it('refuses nesting 30 elements deep (the parser-exhaustion attack)', async () => {
    await expectRefused(
      PLAIN.appId,
      plain(`<xml>${'<a>'.repeat(30)}x${'</a>'.repeat(30)}</xml>`),
      400,
      'E_WECHAT_MALFORMED',
    );
  });

  it('refuses a __proto__ element, and leaves Object.prototype clean', async () => {
    const body = TEXT.replace('</xml>', '<__proto__><polluted>yes</polluted></__proto__></xml>');
    await expectRefused(PLAIN.appId, plain(body), 400, 'E_WECHAT_MALFORMED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a __proto__ key in a JSON push', async () => {
    const body =
      '{"ToUserName":"gh_x","FromUserName":"o1","CreateTime":1,"MsgType":"text","__proto__":{"polluted":"yes"}}';
    await expectRefused(
      PLAIN.appId,
      { ...plain(body), contentType: 'application/json' },
      400,
      'E_WECHAT_MALFORMED',
    );
  });

  it('refuses truncated XML', async () => {
    await expectRefused(
      PLAIN.appId,
      plain(TEXT.slice(0, TEXT.indexOf('<MsgId>') + 10)),
      400,
      'E_WECHAT_MALFORMED',
    );
  });

  it('refuses bytes that are not UTF-8', async () => {
    const body = Buffer.concat([
      Buffer.from('<xml><Content>'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('</Content></xml>'),
    ]);
    await expectRefused(PLAIN.appId, plain(body), 400, 'E_WECHAT_MALFORMED');
  });
});

describe('size', () => {
  it('refuses a 2 MiB body with 413 E_WECHAT_TOO_LARGE', async () => {
    const body = TEXT.replace(
      '</xml>',
      `<Pad><![CDATA[${'x'.repeat(2 * 1024 * 1024)}]]></Pad></xml>`,
    );
    await expectRefused(PLAIN.appId, plain(body), 413, 'E_WECHAT_TOO_LARGE');
  });

  it('refuses a 2 MiB chunked body (no Content-Length) with 413 as it streams in', async () => {
    const logsBefore = t.logs.length;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 32; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const push = plain(TEXT);
    const response = await fetch(
      `${t.url}/wechat/${PLAIN.appId}?${new URLSearchParams(push.query).toString()}`,
      {
        method: 'POST',
        body,
        duplex: 'half',
      } as RequestInit,
    );
    expect(response.status).toBe(413);
    expect(codeOf({ text: await response.text() })).toBe('E_WECHAT_TOO_LARGE');
    await t.engine.settled();
    expect(t.count('inbox')).toBe(0);
    expect(
      t.logs.slice(logsBefore).find((line) => line.code === 'E_WECHAT_TOO_LARGE'),
    ).toMatchObject({ appId: PLAIN.appId, ip: '127.0.0.1' });
  });
});

describe('signatures and timestamps (401)', () => {
  it('refuses a wrong signature', async () => {
    const push = plain(TEXT);
    push.query.signature = '0'.repeat(40);
    await expectRefused(PLAIN.appId, push, 401, 'E_WECHAT_BAD_SIGNATURE');
  });

  it('refuses a safe push signed with `signature` only (no msg_signature)', async () => {
    const push = signed(SAFE, TEXT, { timestamp: nowSeconds() });
    delete push.query.msg_signature;
    await expectRefused(SAFE.appId, push, 401, 'E_WECHAT_BAD_SIGNATURE');
  });

  it.each([
    ['6 minutes old', -360],
    ['6 minutes ahead', 360],
  ])('refuses a plaintext push whose timestamp is %s', async (_label, skew) => {
    await expectRefused(
      PLAIN.appId,
      plain(TEXT, String(Number(nowSeconds()) + skew)),
      401,
      'E_WECHAT_STALE_TIMESTAMP',
    );
  });

  it('refuses a correctly signed safe push whose timestamp is stale (a replay)', async () => {
    const push = signed(SAFE, TEXT, { timestamp: String(Number(nowSeconds()) - 301 - 5) });
    await expectRefused(SAFE.appId, push, 401, 'E_WECHAT_STALE_TIMESTAMP');
  });
});

describe('decryption', () => {
  it('refuses a ciphertext naming another AppID (401 E_WECHAT_APPID_MISMATCH)', async () => {
    const encrypt = encryptedForAppId(SAFE, TEXT, 'wx0000000000000bad');
    await expectRefused(
      SAFE.appId,
      safePushFromCiphertext(SAFE, encrypt, nowSeconds()),
      401,
      'E_WECHAT_APPID_MISMATCH',
    );
  });

  it('refuses a ciphertext with bad PKCS#7 padding (400 E_WECHAT_DECRYPT)', async () => {
    const encrypt = badlyPaddedCiphertext(SAFE, TEXT);
    await expectRefused(
      SAFE.appId,
      safePushFromCiphertext(SAFE, encrypt, nowSeconds()),
      400,
      'E_WECHAT_DECRYPT',
    );
  });

  it('refuses a ciphertext made with another key (400 E_WECHAT_DECRYPT)', async () => {
    const other: TestAccount = { ...SAFE, encodingAESKey: 'Z'.repeat(43) };
    const encrypt = encryptedForAppId(other, TEXT, SAFE.appId);
    await expectRefused(
      SAFE.appId,
      safePushFromCiphertext(SAFE, encrypt, nowSeconds()),
      400,
      'E_WECHAT_DECRYPT',
    );
  });
});

describe('modes (400 E_WECHAT_MODE)', () => {
  it('a safe account refuses a correctly signed plaintext push', async () => {
    const push = signed(SAFE, TEXT, { timestamp: nowSeconds(), encrypt: false });
    expect(push.query.encrypt_type).toBeUndefined();
    await expectRefused(SAFE.appId, push, 400, 'E_WECHAT_MODE');
  });

  it('a plain account without a key refuses an encrypted push', async () => {
    const encrypt = encryptedForAppId(SAFE, TEXT, PLAIN.appId);
    await expectRefused(
      PLAIN.appId,
      safePushFromCiphertext(PLAIN, encrypt, nowSeconds()),
      400,
      'E_WECHAT_MODE',
    );
  });
});

describe('unknown accounts (404 E_WECHAT_UNKNOWN_ACCOUNT)', () => {
  it('refuses a push to an appId that is not registered', async () => {
    await expectRefused('wxnotregistered001', plain(TEXT), 404, 'E_WECHAT_UNKNOWN_ACCOUNT');
  });

  it('refuses the URL check of an appId that is not registered', async () => {
    const response = await fetch(
      `${t.url}/wechat/wxnotregistered001?signature=x&timestamp=1&nonce=1&echostr=abc`,
    );
    expect(response.status).toBe(404);
    expect(codeOf({ text: await response.text() })).toBe('E_WECHAT_UNKNOWN_ACCOUNT');
  });
});

describe('after all the refusals', () => {
  it('still accepts and runs a good push of each account', async () => {
    expect(await post(t.url, PLAIN.appId, plain(TEXT))).toMatchObject({
      status: 200,
      text: 'success',
    });
    expect(
      await post(t.url, SAFE.appId, signed(SAFE, TEXT, { timestamp: nowSeconds() })),
    ).toMatchObject({ status: 200, text: 'success' });
    await t.engine.settled();
    const seen = await t.api('GET', '/tables/seen/records');
    expect(seen.body.objects.map((r: { app: string }) => r.app).sort()).toEqual(
      [SAFE.appId, PLAIN.appId].sort(),
    );
    expect(t.count('inbox')).toBe(2);
  });
});
