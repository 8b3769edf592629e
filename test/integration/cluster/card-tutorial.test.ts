/**
 * MinCloud's card tutorial end to end on two real `cloudfn serve` processes sharing one
 * PostgreSQL schema: the account, table, function and trigger are set up through A; signed
 * safe-mode `user_consume_card` pushes land on B and on A (wherever WeChat's balancer sends
 * them); each saved row is read through the other process's tables API. A WeChat retry that
 * lands on both processes is saved once. (One process on SQLite: test/integration/engine/
 * card-tutorial.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../helpers/cluster.ts';
import { wechatFixture } from '../../helpers/fixtures.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';
import { buildPush, sendPush } from '../../helpers/wechat-push.ts';
import {
  cardAccount,
  cardFunctionCode,
  cardRowOf,
  cardTable,
  cardTrigger,
} from '../../helpers/card-tutorial.ts';

const pgUp = await postgresAvailable();
const A = 0;
const B = 1;
/** A save on one process is in force on every other within 1 s (cache-refresh.test.ts). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

const account = cardAccount;

let cluster: Cluster;

beforeAll(async () => {
  if (!pgUp) return;
  cluster = await startCluster({ roles: ['all', 'all'] });
  const put = await cluster.ok(A, 'PUT', `/wechat/accounts/${account.appId}`, {
    token: account.token,
    encodingAESKey: account.encodingAESKey,
  });
  expect(put.body).toMatchObject({ appId: account.appId, mode: 'safe' });
  await cluster.ok(A, 'POST', '/tables', cardTable);
  const code = cardFunctionCode();
  await cluster.deployFunction(A, 'user_consume_card', code);
  await cluster.createTrigger(A, cardTrigger(account.appId));
  await settle();
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

/** The card push of the tutorial, with its code (and so its dedup key) replaced. */
function cardPush(code: string) {
  const xml = wechatFixture('user_consume_card.xml').replace('452998530302', code);
  expect(xml).toContain(code);
  return buildPush(account, xml, { safe: true });
}

/** The rows of `code`, read through process `on`'s tables API. */
async function rowsOf(on: number, code: string): Promise<any[]> {
  const where = encodeURIComponent(JSON.stringify({ UserCardCode: { $eq: code } }));
  return (await cluster.ok(on, 'GET', `/tables/user_consume_card/records?where=${where}`)).body
    .objects;
}

describe.skipIf(!pgUp)('the MinCloud card tutorial on two processes', () => {
  it('a push to B is saved and read through A, a push to A read through B', async () => {
    for (const [to, code] of [
      [B, '452998530302'],
      [A, '452998530303'],
    ] as const) {
      expect(await sendPush(cluster.nodes[to]!.url, account.appId, cardPush(code))).toEqual({
        status: 200,
        text: 'success',
      });
    }
    for (const [readOn, code] of [
      [A, '452998530302'],
      [B, '452998530303'],
    ] as const) {
      await expect
        .poll(async () => (await rowsOf(readOn, code)).length, { timeout: 15_000 })
        .toBe(1);
      const [row] = await rowsOf(readOn, code);
      expect(row).toMatchObject(cardRowOf(code, account.appId));
      expect(row.id).toMatch(/^[0-9a-f]{24}$/);
      // The same row through the record route of the process that did not read the list.
      const other = readOn === A ? B : A;
      expect(
        (await cluster.ok(other, 'GET', `/tables/user_consume_card/records/${row.id}`)).body,
      ).toEqual(row);
    }
    // Each push ran the function once, and its job says so.
    await expect
      .poll(async () => (await cluster.logs(A, 'user_consume_card')).map((l) => l.status), {
        timeout: 15_000,
      })
      .toEqual(['succeeded', 'succeeded']);
    const jobs = await cluster.jobs(B, 'user_consume_card');
    expect(jobs.map((j) => j.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(
      jobs.map((j) => j.log.map((l: { message: string }) => l.message).join('\n')).sort(),
    ).toEqual([
      expect.stringContaining('saved card 452998530302'),
      expect.stringContaining('saved card 452998530303'),
    ]);
  });

  it('a WeChat retry landing on both processes is saved once', async () => {
    const code = '000987654321';
    const answers = await Promise.all(
      [A, B, A, B].map((to) => sendPush(cluster.nodes[to]!.url, account.appId, cardPush(code))),
    );
    expect(answers).toEqual(Array(4).fill({ status: 200, text: 'success' }));
    await expect.poll(async () => (await rowsOf(B, code)).length, { timeout: 15_000 }).toBe(1);
    // Let any second run (there must be none) land before counting again.
    await expect
      .poll(async () => (await cluster.logs(B, 'user_consume_card')).length, { timeout: 15_000 })
      .toBe(3);
    await settle();
    expect(await rowsOf(A, code)).toHaveLength(1);
    expect(await cluster.logs(A, 'user_consume_card')).toHaveLength(3);
  });

  it('a push of another event writes nothing on either process', async () => {
    const push = buildPush(account, wechatFixture('user_get_card.xml'), { safe: true });
    expect((await sendPush(cluster.nodes[B]!.url, account.appId, push)).status).toBe(200);
    await settle();
    for (const on of [A, B]) {
      const list = await cluster.ok(on, 'GET', '/tables/user_consume_card/records');
      expect(list.body.meta.total_count).toBe(3);
    }
  });
});
