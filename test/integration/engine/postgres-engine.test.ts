import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { wechatFixture } from '../../helpers/fixtures.ts';
import { buildPush, sendPush } from '../../helpers/wechat-push.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';

const pgUp = await postgresAvailable();
// Every process on one database shares the key of the secrets at rest.
const SECRETS_KEY = crypto.randomBytes(32).toString('base64');
const account = { appId: 'wxpg00000000000001', token: 'pgtoken' };
const CODE = `exports.main = function echo(event, callback) {
  console.log('got', event.data.MsgId);
  callback(null, { content: event.data.Content, type: event.eventType });
};`;

async function provision(t: TestEngine): Promise<void> {
  expect(
    (await t.api('PUT', `/wechat/accounts/${account.appId}`, { token: account.token })).status,
  ).toBe(200);
  expect((await t.api('PUT', '/functions/echo', { code: CODE })).status).toBe(201);
  const trigger = await t.api('POST', '/triggers', {
    name: 'echo_text',
    type: 'wechat_message',
    condition: {
      appId: account.appId,
      match: 'all',
      rules: [{ field: 'MsgType', op: '=', value: 'text' }],
    },
    actions: [{ type: 'function', function: 'echo' }],
  });
  expect(trigger.status).toBe(201);
}

const textPush = (msgId: string) =>
  buildPush(
    account,
    wechatFixture('text.xml').replace(/<MsgId>\d+<\/MsgId>/, `<MsgId>${msgId}</MsgId>`),
  );

// An engine whose state is on PostgreSQL answers a signed push end to end: the receiver's
// group commit → the inbox on PostgreSQL → dispatch → the function in an isolate → job row.
describe.skipIf(!pgUp)('an engine on PostgreSQL', () => {
  let schema: TestSchema;
  let t: TestEngine;
  let sql: pg.Client;
  beforeAll(async () => {
    schema = await createTestSchema('engine');
    t = await startTestEngine({
      env: { CLOUDFN_DATABASE_URL: schema.url, CLOUDFN_SECRETS_KEY: SECRETS_KEY },
    });
    await provision(t);
    sql = new pg.Client({ connectionString: schema.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await t?.close();
    await schema?.drop();
  });

  it('runs a push through the inbox, queue and jobs on PostgreSQL, and keeps no engine.db', async () => {
    const answer = await sendPush(t.engine.url, account.appId, textPush('9001'));
    expect(answer).toEqual({ status: 200, text: 'success' });
    await t.engine.settled();
    const jobs = await t.api('GET', '/functions/echo/jobs');
    expect(jobs.body.objects).toMatchObject([
      {
        status: 'fulfilled',
        result: { content: expect.stringContaining('你好'), type: 'trigger' },
      },
    ]);
    const logs = await t.api('GET', '/triggers/echo_text/logs');
    expect(logs.body.objects).toMatchObject([
      { status: 'succeeded', attempts: 1, job_id: jobs.body.objects[0].id },
    ]);
    const rows = await sql.query<{ inbox: number; jobs: number; logs: number; queue: number }>(
      `SELECT (SELECT count(*)::int FROM inbox) AS inbox, (SELECT count(*)::int FROM jobs) AS jobs,
         (SELECT count(*)::int FROM trigger_logs) AS logs, (SELECT count(*)::int FROM queue) AS queue`,
    );
    expect(rows.rows[0]).toEqual({ inbox: 1, jobs: 1, logs: 1, queue: 0 });
    expect(fs.existsSync(path.join(t.dataDir, 'engine.db'))).toBe(false);
  });

  it('answers a WeChat retry `success` without running it again', async () => {
    const push = textPush('9002');
    expect((await sendPush(t.engine.url, account.appId, push)).text).toBe('success');
    expect((await sendPush(t.engine.url, account.appId, push)).text).toBe('success');
    await t.engine.settled();
    expect((await t.api('GET', '/triggers/echo_text/logs')).body.meta.total_count).toBe(2);
  });

  it('finds its state again after a restart, and a second engine shares it', async () => {
    const second = await startTestEngine({
      env: { CLOUDFN_DATABASE_URL: schema.url, CLOUDFN_SECRETS_KEY: SECRETS_KEY },
    });
    try {
      expect((await second.api('GET', '/triggers/echo_text')).status).toBe(200);
      expect((await second.api('GET', '/functions/echo')).body).toMatchObject({ version: 1 });
      expect((await second.api('GET', '/triggers/echo_text/logs')).body.meta.total_count).toBe(2);
      // A push answered by the second engine runs once, on either of them.
      expect((await sendPush(second.engine.url, account.appId, textPush('9003'))).text).toBe(
        'success',
      );
      await second.engine.settled();
      await t.engine.settled();
      expect((await t.api('GET', '/triggers/echo_text/logs')).body.meta.total_count).toBe(3);
    } finally {
      await second.close();
    }
  });
});

describe.skipIf(!pgUp)('an engine whose PostgreSQL goes away', () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let t: TestEngine;
  beforeAll(async () => {
    schema = await createTestSchema('outage');
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(schema.url);
    url.port = String(proxy.port);
    t = await startTestEngine({ env: { CLOUDFN_DATABASE_URL: url.toString() } });
    await provision(t);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await schema?.drop();
  });

  it('answers pushes 503 E_DATABASE_UNAVAILABLE meanwhile (WeChat retries), and stores the retry once it is back', async () => {
    const push = textPush('9100');
    await proxy.cut();
    const refused = await sendPush(t.engine.url, account.appId, push);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'E_DATABASE_UNAVAILABLE' } });
    await proxy.restore();
    expect(await sendPush(t.engine.url, account.appId, push)).toEqual({
      status: 200,
      text: 'success',
    });
    await t.engine.settled();
    const logs = await t.api('GET', '/triggers/echo_text/logs');
    expect(logs.body.objects).toMatchObject([{ status: 'succeeded' }]);
  });
});
