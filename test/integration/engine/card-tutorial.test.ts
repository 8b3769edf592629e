import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { wechatFixture } from '../../helpers/fixtures.ts';
import { buildPush, sendPush } from '../../helpers/wechat-push.ts';
import {
  cardAccount,
  cardFunctionCode,
  cardRowOf,
  cardTable,
  cardTrigger,
} from '../../helpers/card-tutorial.ts';

// MinCloud's card tutorial, end to end over real HTTP: account (official sample, set B),
// table, function, trigger, a safe-mode push, then the row, the job and the trigger log.
const account = cardAccount;

describe('the MinCloud card tutorial', () => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startTestEngine();
    const put = await t.api('PUT', `/wechat/accounts/${account.appId}`, {
      token: account.token,
      encodingAESKey: account.encodingAESKey,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ appId: account.appId, mode: 'safe' });
    expect(JSON.stringify(put.body)).not.toContain(account.encodingAESKey);

    const table = await t.api('POST', '/tables', cardTable);
    expect(table.status).toBe(201);
    expect(Number.isInteger(table.body.id)).toBe(true);

    const code = cardFunctionCode();
    const fn = await t.api('PUT', '/functions/user_consume_card', { code });
    expect(fn.status).toBe(201);
    expect(fn.body).toMatchObject({ name: 'user_consume_card', version: 1 });

    const trigger = await t.api('POST', '/triggers', cardTrigger(account.appId));
    expect(trigger.status).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('saves a safe-mode user_consume_card push into the table, with a fulfilled job and one trigger log row', async () => {
    const answer = await sendPush(
      t.engine.url,
      account.appId,
      buildPush(account, wechatFixture('user_consume_card.xml'), { safe: true }),
    );
    expect(answer).toEqual({ status: 200, text: 'success' });
    await t.engine.settled();

    const records = await t.api('GET', '/tables/user_consume_card/records');
    expect(records.body.meta.total_count).toBe(1);
    const row = records.body.objects[0];
    expect(row).toMatchObject(cardRowOf('452998530302', account.appId));
    expect(row.id).toMatch(/^[0-9a-f]{24}$/);

    const jobs = await t.api('GET', '/functions/user_consume_card/jobs');
    expect(jobs.body.meta.total_count).toBe(1);
    expect(jobs.body.objects[0]).toMatchObject({
      status: 'fulfilled',
      function: 'user_consume_card',
    });
    expect(
      jobs.body.objects[0].log.map((l: { message: string }) => l.message).join('\n'),
    ).toContain('saved card 452998530302');

    const logs = await t.api('GET', '/triggers/user_consume_card/logs');
    expect(logs.body.meta.total_count).toBe(1);
    expect(logs.body.objects[0]).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      job_id: jobs.body.objects[0].id,
    });
  });

  it('writes nothing for a push of another event', async () => {
    const answer = await sendPush(
      t.engine.url,
      account.appId,
      buildPush(account, wechatFixture('user_get_card.xml'), { safe: true }),
    );
    expect(answer.status).toBe(200);
    await t.engine.settled();
    const records = await t.api('GET', '/tables/user_consume_card/records');
    expect(records.body.meta.total_count).toBe(1);
    const logs = await t.api('GET', '/triggers/user_consume_card/logs');
    expect(logs.body.meta.total_count).toBe(1);
  });

  it('refuses a push with a bad signature with 401 and stores nothing', async () => {
    const push = buildPush(
      account,
      wechatFixture('user_consume_card.xml').replace('452998530302', '000000000001'),
      { safe: true },
    );
    push.query.set('msg_signature', '0'.repeat(40));
    const answer = await sendPush(t.engine.url, account.appId, push);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text).error.code).toBe('E_WECHAT_BAD_SIGNATURE');
    await t.engine.settled();
    const records = await t.api('GET', '/tables/user_consume_card/records');
    expect(records.body.meta.total_count).toBe(1);
  });

  it('runs a WeChat retry of the same push only once', async () => {
    const xml = wechatFixture('user_consume_card.xml').replace('452998530302', '000123456789');
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() =>
        sendPush(t.engine.url, account.appId, buildPush(account, xml, { safe: true })),
      ),
    );
    expect(answers.every((a) => a.status === 200 && a.text === 'success')).toBe(true);
    await t.engine.settled();
    const records = await t.api(
      'GET',
      `/tables/user_consume_card/records?where=${encodeURIComponent(JSON.stringify({ UserCardCode: { $eq: '000123456789' } }))}`,
    );
    expect(records.body.meta.total_count).toBe(1);
  });
});
