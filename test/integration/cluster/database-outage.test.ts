/**
 * PostgreSQL unreachable in the middle of a load. The machine's server is shared with other
 * tests, so it is not stopped: the engines reach it through a TCP proxy of ours, which the
 * test cuts (every connection reset, new ones refused) and restores. Meanwhile pushes are
 * answered 503 (never `success`), so WeChat retries them; after it, every push is answered
 * `success` in the end and is processed exactly once: one firing per push, none missing, none
 * doubled, succeeded. Its function ran at least once: a run whose outcome the cut kept from
 * being written runs again after its lease, and its firing's attempts say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, textPush, type Cluster } from '../../helpers/cluster.ts';
import { postgresAvailable, testDatabaseUrl } from '../../helpers/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { buildPush } from '../../helpers/wechat-push.ts';

const pgUp = await postgresAvailable();
const ACCOUNT = { appId: 'wx_cluster_outage', token: 'cluster-outage-token' };
/** WeChat waits 5 s for an answer; a push not answered by then counts as not answered. */
const WECHAT_WAIT_MS = 5000;

let cluster: Cluster;
let proxy: TcpProxy;

type Answer = { status: number; text: string } | 'no answer';

beforeAll(async () => {
  if (!pgUp) return;
  const target = new URL(testDatabaseUrl());
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  cluster = await startCluster({
    roles: ['all', 'all'],
    databaseUrl: (url) => through(proxy, url),
  });
  await cluster.createAccount(0, ACCOUNT);
  await cluster.deployFunction(1, 'record', 'exports.main = async (e) => e.data.MsgId;');
  await cluster.createTrigger(0, {
    name: 'through_outage',
    type: 'wechat_message',
    condition: { appId: ACCOUNT.appId, rules: [] },
    actions: [{ type: 'function', function: 'record' }],
    retry: { attempts: 10, backoff: '200ms' },
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await proxy?.close();
});

/** `url` with its host and port those of the proxy. */
function through(tcpProxy: TcpProxy, url: string): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(tcpProxy.port);
  return proxied.toString();
}

async function send(to: number, msgId: string): Promise<Answer> {
  const push = buildPush(ACCOUNT, textPush(ACCOUNT, msgId, 'load'));
  try {
    const response = await fetch(
      `${cluster.nodes[to]!.url}/wechat/${ACCOUNT.appId}?${push.query.toString()}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: push.body,
        signal: AbortSignal.timeout(WECHAT_WAIT_MS),
      },
    );
    return { status: response.status, text: await response.text() };
  } catch {
    return 'no answer';
  }
}

const succeeded = (a: Answer) => a !== 'no answer' && a.status === 200 && a.text === 'success';

describe.skipIf(!pgUp)('PostgreSQL unreachable during a load', () => {
  it('answers 503 meanwhile, and runs every push exactly once after', async () => {
    const msgIds: string[] = [];
    const answers = new Map<string, Answer>();
    let phase: 'before' | 'cut' | 'after' = 'before';
    const cutAnswers: Answer[] = [];
    let stop = false;
    // Four senders, one push at a time each, alternating processes, until told to stop.
    const senders = Array.from({ length: 4 }, async (_, lane) => {
      for (let n = 0; !stop; n++) {
        const msgId = String(7900000000000000000n + BigInt(lane * 100_000 + n));
        msgIds.push(msgId);
        const during = phase;
        const answer = await send((lane + n) % 2, msgId);
        answers.set(msgId, answer);
        if (during === 'cut') cutAnswers.push(answer);
        if (during === 'cut' && answer !== 'no answer' && answer.status === 503)
          await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    phase = 'cut';
    await proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await proxy.restore();
    phase = 'after';
    await new Promise((resolve) => setTimeout(resolve, 2000));
    stop = true;
    await Promise.all(senders);

    // Never anything but `success` or 503 (or, while a request waits on the database, no
    // answer within WeChat's 5 s: it retries those too).
    const kinds = new Set(
      [...answers.values()].map((a) =>
        a === 'no answer' ? a : `${a.status} ${a.status === 200 ? a.text : ''}`.trim(),
      ),
    );
    for (const kind of kinds) expect(['200 success', '503', 'no answer']).toContain(kind);
    expect(cutAnswers.some((a) => a !== 'no answer' && a.status === 503)).toBe(true);

    // WeChat retries what was not answered `success` (up to three times; we keep at it).
    for (let round = 0; round < 10; round++) {
      const unanswered = msgIds.filter((id) => !succeeded(answers.get(id)!));
      if (unanswered.length === 0) break;
      for (const id of unanswered) answers.set(id, await send(round % 2, id));
    }
    expect(msgIds.filter((id) => !succeeded(answers.get(id)!))).toEqual([]);

    await expect
      .poll(
        async () =>
          (await cluster.logs(0, 'through_outage')).filter((l) => l.status === 'succeeded').length,
        { timeout: 120_000, interval: 500 },
      )
      .toBe(msgIds.length);
    // Processed exactly once: every acknowledged push has exactly one firing (one trigger log
    // row for the push and the trigger: none missing, none doubled), succeeded, its recorded
    // run the push's.
    const logs = await cluster.logs(1, 'through_outage');
    const firingsOf = new Map<string, number>();
    for (const log of logs)
      firingsOf.set(log.event.MsgId as string, (firingsOf.get(log.event.MsgId as string) ?? 0) + 1);
    expect(msgIds.filter((id) => firingsOf.get(id) !== 1)).toEqual([]);
    expect(logs.length).toBe(msgIds.length);
    expect(logs.filter((l) => l.status !== 'succeeded')).toEqual([]);
    const jobs = await cluster.jobs(0, 'record');
    const byId = new Map(jobs.map((j) => [j.id as string, j]));
    for (const log of logs)
      expect(byId.get(log.job_id as string), log.event.MsgId as string).toMatchObject({
        status: 'fulfilled',
        result: log.event.MsgId,
      });
    // The function itself runs at least once per push (docs/deployment.md): a run that ended
    // while its outcome could not be written (the cut) runs again once its lease expires, so
    // only runs in flight at the cut (at most 32 per process) may have a second one, and the
    // firing of such a push shows it: its attempts count the run that went unrecorded.
    const runs = jobs.filter((j) => j.status === 'fulfilled').map((j) => j.result as string);
    expect(new Set(runs)).toEqual(new Set(msgIds));
    expect(runs.length - msgIds.length).toBeLessThanOrEqual(32 * cluster.nodes.length);
    const runsOf = new Map<string, number>();
    for (const job of jobs)
      if (typeof job.result === 'string') runsOf.set(job.result, (runsOf.get(job.result) ?? 0) + 1);
    for (const log of logs)
      if ((runsOf.get(log.event.MsgId as string) ?? 0) > 1)
        expect(log.attempts, log.event.MsgId as string).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
