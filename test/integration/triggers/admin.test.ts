import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';

// The trigger admin API on a real engine: CRUD, enable/disable, and the dry run that says
// whether an event would match and why not.
const APP_ID = 'wxadmin00000000001';
let t: TestEngine;

const cardTrigger = {
  name: 'card_used',
  type: 'wechat_message',
  condition: {
    appId: APP_ID,
    match: 'all',
    rules: [
      { field: 'Event', op: '=', value: 'user_consume_card' },
      { field: 'Fee', op: '>', value: 100 },
    ],
  },
  actions: [
    { type: 'table', table: 'uses', record: { openid: '{{FromUserName}}', fee: '{{Fee}}' } },
  ],
};

beforeAll(async () => {
  t = await startTestEngine();
  // A trigger may only name an account, function or table that exists.
  const account = await t.api('PUT', `/wechat/accounts/${APP_ID}`, { token: 'admintoken' });
  expect(account.status).toBe(200);
  expect(
    (
      await t.api('POST', '/tables', {
        name: 'uses',
        fields: [
          { name: 'openid', type: 'string' },
          { name: 'fee', type: 'string' },
        ],
      })
    ).status,
  ).toBe(201);
});

afterAll(async () => {
  await t?.close();
});

describe('trigger CRUD', () => {
  it('creates with defaults filled in, refuses a duplicate name, lists and reads', async () => {
    const created = await t.api('POST', '/triggers', cardTrigger);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...cardTrigger,
      enabled: true,
      retry: { attempts: 3, backoff: '1s' },
    });
    expect(created.body.key).toBeUndefined();

    const again = await t.api('POST', '/triggers', cardTrigger);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('E_TRIGGER_EXISTS');

    const list = await t.api('GET', '/triggers');
    expect(list.body.meta.total_count).toBe(1);
    expect((await t.api('GET', '/triggers/card_used')).body).toEqual(created.body);
  });

  it('refuses an invalid definition with the position of the fault, on POST and PUT', async () => {
    const bad = {
      ...cardTrigger,
      name: 'bad',
      condition: {
        ...cardTrigger.condition,
        rules: [{ field: 'Event', op: 'regex', value: '([a-z]' }],
      },
    };
    const answer = await t.api('POST', '/triggers', bad);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'E_TRIGGER_BAD_REGEX',
      path: 'condition.rules[0].value',
    });
    const put = await t.api('PUT', '/triggers/card_used', { ...bad, name: undefined });
    expect(put.body.error.path).toBe('condition.rules[0].value');
    expect((await t.api('GET', '/triggers/card_used')).body.condition.rules).toHaveLength(2);
  });

  it('replaces with PUT (the name comes from the path) and deletes', async () => {
    const put = await t.api('PUT', '/triggers/card_used', {
      ...cardTrigger,
      name: 'ignored',
      description: 'cards',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'card_used', description: 'cards' });
    expect((await t.api('GET', '/triggers/ignored')).status).toBe(404);
    expect((await t.api('PUT', '/triggers/nope', cardTrigger)).body.error.code).toBe(
      'E_TRIGGER_NOT_FOUND',
    );

    expect((await t.api('POST', '/triggers', { ...cardTrigger, name: 'doomed' })).status).toBe(201);
    expect((await t.api('DELETE', '/triggers/doomed')).status).toBe(204);
    expect((await t.api('DELETE', '/triggers/doomed')).status).toBe(404);
    expect((await t.api('GET', '/triggers/doomed')).body.error.code).toBe('E_TRIGGER_NOT_FOUND');
  });
});

describe('enable and disable', () => {
  it('a disabled trigger does not fire; enabled again, it does', async () => {
    expect(
      (
        await t.api('POST', '/tables', {
          name: 'watched',
          fields: [{ name: 'n', type: 'integer' }],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await t.api('POST', '/triggers', {
          name: 'watcher',
          type: 'table',
          condition: { table: 'watched', on: ['create'] },
          actions: [{ type: 'table', table: 'uses', record: { openid: 'watcher', fee: '{{n}}' } }],
        })
      ).status,
    ).toBe(201);

    const off = await t.api('PATCH', '/triggers/watcher', { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.enabled).toBe(false);
    await t.api('POST', '/tables/watched/records', { n: 1 });
    await t.engine.settled();
    expect((await t.api('GET', '/triggers/watcher/logs')).body.meta.total_count).toBe(0);

    expect((await t.api('PATCH', '/triggers/watcher', { enabled: true })).body.enabled).toBe(true);
    await t.api('POST', '/tables/watched/records', { n: 2 });
    await t.engine.settled();
    const logs = (await t.api('GET', '/triggers/watcher/logs')).body;
    expect(logs.meta.total_count).toBe(1);
    expect(logs.objects[0].event.after.n).toBe(2);
  });

  it('refuses a PATCH that is not {enabled: boolean}, and unknown triggers', async () => {
    for (const body of [{}, { enabled: 'no' }, { enabled: true, name: 'x' }]) {
      const answer = await t.api('PATCH', '/triggers/watcher', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.api('PATCH', '/triggers/nope', { enabled: true })).status).toBe(404);
  });
});

describe('the dry run, POST /triggers/:name/test', () => {
  const push = {
    ToUserName: 'gh_x',
    FromUserName: 'o_user',
    MsgType: 'event',
    Event: 'user_consume_card',
    Fee: '250',
    _AppId: APP_ID,
  };

  it('says a matching push would match, and previews the record', async () => {
    const answer = await t.api('POST', '/triggers/card_used/test', { data: push });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      trigger: 'card_used',
      enabled: true,
      matched: true,
      reasons: [],
    });
    expect(answer.body.rules.map((r: any) => r.matched)).toEqual([true, true]);
    expect(answer.body.actions).toEqual([
      {
        index: 0,
        type: 'table',
        table: 'uses',
        frequency: 'always',
        record: { openid: 'o_user', fee: '250' },
      },
    ]);
  });

  it('says why not: the failing rule with the value found, another account, disabled', async () => {
    const cheap = await t.api('POST', '/triggers/card_used/test', {
      data: { ...push, Fee: 'abc', _AppId: 'wxother' },
    });
    expect(cheap.body.matched).toBe(false);
    expect(cheap.body.reasons).toEqual([
      `the push is for account wxother; this trigger listens to ${APP_ID}`,
      'rule(s) 1 do not hold',
    ]);
    expect(cheap.body.rules[1]).toMatchObject({
      index: 1,
      field: 'Fee',
      op: '>',
      value: 100,
      actual: 'abc',
      matched: false,
      reason: expect.stringContaining('not a number'),
    });

    await t.api('PATCH', '/triggers/card_used', { enabled: false });
    const disabled = await t.api('POST', '/triggers/card_used/test', { data: push });
    expect(disabled.body).toMatchObject({
      matched: false,
      enabled: false,
      reasons: ['the trigger is disabled'],
    });
    await t.api('PATCH', '/triggers/card_used', { enabled: true });
  });

  it('refuses a body without data, and unknown triggers', async () => {
    expect((await t.api('POST', '/triggers/card_used/test', push)).status).toBe(400);
    expect((await t.api('POST', '/triggers/nope/test', { data: push })).status).toBe(404);
  });
});
