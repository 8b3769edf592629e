import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIds } from '../../../engine/ids.ts';
import { openSqliteEngineStore } from '../../../engine/store/sqlite/engine-store.ts';
import { startTestEngine } from '../../helpers/engine.ts';
import { wechatFixture } from '../../helpers/fixtures.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { killServe, startServe, type ServeProcess } from '../../helpers/serve-process.ts';
import { buildPush, sendPush } from '../../helpers/wechat-push.ts';
import {
  cardAccount,
  cardFunctionCode,
  cardTable,
  cardTrigger,
} from '../../helpers/card-tutorial.ts';
import { checkRow, runMigrate } from './migrate-cli.ts';

// Issue #17: a data dir built by the card tutorial through a real engine, moved with
// `cloudfn migrate`, then served by a real `cloudfn serve` on PostgreSQL with the same
// secrets key: everything the admin API shows is there, and a new push still runs.
const pgUp = await postgresAvailable();
const account = cardAccount;
const TOKEN = 'migrate-admin-token';

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!pgUp)('cloudfn migrate: the card tutorial, SQLite → PostgreSQL', () => {
  let tmp: string;
  let dataDir: string;
  let schema: TestSchema;
  let serve: ServeProcess | undefined;
  /** What the SQLite engine answered, to compare with the PostgreSQL one. */
  const before: Record<string, any> = {};
  let hookKey: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-migrate-'));
    dataDir = path.join(tmp, 'data');
    schema = await createTestSchema('migrate');
    const t = await startTestEngine({ dataDir, adminToken: TOKEN });
    try {
      expect(
        (
          await t.api('PUT', `/wechat/accounts/${account.appId}`, {
            token: account.token,
            encodingAESKey: account.encodingAESKey,
            appSecret: 'the-app-secret-0123456789abcdef',
          })
        ).status,
      ).toBe(200);
      expect((await t.api('POST', '/tables', cardTable)).status).toBe(201);
      const code = cardFunctionCode();
      expect((await t.api('PUT', '/functions/user_consume_card', { code })).status).toBe(201);
      expect((await t.api('POST', '/triggers', cardTrigger(account.appId))).status).toBe(201);
      // An incoming webhook: its key is kept only hashed, and must still open the hook.
      await t.api('PUT', '/functions/echo', { code: 'exports.main = (e) => ({ got: e.data })' });
      const hook = await t.api('POST', '/triggers', {
        name: 'echo_hook',
        type: 'webhook',
        condition: { match: 'all', rules: [] },
        actions: [{ type: 'function', function: 'echo' }],
      });
      expect(hook.status).toBe(201);
      hookKey = hook.body.key;
      const user = await t.api('POST', '/tables/_userprofile/records', {
        nickname: 'Ada',
        openid: 'o-ada',
      });
      expect(user.status, JSON.stringify(user.body)).toBe(201);

      const answer = await sendPush(
        t.engine.url,
        account.appId,
        buildPush(account, wechatFixture('user_consume_card.xml'), { safe: true }),
      );
      expect(answer).toEqual({ status: 200, text: 'success' });
      await t.engine.settled();

      before.records = (await t.api('GET', '/tables/user_consume_card/records')).body;
      before.users = (await t.api('GET', '/users')).body;
      before.jobs = (await t.api('GET', '/functions/user_consume_card/jobs')).body;
      before.logs = (await t.api('GET', '/triggers/user_consume_card/logs')).body;
      before.account = (await t.api('GET', `/wechat/accounts/${account.appId}`)).body;
      before.fn = (await t.api('GET', '/functions/user_consume_card')).body;
      before.triggers = (await t.api('GET', '/triggers')).body;
      before.tables = (await t.api('GET', '/tables')).body;
      expect(before.records.meta.total_count).toBe(1);
      expect(before.logs.meta.total_count).toBe(1);
    } finally {
      await t.close();
    }
    // An event accepted but not yet dispatched when the engine stopped (a hook call that came
    // in during its last moments): it must run on PostgreSQL, not be lost on the way.
    const store = openSqliteEngineStore(path.join(dataDir, 'engine.db'));
    await store.delivery.accept([
      {
        id: randomIds.id(),
        source: 'webhook',
        key: 'echo_hook',
        dedupKey: null,
        data: { from: 'sqlite' },
        receivedAt: Date.now(),
      },
    ]);
    await store.close();
  });

  afterAll(async () => {
    await killServe(serve);
    await schema?.drop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('copies every table and prints matching counts and checksums', async () => {
    const run = await runMigrate(dataDir, schema.url);
    expect(run.code, run.stderr).toBe(0);
    for (const [table, rows] of [
      ['engine.accounts', '1'],
      ['engine.functions', '2'],
      ['engine.function_versions', '2'],
      ['engine.triggers', '2'],
      ['engine.inbox', '2'],
      ['engine.trigger_logs', '1'],
      ['engine.jobs', '1'],
      ['tables.catalog', '2'],
      ['tables.user_consume_card', '1'],
      ['tables._userprofile', '1'],
    ] as const) {
      const row = checkRow(run.stdout, table);
      expect(row, `${table} in\n${run.stdout}`).toBeDefined();
      expect(row![0], table).toBe(rows);
      expect(row![1], table).toBe(rows);
      expect(row![2], table).toBe(row![3]);
      expect(row![4], table).toBe('ok');
    }
    expect(run.stderr).toContain(`CLOUDFN_SECRETS_KEY=$(cat ${path.join(dataDir, 'secrets.key')})`);
  });

  it('a second run copies nothing and verifies again', async () => {
    const run = await runMigrate(dataDir, schema.url);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Resumed: 0 rows copied');
    expect(run.stdout).not.toContain('MISMATCH');
    const json = await runMigrate(dataDir, schema.url, ['--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ run: 'resumed', ok: true, dataDir: fs.realpathSync(dataDir) });
    expect(report.copied.every((c: { copied: number }) => c.copied === 0)).toBe(true);
    const jobs = report.checks.find((c: { name: string }) => c.name === 'engine.jobs');
    expect(jobs).toMatchObject({ sourceRows: 1, targetRows: 1, ok: true });
    expect(jobs.sourceChecksum).toMatch(/^[0-9a-f]{64}$/);
    expect(jobs.targetChecksum).toBe(jobs.sourceChecksum);
  });

  it('an engine on PostgreSQL with another secrets key refuses to start', async () => {
    const other = await startServe({
      cwd: tmp,
      args: [
        '--port',
        '0',
        '--data-dir',
        path.join(tmp, 'other-key'),
        '--database-url',
        schema.url,
      ],
      env: { CLOUDFN_ADMIN_TOKEN: TOKEN, CLOUDFN_SECRETS_KEY: randomBytes(32).toString('base64') },
    }).then(
      (started) => started,
      (err: Error) => err,
    );
    if (!(other instanceof Error)) await killServe(other);
    expect(other).toBeInstanceOf(Error);
    expect((other as Error).message).toContain('E_SECRETS_KEY_MISMATCH');
  });

  it('serves the moved data from PostgreSQL with the same secrets key, and a new push still runs', async () => {
    const key = fs.readFileSync(path.join(dataDir, 'secrets.key'), 'utf8').trim();
    serve = await startServe({
      cwd: tmp,
      args: ['--port', '0', '--data-dir', path.join(tmp, 'pg-node'), '--database-url', schema.url],
      env: { CLOUDFN_ADMIN_TOKEN: TOKEN, CLOUDFN_SECRETS_KEY: key },
    });
    const api = (route: string) => serve!.api(TOKEN, 'GET', route).then((r) => r.body);
    expect(await api('/tables/user_consume_card/records')).toEqual(before.records);
    expect(await api('/users')).toEqual(before.users);
    expect(await api('/functions/user_consume_card/jobs')).toEqual(before.jobs);
    expect(await api('/triggers/user_consume_card/logs')).toEqual(before.logs);
    expect(await api(`/wechat/accounts/${account.appId}`)).toEqual(before.account);
    expect(before.account.hasAppSecret).toBe(true);
    expect(await api('/functions/user_consume_card')).toEqual(before.fn);
    expect(await api('/triggers')).toEqual(before.triggers);
    expect(await api('/tables')).toEqual(before.tables);

    // A new push, in safe mode: the account's AES key opened with the same secrets key.
    const xml = wechatFixture('user_consume_card.xml').replace('452998530302', '000000000777');
    const answer = await sendPush(
      serve.url,
      account.appId,
      buildPush(account, xml, { safe: true }),
    );
    expect(answer).toEqual({ status: 200, text: 'success' });
    const records = await until(
      () => api('/tables/user_consume_card/records'),
      // The page and the count are two queries: wait until the page itself shows both.
      (b) => b.objects.length === 2,
    );
    expect(records.meta.total_count).toBe(2);
    expect(records.objects.map((r: any) => r.UserCardCode).sort()).toEqual([
      '000000000777',
      '452998530302',
    ]);
    const logs = await until(
      () => api('/triggers/user_consume_card/logs'),
      (b) => b.objects.length === 2 && b.objects.every((l: any) => l.status === 'succeeded'),
    );
    expect(logs.objects.map((l: any) => l.status)).toEqual(['succeeded', 'succeeded']);

    // The webhook's key, stored hashed, still opens its hook.
    const hook = await fetch(`${serve.url}/hooks/${hookKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'pg' }),
    });
    expect(hook.status).toBeLessThan(300);
    // Both ran: the call just made, and the one left pending on SQLite.
    const hookLogs = await until(
      () => api('/triggers/echo_hook/logs'),
      (b) => b.objects.length === 2 && b.objects.every((l: any) => l.status === 'succeeded'),
    );
    expect(hookLogs.objects.map((l: any) => l.status)).toEqual(['succeeded', 'succeeded']);
    expect(
      hookLogs.objects
        .map((l: any) => l.event?.data ?? l.event)
        .map(JSON.stringify)
        .sort(),
    ).toEqual([JSON.stringify({ from: 'sqlite' }), JSON.stringify({ hello: 'pg' })].sort());

    // A new user gets the next integer id.
    const user = await serve.api(TOKEN, 'POST', '/tables/_userprofile/records', {
      nickname: 'Bo',
      openid: 'o-bo',
    });
    expect(user.status).toBe(201);
    expect(user.body.id).toBe(before.users.objects[0].id + 1);
  });

  it('--verify-only now reports the tables the PostgreSQL engine changed, and exits 1', async () => {
    const run = await runMigrate(dataDir, schema.url, ['--verify-only']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_MIGRATE_VERIFY_FAILED');
    expect(checkRow(run.stdout, 'tables.user_consume_card')).toEqual(
      expect.arrayContaining(['1', '2', 'MISMATCH']),
    );
    expect(checkRow(run.stdout, 'engine.function_versions')![4]).toBe('ok');
  });
});
