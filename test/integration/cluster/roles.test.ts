/**
 * `cloudfn serve --role`: receivers accept and answer, workers dispatch and run, and a
 * receiver alone still answers passive replies. Roles need a shared database: on SQLite
 * (one process owns the file) `receiver` and `worker` are refused at start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, textPush, type Cluster } from '../../helpers/cluster.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';
import { startServe } from '../../helpers/serve-process.ts';

const pgUp = await postgresAvailable();
const RECEIVER = 0;
const ACCOUNT = { appId: 'wx_cluster_roles', token: 'cluster-roles-token' };

describe('a role on SQLite', () => {
  const dirs: string[] = [];
  afterEach(() => {
    while (dirs.length > 0) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
  });

  it.each(['receiver', 'worker'])(
    'refuses --role %s without a database URL, saying why',
    async (role) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-role-'));
      dirs.push(dir);
      const attempt = startServe({ cwd: dir, args: ['--role', role], env: { PORT: '0' } });
      await expect(attempt).rejects.toThrow(/E_CONFIG_INVALID|CLOUDFN_DATABASE_URL/);
      await attempt.catch((err: Error) => {
        expect(err.message).toContain('CLOUDFN_DATABASE_URL');
        expect(err.message).toContain(role);
      });
    },
  );

  it('refuses a role it does not know', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-role-'));
    dirs.push(dir);
    await expect(
      startServe({ cwd: dir, env: { PORT: '0', CLOUDFN_ROLE: 'leader' } }),
    ).rejects.toThrow(/CLOUDFN_ROLE must be one of all, receiver, worker/);
  });
});

describe.skipIf(!pgUp)('receivers and workers on one PostgreSQL', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ roles: ['receiver'] });
    await cluster.createAccount(RECEIVER, ACCOUNT);
    await cluster.deployFunction(RECEIVER, 'count_me', 'exports.main = async (e) => e.data.MsgId;');
    await cluster.deployFunction(
      RECEIVER,
      'answer',
      'exports.main = async (e) => ({ reply: { MsgType: "text", Content: "heard " + e.data.Content } });',
    );
    await cluster.createTrigger(RECEIVER, {
      name: 'queued',
      type: 'wechat_message',
      condition: {
        appId: ACCOUNT.appId,
        rules: [{ field: 'Content', op: '=', value: 'queue me' }],
      },
      actions: [{ type: 'function', function: 'count_me' }],
    });
    await cluster.createTrigger(RECEIVER, {
      name: 'replies',
      type: 'wechat_message',
      reply: true,
      condition: {
        appId: ACCOUNT.appId,
        rules: [{ field: 'Content', op: '=', value: 'answer me' }],
      },
      actions: [{ type: 'function', function: 'answer' }],
    });
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it('a receiver alone accepts pushes and leaves them for a worker', async () => {
    const answer = await cluster.push(
      RECEIVER,
      ACCOUNT,
      textPush(ACCOUNT, '7700000000000000001', 'queue me'),
    );
    expect(answer).toEqual({ status: 200, text: 'success' });
    // Nothing dispatches on a receiver: the push stays pending (checked twice, a while apart).
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(
        (await cluster.ok(RECEIVER, 'GET', '/inbox?status=pending')).body.meta.total_count,
      ).toBe(1);
    }
    expect(await cluster.jobs(RECEIVER, 'count_me')).toEqual([]);

    await cluster.add('worker');
    await expect
      .poll(async () => (await cluster.jobs(RECEIVER, 'count_me')).map((j) => j.result), {
        timeout: 30_000,
      })
      .toEqual(['7700000000000000001']);
  });

  it('a worker answers /healthz and nothing else', async () => {
    const worker = cluster.nodes[1]!;
    const health = await fetch(`${worker.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await worker.api(cluster.adminToken, 'GET', '/functions')).status).toBe(404);
    const push = await fetch(`${worker.url}/wechat/${ACCOUNT.appId}`, {
      method: 'POST',
      body: '<xml/>',
    });
    expect(push.status).toBe(404);
  });

  it('a receiver answers a passive reply itself, with its own executor', async () => {
    const answer = await cluster.push(
      RECEIVER,
      ACCOUNT,
      textPush(ACCOUNT, '7700000000000000002', 'answer me'),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('<Content><![CDATA[heard answer me]]></Content>');
    const logs = await cluster.logs(RECEIVER, 'replies');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 'succeeded' });
  });
});
