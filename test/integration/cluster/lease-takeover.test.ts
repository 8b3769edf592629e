/**
 * A process SIGKILLed mid-job holds its claim only until its lease ends: another process
 * takes the firing over and runs it again (attempt 2), and the trigger log says so.
 * Process 0 is the only worker when the job starts, so it is the one that has it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, textPush, type Cluster } from '../../helpers/cluster.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();
const ACCOUNT = { appId: 'wx_cluster_lease', token: 'cluster-lease-token' };
/** Short, so the test waits little for the takeover; renewed well within it while a job runs. */
const LEASE_MS = 3000;
const FIRST = 0;
const RECEIVER = 1;

let cluster: Cluster;

beforeAll(async () => {
  if (!pgUp) return;
  cluster = await startCluster({
    roles: ['all', 'receiver'],
    env: { CLOUDFN_CLAIM_LEASE_MS: String(LEASE_MS) },
  });
  await cluster.createAccount(RECEIVER, ACCOUNT);
  // Long enough to be killed in the middle of, short enough to finish on the second attempt.
  await cluster.ok(RECEIVER, 'PUT', '/functions/slow', {
    code: 'exports.main = async (e) => { await new Promise((r) => setTimeout(r, 4000)); return e.data.MsgId; };',
    timeoutMs: 20_000,
  });
  await cluster.createTrigger(RECEIVER, {
    name: 'slow_work',
    type: 'wechat_message',
    condition: { appId: ACCOUNT.appId, rules: [] },
    actions: [{ type: 'function', function: 'slow' }],
    retry: { attempts: 3, backoff: '100ms' },
  });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(!pgUp)('a process killed mid-job', () => {
  it('has its job run again by another process once the lease ends, attempts = 2', async () => {
    expect(
      await cluster.push(RECEIVER, ACCOUNT, textPush(ACCOUNT, '7800000000000000001', 'work')),
    ).toEqual({
      status: 200,
      text: 'success',
    });
    await expect
      .poll(async () => (await cluster.jobs(RECEIVER, 'slow')).map((j) => j.status), {
        timeout: 30_000,
        interval: 50,
      })
      .toEqual(['executing']);
    await cluster.kill(FIRST);
    const second = await cluster.add('worker');
    expect(second).toBe(2);

    await expect
      .poll(async () => (await cluster.logs(RECEIVER, 'slow_work')).map((l) => l.status), {
        timeout: 60_000,
        interval: 200,
      })
      .toEqual(['succeeded']);
    const [log] = await cluster.logs(RECEIVER, 'slow_work');
    expect(log).toMatchObject({ attempts: 2, status: 'succeeded' });
    const jobs = await cluster.jobs(RECEIVER, 'slow');
    // The killed attempt's job and the one that finished; the log names the one that finished.
    expect(jobs).toHaveLength(2);
    const done = jobs.find((j) => j.status === 'fulfilled');
    expect(done).toMatchObject({ result: '7800000000000000001' });
    expect(log.job_id).toBe(done.id);
  }, 120_000);
});
