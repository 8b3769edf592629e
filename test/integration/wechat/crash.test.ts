import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatFixture, wechatVectors } from '../../helpers/fixtures.ts';
import { spawnEngine, type ChildEngine } from './helpers/child-engine.ts';
import { nowSeconds, post, signed, type TestAccount } from './helpers/pushes.ts';

// The durability promise of the receiver, on a real `cloudfn serve` process: a push
// answered `success` is processed exactly once, even if the engine is SIGKILLed right after
// the answer, and a SIGTERM lets work in flight finish and exits 0.
//
// Actions run at least once (a firing claimed when the process died runs again), so the
// function is idempotent, as docs/triggers.md ("Delivery") and docs/wechat.md §9 advise:
// it looks for its row before writing.
// Dispatch itself is exactly once: one trigger log row per push, checked separately.
const B = wechatVectors().B_wxbizmsgcrypt_sample;
const ACCOUNT: TestAccount = {
  appId: B.appid,
  token: B.token,
  encodingAESKey: B.encodingAESKey,
  mode: 'safe',
};
const CARD = wechatFixture('user_consume_card.xml');
const BURST = 30;

const SAVE_CARD = `exports.main = async (event) => {
  // Long enough that the kill lands while firings are queued or running.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const cards = new BaaS.TableObject('cards');
  const query = new BaaS.Query();
  query.compare('UserCardCode', '=', event.data.UserCardCode);
  const found = await cards.setQuery(query).find();
  if (found.data.objects.length > 0) return { saved: false };
  const record = cards.create();
  record.set({ UserCardCode: event.data.UserCardCode, CreateTime: event.data.CreateTime });
  await record.save();
  return { saved: true };
};`;

let dataDir: string;
let engine: ChildEngine | undefined;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-crash-'));
});

afterAll(async () => {
  if (engine && engine.child.exitCode === null && engine.child.signalCode === null) {
    engine.child.kill('SIGKILL');
    await engine.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const codeOf = (batch: string, i: number) => `0${batch}${String(i).padStart(10, '0')}`;

/** Sends each push of the batch twice at once (a WeChat retry racing the first delivery). */
async function burst(url: string, batch: string): Promise<string[]> {
  const codes = Array.from({ length: BURST }, (_, i) => codeOf(batch, i));
  const requests = codes.flatMap((code) => {
    const xml = CARD.replace('452998530302', code);
    return [1, 2].map(() =>
      post(url, ACCOUNT.appId, signed(ACCOUNT, xml, { timestamp: nowSeconds() })),
    );
  });
  const answers = await Promise.all(requests);
  for (const answer of answers) expect(answer).toMatchObject({ status: 200, text: 'success' });
  return codes;
}

/** Reads the engine database while no engine runs, or beside a running one (WAL). */
function inspect<T>(read: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'engine.db'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const count = (db: Database.Database, sql: string, ...params: unknown[]) =>
  (db.prepare(sql).get(...params) as { n: number }).n;

/** Waits until everything accepted was dispatched and every firing ran. */
async function settled(): Promise<void> {
  await expect
    .poll(
      () =>
        inspect(
          (db) =>
            count(db, 'SELECT count(*) AS n FROM inbox WHERE dispatched = 0') +
            count(db, 'SELECT count(*) AS n FROM queue'),
        ),
      { timeout: 30_000, interval: 100 },
    )
    .toBe(0);
}

/** Each code has exactly one row in `cards` and one trigger log row, succeeded. */
async function expectExactlyOnce(running: ChildEngine, codes: string[]): Promise<void> {
  const rows = await running.api(
    'GET',
    `/tables/cards/records?limit=1000&where=${encodeURIComponent(JSON.stringify({ UserCardCode: { $in: codes } }))}`,
  );
  const perCode = new Map<string, number>();
  for (const row of rows.body.objects as Array<{ UserCardCode: string }>)
    perCode.set(row.UserCardCode, (perCode.get(row.UserCardCode) ?? 0) + 1);
  expect(Object.fromEntries(codes.map((code) => [code, perCode.get(code) ?? 0]))).toEqual(
    Object.fromEntries(codes.map((code) => [code, 1])),
  );
  const logs = inspect(
    (db) =>
      db
        .prepare(
          // The event is the inbox entry's: the log row names it.
          `SELECT json_extract(i.data, '$.UserCardCode') AS code, l.status
           FROM trigger_logs l JOIN inbox i ON i.id = l.inbox_id WHERE l.trigger = 'save_card'`,
        )
        .all() as Array<{ code: string; status: string }>,
  ).filter((log) => codes.includes(log.code));
  expect(logs).toHaveLength(codes.length);
  expect(new Set(logs.map((log) => log.code)).size).toBe(codes.length);
  expect(logs.every((log) => log.status === 'succeeded')).toBe(true);
}

describe('a real engine process', () => {
  it('processes every push answered `success` exactly once after a SIGKILL right after the answers', async () => {
    engine = await spawnEngine(dataDir);
    expect(
      (
        await engine.api('PUT', `/wechat/accounts/${ACCOUNT.appId}`, {
          token: ACCOUNT.token,
          encodingAESKey: ACCOUNT.encodingAESKey,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await engine.api('POST', '/tables', {
          name: 'cards',
          fields: [
            { name: 'UserCardCode', type: 'string' },
            { name: 'CreateTime', type: 'integer' },
          ],
        })
      ).status,
    ).toBe(201);
    expect((await engine.api('PUT', '/functions/save_card', { code: SAVE_CARD })).status).toBe(201);
    const trigger = await engine.api('POST', '/triggers', {
      name: 'save_card',
      type: 'wechat_message',
      condition: {
        appId: ACCOUNT.appId,
        match: 'all',
        rules: [{ field: 'Event', op: '=', value: 'user_consume_card' }],
      },
      actions: [{ type: 'function', function: 'save_card' }],
    });
    expect(trigger.status).toBe(201);

    const codes = await burst(engine.url, '1');
    engine.child.kill('SIGKILL');
    expect(await engine.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Every answered push is on disk, once, whatever the dispatcher had done by then.
    const stored = inspect((db) =>
      count(db, "SELECT count(*) AS n FROM inbox WHERE source = 'wechat_message'"),
    );
    expect(stored).toBe(BURST);

    engine = await spawnEngine(dataDir);
    await settled();
    await expectExactlyOnce(engine, codes);
  });

  it('on SIGTERM finishes the work in flight and exits 0; what was only queued runs once on the next start', async () => {
    const running = engine!;
    const codes = await burst(running.url, '2');
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.lines.some((line) => line.includes('shutting down'))).toBe(true);

    // Nothing was cut off: no firing left claimed, no job of this burst left executing, and
    // every push stored. (Jobs the SIGKILL cut off above do stay `executing`.)
    inspect((db) => {
      expect(count(db, 'SELECT count(*) AS n FROM queue WHERE owner IS NOT NULL')).toBe(0);
      const executing = db
        .prepare(
          `SELECT json_extract(COALESCE(j.data, i.data), '$.UserCardCode') AS code
           FROM jobs j LEFT JOIN inbox i ON i.id = j.inbox_id WHERE j.status = 'executing'`,
        )
        .all() as Array<{ code: string }>;
      expect(executing.filter((job) => codes.includes(job.code))).toEqual([]);
      expect(count(db, "SELECT count(*) AS n FROM inbox WHERE source = 'wechat_message'")).toBe(
        2 * BURST,
      );
    });

    engine = await spawnEngine(dataDir);
    await settled();
    await expectExactlyOnce(engine, codes);
    engine.child.kill('SIGTERM');
    expect(await engine.exited).toEqual({ code: 0, signal: null });
  });
});
