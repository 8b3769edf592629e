/**
 * Three engine processes on one PostgreSQL, pushes landing on any of them as a load balancer
 * spreads WeChat's pushes and retries: each push runs once, whichever process received it,
 * and a `once` action admits one firing whichever process dispatched it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, textPush, type Cluster } from '../../helpers/cluster.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();
const ACCOUNT = { appId: 'wx_cluster_delivery', token: 'cluster-delivery-token' };
const BURST = 1000;

let cluster: Cluster;

/** Sends `count` calls with at most `width` in flight (a balancer does not open 1,000 sockets). */
async function inWaves<T>(count: number, width: number, send: (i: number) => Promise<T>) {
  const answers: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        answers[i] = await send(i);
      }
    }),
  );
  return answers;
}

/** Waits until no accepted push waits for dispatch and `trigger` has `count` finished rows. */
async function finishedLogs(trigger: string, count: number, timeout: number): Promise<any[]> {
  let logs: any[] = [];
  await expect
    .poll(
      async () => {
        logs = await cluster.logs(0, trigger);
        return logs.filter((l) => l.status === 'succeeded' || l.status === 'dead_letter').length;
      },
      { timeout, interval: 250 },
    )
    .toBeGreaterThanOrEqual(count);
  return logs;
}

beforeAll(async () => {
  if (!pgUp) return;
  cluster = await startCluster({ roles: ['all', 'all', 'all'] });
  await cluster.createAccount(0, ACCOUNT);
  await cluster.deployFunction(1, 'echo_msg', 'exports.main = async (e) => e.data.MsgId;');
  await cluster.deployFunction(2, 'only_once', 'exports.main = async (e) => e.data.MsgId;');
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(!pgUp)('three engine processes on one PostgreSQL', () => {
  it('runs a push sent to two processes at once one time', async () => {
    await cluster.createTrigger(0, {
      name: 'same_push',
      type: 'wechat_message',
      condition: { appId: ACCOUNT.appId, rules: [{ field: 'Content', op: '=', value: 'twice' }] },
      actions: [{ type: 'function', function: 'echo_msg' }],
    });
    // Saved on process 0: the others learn of it through the change feed within a second.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const xml = textPush(ACCOUNT, '7200000000000000001', 'twice');
    const answers = await Promise.all([
      cluster.push(1, ACCOUNT, xml),
      cluster.push(2, ACCOUNT, xml),
    ]);
    expect(answers.map((a) => [a.status, a.text])).toEqual([
      [200, 'success'],
      [200, 'success'],
    ]);
    const logs = await finishedLogs('same_push', 1, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await cluster.logs(2, 'same_push')).length).toBe(1);
    expect(logs[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    const jobs = await cluster.jobs(1, 'echo_msg');
    expect(jobs.map((j) => j.result)).toEqual(['7200000000000000001']);
  });

  it(`runs ${BURST} pushes spread over three receivers ${BURST} times, none twice`, async () => {
    await cluster.createTrigger(1, {
      name: 'burst',
      type: 'wechat_message',
      condition: { appId: ACCOUNT.appId, rules: [{ field: 'Content', op: '=', value: 'burst' }] },
      actions: [{ type: 'function', function: 'echo_msg' }],
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const msgId = (i: number) => String(7300000000000000000n + BigInt(i));
    const answers = await inWaves(BURST, 48, (i) =>
      cluster.push(i % 3, ACCOUNT, textPush(ACCOUNT, msgId(i), 'burst', `user_${i % 17}`)),
    );
    expect(answers.filter((a) => a.status !== 200 || a.text !== 'success')).toEqual([]);

    const logs = await finishedLogs('burst', BURST, 240_000);
    expect(logs.length).toBe(BURST);
    expect(logs.filter((l) => l.status !== 'succeeded' || l.attempts !== 1)).toEqual([]);
    const jobs = (await cluster.jobs(2, 'echo_msg')).filter((j) => j.trigger === 'burst');
    expect(jobs.length).toBe(BURST);
    const ran = jobs.map((j) => j.result as string).sort();
    expect(new Set(ran).size).toBe(BURST);
    expect(ran).toEqual(Array.from({ length: BURST }, (_, i) => msgId(i)).sort());
  }, 300_000);

  it('admits one firing of a `once` action under a burst across processes', async () => {
    await cluster.createTrigger(2, {
      name: 'first_contact',
      type: 'wechat_message',
      condition: { appId: ACCOUNT.appId, rules: [{ field: 'Content', op: '=', value: 'hello' }] },
      actions: [{ type: 'function', function: 'only_once', frequency: 'once' }],
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const answers = await inWaves(60, 30, (i) =>
      cluster.push(
        i % 3,
        ACCOUNT,
        textPush(ACCOUNT, String(7400000000000000000n + BigInt(i)), 'hello'),
      ),
    );
    expect(answers.every((a) => a.status === 200 && a.text === 'success')).toBe(true);
    // Every push dispatched (none left pending), then whatever was admitted has run.
    await expect
      .poll(
        async () => (await cluster.ok(1, 'GET', '/inbox?status=pending')).body.meta.total_count,
        {
          timeout: 60_000,
          interval: 200,
        },
      )
      .toBe(0);
    await finishedLogs('first_contact', 1, 30_000);
    expect((await cluster.logs(0, 'first_contact')).length).toBe(1);
    expect((await cluster.jobs(1, 'only_once')).length).toBe(1);
  }, 120_000);
});
