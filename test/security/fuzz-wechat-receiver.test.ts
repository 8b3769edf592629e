/**
 * Fuzz: random and adversarial pushes at `/wechat/:appId` in plain, compatible and safe mode —
 * forged (made-up or no signature), and signed correctly around garbage (safe mode: a valid
 * msg_signature over an Encrypt that decrypts to junk, or to another AppID). Invariants: no
 * answer is a 5xx, the engine keeps answering, a refused push adds no inbox row, and a valid
 * push sent every few runs is answered `success` (answered, not timed).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSignature, encryptMessage, prepareAccount } from '../../engine/wechat/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { rawRequest } from './helpers/raw-http.ts';
import {
  FUZZ_ACCOUNTS,
  anyBody,
  anyContentType,
  anyQuery,
  fuzzOptions,
  inboxCounter,
  sendValidPush,
  xmlish,
  type FuzzAccount,
} from './helpers/fuzz-support.ts';

const MODES = ['plain', 'compatible', 'safe'] as const;

describe('fuzz: the WeChat receiver', () => {
  let t: TestEngine;
  let inbox: ReturnType<typeof inboxCounter>;
  let runs = 0;
  const valid: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine();
    for (const account of Object.values(FUZZ_ACCOUNTS)) {
      const { appId, ...rest } = account;
      const put = await t.api('PUT', `/wechat/accounts/${appId}`, rest);
      expect(put.status, JSON.stringify(put.body)).toBe(200);
    }
    inbox = inboxCounter(t.dataDir);
  });

  afterAll(async () => {
    inbox?.close();
    await t?.close();
  });

  /** Sends one fuzz request; checks no 5xx and that a refusal stored nothing. */
  async function probe(method: string, target: string, body: Buffer, contentType: string) {
    const before = inbox.count();
    const answer = await rawRequest(t.engine.url, method, target, {
      headers: contentType === '' ? {} : { 'content-type': contentType },
      ...(method === 'GET' ? {} : { body }),
    });
    expect(
      answer.status,
      `${method} ${target.slice(0, 120)} → ${answer.text.slice(0, 200)}`,
    ).toBeLessThan(500);
    if (answer.status !== 200) {
      expect(answer.headers['content-type']).toMatch(/json/);
      expect(inbox.count()).toBe(before);
    }
    // Every 8th run, a real push must still be answered.
    if (++runs % 8 === 0) {
      const mode = MODES[runs % 3]!;
      const ok = await sendValidPush(t.engine.url, FUZZ_ACCOUNTS[mode]);
      valid.push(`${ok.status} ${ok.text}`);
      expect(`${ok.status} ${ok.text}`).toBe('200 success');
    }
    return answer;
  }

  it('answers forged and random pushes in every mode with a 4xx, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MODES),
        fc.constantFrom('POST', 'POST', 'POST', 'GET'),
        anyQuery,
        fc.boolean(),
        anyBody,
        anyContentType,
        async (mode, method, query, freshSignature, body, contentType) => {
          const account = FUZZ_ACCOUNTS[mode];
          // Half the time, a fresh timestamp and nonce with a made-up signature, so the
          // request gets past the cheap checks to the signature itself.
          const now = String(Math.floor(Date.now() / 1000));
          const q = freshSignature
            ? `timestamp=${now}&nonce=42&signature=${'a'.repeat(40)}&msg_signature=${'b'.repeat(40)}${mode === 'plain' ? '' : '&encrypt_type=aes'}&${query}`
            : query;
          await probe(method, `/wechat/${account.appId}?${q}`, body, contentType);
        },
      ),
      fuzzOptions(400),
    );
  });

  it('answers pushes signed correctly around garbage with a 4xx (or stores a push that parses)', async () => {
    const signedGarbage = (
      account: FuzzAccount,
      plaintext: Buffer,
      appId: string,
      json: boolean,
    ): { target: string; body: Buffer } => {
      const now = String(Math.floor(Date.now() / 1000));
      const nonce = '777';
      const query = new URLSearchParams({
        signature: computeSignature(account.token, now, nonce),
        timestamp: now,
        nonce,
      });
      if (account.mode === 'plain')
        return { target: `/wechat/${account.appId}?${query.toString()}`, body: plaintext };
      const prepared = prepareAccount({ ...account, encodingAESKey: account.encodingAESKey! });
      const encrypt = encryptMessage(prepared.keys[0]!, plaintext, appId);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', computeSignature(account.token, now, nonce, encrypt));
      const body = json
        ? JSON.stringify({ ToUserName: 'gh', Encrypt: encrypt })
        : `<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
      return { target: `/wechat/${account.appId}?${query.toString()}`, body: Buffer.from(body) };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MODES),
        fc.oneof(
          anyBody,
          xmlish.map((s) => Buffer.from(`<xml><MsgType>text</MsgType>${s}</xml>`)),
        ),
        fc.oneof(fc.constant('own'), fc.string({ maxLength: 24 })),
        fc.boolean(),
        async (mode, plaintext, appId, json) => {
          const account = FUZZ_ACCOUNTS[mode];
          const { target, body } = signedGarbage(
            account,
            plaintext,
            appId === 'own' ? account.appId : appId,
            json,
          );
          await probe('POST', target, body, json ? 'application/json' : 'text/xml');
        },
      ),
      fuzzOptions(300),
    );
  });

  it('is still up, and answered every valid push sent during the fuzz', async () => {
    const health = await rawRequest(t.engine.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(valid.length).toBeGreaterThan(0);
    expect(valid.every((v) => v === '200 success')).toBe(true);
    const last = await sendValidPush(t.engine.url, FUZZ_ACCOUNTS.safe);
    expect(`${last.status} ${last.text}`).toBe('200 success');
  });
});
