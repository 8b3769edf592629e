/**
 * Fuzz: random and adversarial requests at `POST /hooks/:key` (bodies, content types, keys)
 * and at every admin route with the token (random JSON bodies shaped like each route's, random
 * query strings). Invariants: no 5xx, JSON answers, the engine keeps answering, a refused hook
 * adds no inbox row, and a valid WeChat push sent every few runs is answered `success`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { rawRequest } from './helpers/raw-http.ts';
import {
  FUZZ_ACCOUNTS,
  anyBody,
  anyContentType,
  fuzzOptions,
  inboxCounter,
  sendValidPush,
} from './helpers/fuzz-support.ts';

/** Keys the admin bodies are made of: random values under the names the routes read. */
const BODY_KEYS = [
  'code',
  'filename',
  'timeoutMs',
  'memoryMb',
  'env',
  'set',
  'unset',
  'version',
  'data',
  'name',
  'fields',
  'type',
  'condition',
  'actions',
  'rules',
  'match',
  'appId',
  'retry',
  'frequency',
  'reply',
  'enabled',
  'token',
  'encodingAESKey',
  'mode',
  'body',
  'encrypt',
  'timestamp',
  'nonce',
  'where',
  'keys',
  '__proto__',
  'constructor',
];
const QUERY_KEYS = [
  'limit',
  'offset',
  'where',
  'order_by',
  'keys',
  'expand',
  'status',
  'source',
  'since',
  'until',
  'msgId',
  'fromUserName',
  'event',
  'format',
  '__proto__',
];
// Path parameters from a small set, so requests reach existing things too; never the account
// the valid pushes use.
const PARAM_VALUES: Record<string, string[]> = {
  appId: ['wxfuzzadmin0000001', 'wxnobody'],
  name: ['fz', 'echo', 'hooked', 'nobody'],
  t: ['fz_table', 'nobody'],
  id: ['1', 'abc', '999999999999999999999'],
};

const adminBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom(...BODY_KEYS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
);
const adminQuery = fc
  .dictionary(
    fc.constantFrom(...QUERY_KEYS),
    fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
      fc.constantFrom('-1', '1e400', '9007199254740993', 'csv', 'json', '{"$regex":"a"}'),
    ),
    { maxKeys: 4 },
  )
  .map((q) => new URLSearchParams(q).toString());

describe('fuzz: incoming hooks and the admin API', () => {
  let t: TestEngine;
  let inbox: ReturnType<typeof inboxCounter>;
  // Four triggers, so the fuzz stays under each one's rate limit (a burst of 100) and its
  // bodies are read, not answered 429 before.
  const keys: string[] = [];
  let runs = 0;
  const valid: string[] = [];

  beforeAll(async () => {
    t = await startTestEngine();
    const { appId, ...safe } = FUZZ_ACCOUNTS.safe;
    expect((await t.api('PUT', `/wechat/accounts/${appId}`, safe)).status).toBe(200);
    expect(
      (await t.api('PUT', '/functions/echo', { code: 'exports.main = async (e) => e' })).status,
    ).toBe(201);
    for (const name of ['hooked', 'hooked_2', 'hooked_3', 'hooked_4']) {
      const created = await t.api('POST', '/triggers', {
        name,
        type: 'webhook',
        actions: [{ type: 'function', function: 'echo' }],
      });
      expect(created.status).toBe(201);
      keys.push(created.body.key);
    }
    expect(
      (
        await t.api('POST', '/tables', {
          name: 'fz_table',
          fields: [{ name: 'a', type: 'string' }],
        })
      ).status,
    ).toBe(201);
    inbox = inboxCounter(t.dataDir);
  });

  afterAll(async () => {
    inbox?.close();
    await t?.close();
  });

  async function interleavedPush() {
    if (++runs % 10 !== 0) return;
    const ok = await sendValidPush(t.engine.url, FUZZ_ACCOUNTS.safe);
    valid.push(`${ok.status} ${ok.text}`);
    expect(`${ok.status} ${ok.text}`).toBe('200 success');
  }

  it('answers random hook requests without a 5xx; only a 202 adds an inbox row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 3) },
          fc.string({ maxLength: 60 }).map(encodeURIComponent),
          fc.constantFrom('', '%00', '..', '%2e%2e', 'a'.repeat(3000)),
        ),
        anyBody,
        anyContentType,
        fc.constantFrom('POST', 'POST', 'PUT', 'GET'),
        async (which, body, contentType, method) => {
          const target = `/hooks/${typeof which === 'number' ? keys[which] : which}`;
          const before = inbox.count('webhook');
          const answer = await rawRequest(t.engine.url, method, target, {
            headers: contentType === '' ? {} : { 'content-type': contentType },
            ...(method === 'GET' ? {} : { body }),
          });
          expect(
            answer.status,
            `${method} ${target.slice(0, 60)} → ${answer.text.slice(0, 200)}`,
          ).toBeLessThan(500);
          expect(answer.headers['content-type']).toMatch(/json/);
          expect(inbox.count('webhook')).toBe(answer.status === 202 ? before + 1 : before);
          await interleavedPush();
        },
      ),
      fuzzOptions(320),
    );
  });

  it('answers random bodies and queries at every admin route without a 5xx', async () => {
    const routes = [...t.engine.adminRoutes];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.record({
          appId: fc.constantFrom(...PARAM_VALUES.appId!),
          name: fc.constantFrom(...PARAM_VALUES.name!),
          t: fc.constantFrom(...PARAM_VALUES.t!),
          id: fc.constantFrom(...PARAM_VALUES.id!),
        }),
        adminBody,
        adminQuery,
        fc.constantFrom('application/json', 'text/plain', ''),
        async (route, params, body, query, contentType) => {
          const path = route.path.replace(
            /:(\w+)/g,
            (_, p: string) => params[p as keyof typeof params],
          );
          const target = `/api/v1${path}${query ? `?${query}` : ''}`;
          const answer = await rawRequest(t.engine.url, route.method, target, {
            headers: {
              authorization: `Bearer ${t.engine.adminToken}`,
              ...(contentType === '' ? {} : { 'content-type': contentType }),
            },
            ...(route.method === 'GET' || route.method === 'DELETE'
              ? {}
              : { body: JSON.stringify(body) ?? '' }),
          });
          expect(
            answer.status,
            `${route.method} ${target.slice(0, 200)} ${JSON.stringify(body).slice(0, 200)} → ${answer.text.slice(0, 300)}`,
          ).toBeLessThan(500);
          if (answer.status !== 204 && !path.endsWith('/export'))
            expect(answer.headers['content-type']).toMatch(/json/);
          await interleavedPush();
        },
      ),
      fuzzOptions(300),
    );
  });

  it('is still up, and answered every valid push sent during the fuzz', async () => {
    expect((await rawRequest(t.engine.url, 'GET', '/healthz')).status).toBe(200);
    expect(valid.length).toBeGreaterThan(0);
    expect(valid.every((v) => v === '200 success')).toBe(true);
    const last = await sendValidPush(t.engine.url, FUZZ_ACCOUNTS.safe);
    expect(`${last.status} ${last.text}`).toBe('200 success');
  });
});
