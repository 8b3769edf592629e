/**
 * Attack class: one event that cannot be stored (a hook body nested too deeply for
 * JSON.stringify, or any entry the store cannot write) sharing a group commit with valid
 * WeChat pushes. It must be refused alone with a 4xx; the pushes of its group commit and are
 * answered `success` (docs/security.md, "Group commit").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEngineStore, type InboxEntry } from '../../engine/store/index.ts';
import { GroupCommit } from '../../engine/inbox/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { buildPush, sendPush } from '../helpers/wechat-push.ts';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** `[[[…]]]`: valid JSON that JSON.parse reads and JSON.stringify cannot write back. */
const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

let n = 0;
const push = (data: unknown): InboxEntry => ({
  id: `e${++n}`,
  source: 'wechat_message',
  key: 'wx',
  dedupKey: `d${n}`,
  data,
  receivedAt: 1,
});

describe('group commit with a bad entry in the group', () => {
  it('refuses only the entries that cannot be serialised; the rest of the turn commits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-sec-group-'));
    const store = openSqliteEngineStore(path.join(dir, 'engine.db'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => store.close());
    const group = new GroupCommit(store.delivery);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = [JSON.parse(deepJson(20_000)), { n: 10n }, cyclic, undefined];
    // All accepted in one turn: without the check they would share one transaction.
    const goods = Array.from({ length: 40 }, (_, i) => group.accept(push({ i })));
    const bads = bad.map((data) =>
      group.accept(push(data)).then(
        () => 'stored',
        (err: unknown) => err,
      ),
    );
    const goodsAgain = Array.from({ length: 5 }, (_, i) => group.accept(push({ j: i })));
    expect(await Promise.all([...goods, ...goodsAgain])).toEqual(
      Array(45).fill({ isNew: true, dispatched: false }),
    );
    // Too deep (and the cycle, which never ends) by the nesting limit; the others cannot be JSON.
    expect((await Promise.all(bads)).map((e) => (e as { code: string }).code)).toEqual([
      'E_JSON_TOO_DEEP',
      'E_EVENT_NOT_STORABLE',
      'E_JSON_TOO_DEEP',
      'E_EVENT_NOT_STORABLE',
    ]);
    for (const outcome of await Promise.all(bads)) expect(outcome).toMatchObject({ status: 400 });
    expect(await store.delivery.pending(1000)).toHaveLength(45);
  });

  it('commits the others alone when the store refuses one entry inside the transaction', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-sec-group-'));
    const store = openSqliteEngineStore(path.join(dir, 'engine.db'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => store.close());
    const group = new GroupCommit(store.delivery);
    // Serialisable data, but a key SQLite cannot bind: fails inside the batch's transaction.
    const unbindable = { ...push({ ok: true }), key: { not: 'a string' } as unknown as string };
    const goods = Array.from({ length: 20 }, (_, i) => group.accept(push({ i })));
    const refused = group.accept(unbindable).then(
      () => 'stored',
      (err: unknown) => err,
    );
    expect(await Promise.all(goods)).toEqual(Array(20).fill({ isNew: true, dispatched: false }));
    expect(await refused).toBeInstanceOf(TypeError);
    expect(await store.delivery.pending(1000)).toHaveLength(20);
  });
});

describe('40 concurrent pushes and unserialisable hook bodies, through the engine', () => {
  const account = {
    appId: 'wx2c2769f8efd9abc2',
    token: 'spamtest',
  };
  let t: TestEngine;
  let key: string;

  beforeAll(async () => {
    t = await startTestEngine();
    expect(
      (await t.api('PUT', `/wechat/accounts/${account.appId}`, { token: account.token })).status,
    ).toBe(200);
    const fn = await t.api('PUT', '/functions/echo', { code: 'exports.main = async (e) => e' });
    expect(fn.status).toBe(201);
    const created = await t.api('POST', '/triggers', {
      name: 'hook',
      type: 'webhook',
      actions: [{ type: 'function', function: 'echo' }],
    });
    expect(created.status).toBe(201);
    key = created.body.key;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers all 40 pushes success and refuses each bad hook alone with a 4xx', async () => {
    const body = (i: number) =>
      `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o${i}]]></FromUserName>` +
      `<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
      `<Content><![CDATA[hello ${i}]]></Content><MsgId>${1000 + i}</MsgId></xml>`;
    const pushes = Array.from({ length: 40 }, (_, i) =>
      sendPush(t.engine.url, account.appId, buildPush(account, body(i))),
    );
    const hooks = Array.from({ length: 12 }, () =>
      fetch(`${t.engine.url}/hooks/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: deepJson(30_000),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error?: { code: string } },
      })),
    );
    const [pushAnswers, hookAnswers] = await Promise.all([Promise.all(pushes), Promise.all(hooks)]);
    expect(pushAnswers.map((a) => `${a.status} ${a.text}`)).toEqual(Array(40).fill('200 success'));
    for (const answer of hookAnswers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body.error?.code).toMatch(/^E_/);
    }
    const db = new Database(path.join(t.dataDir, 'engine.db'), { readonly: true });
    try {
      const count = (source: string) =>
        (
          db.prepare('SELECT COUNT(*) AS n FROM inbox WHERE source = ?').get(source) as {
            n: number;
          }
        ).n;
      expect(count('wechat_message')).toBe(40);
      expect(count('webhook')).toBe(0);
    } finally {
      db.close();
    }
  });
});
