import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPush, sendPush } from '../../helpers/wechat-push.ts';
import {
  shiftedClock,
  startReceiverEngine,
  type ReceiverEngine,
} from '../wechat/helpers/receiver-engine.ts';

// Trigger logs on a real engine: "what happened to this user's push?" (filters by event
// fields, status and time, across triggers or for one, paged), links between a log, its
// job and its push, and retention (old finished rows pruned at start, the latest of each
// action kept for `once`).
const DAY = 24 * 60 * 60 * 1000;
const ACCOUNT = { appId: 'wxlogs000000000001', token: 'logstoken' };

const text = (from: string, msgId: string, content: string) =>
  `<xml><ToUserName><![CDATA[gh_logs]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
const subscribe = (from: string) =>
  `<xml><ToUserName><![CDATA[gh_logs]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;

let t: ReceiverEngine;
let dataDir: string;

async function push(engine: ReceiverEngine, xml: string): Promise<void> {
  const answer = await sendPush(
    engine.url,
    ACCOUNT.appId,
    buildPush(ACCOUNT, xml, { timestamp: Math.floor(engine.clock.now() / 1000) }),
  );
  expect(answer).toEqual({ status: 200, text: 'success' });
}

const ids = (answer: { body: { objects: Array<{ id: string }> } }) =>
  answer.body.objects.map((l) => l.id);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-logs-'));
  t = await startReceiverEngine({
    dataDir,
    clock: shiftedClock(),
    env: { CLOUDFN_LOG_RETENTION_DAYS: '30' },
  });
  expect(
    (await t.api('PUT', `/wechat/accounts/${ACCOUNT.appId}`, { token: ACCOUNT.token })).status,
  ).toBe(200);
  expect(
    (
      await t.api('POST', '/tables', {
        name: 'inbox_copy',
        fields: [{ name: 'from', type: 'string' }],
      })
    ).status,
  ).toBe(201);
  expect(
    (await t.api('PUT', '/functions/noop', { code: 'exports.main = async () => 1;' })).status,
  ).toBe(201);
  const make = async (body: object) =>
    expect((await t.api('POST', '/triggers', body)).status).toBe(201);
  await make({
    name: 'copy_all',
    type: 'wechat_message',
    condition: { appId: ACCOUNT.appId, rules: [] },
    actions: [
      { type: 'table', table: 'inbox_copy', record: { from: '{{FromUserName}}' } },
      { type: 'function', function: 'noop' },
    ],
  });
  // A trigger may only name a table that exists: this one is dropped (forced) after it is
  // saved, so its firings dead-letter.
  expect(
    (
      await t.api('POST', '/tables', {
        name: 'no_such_table',
        fields: [{ name: 'from', type: 'string' }],
      })
    ).status,
  ).toBe(201);
  await make({
    name: 'broken_copy',
    type: 'wechat_message',
    condition: { appId: ACCOUNT.appId, rules: [{ field: 'MsgType', op: '=', value: 'text' }] },
    actions: [{ type: 'table', table: 'no_such_table', record: { from: '{{FromUserName}}' } }],
    retry: { attempts: 1, backoff: '10ms' },
  });
  expect((await t.api('DELETE', '/tables/no_such_table?force=true')).status).toBe(204);

  await push(t, text('user_a', '7100000000000000001', 'hello'));
  await push(t, text('user_b', '7100000000000000002', 'hi'));
  await push(t, subscribe('user_a'));
  await t.engine.settled();
  t.clock.offsetMs += 2 * DAY;
  await push(t, text('user_a', '7100000000000000003', 'two days later'));
  await t.engine.settled();
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('trigger log filters', () => {
  it("finds what happened to one user's pushes, across triggers", async () => {
    const all = await t.api('GET', '/trigger-logs?fromUserName=user_a&limit=100');
    // copy_all: 2 actions × 3 pushes; broken_copy: the 2 text pushes.
    expect(all.body.meta.total_count).toBe(8);
    expect(all.body.objects.every((l: any) => l.event.FromUserName === 'user_a')).toBe(true);
    expect(new Set(all.body.objects.map((l: any) => l.trigger))).toEqual(
      new Set(['copy_all', 'broken_copy']),
    );
    const b = await t.api('GET', '/trigger-logs?fromUserName=user_b');
    expect(b.body.meta.total_count).toBe(3);
  });

  it('finds one push by MsgId, and event pushes by Event', async () => {
    const byMsg = await t.api('GET', '/triggers/copy_all/logs?msgId=7100000000000000002');
    expect(byMsg.body.objects.map((l: any) => [l.event.MsgId, l.action.index]).sort()).toEqual([
      ['7100000000000000002', 0],
      ['7100000000000000002', 1],
    ]);
    // Every log row of one push shares its event_id (the push as it was accepted).
    expect(new Set(byMsg.body.objects.map((l: any) => l.event_id)).size).toBe(1);
    const subscribed = await t.api('GET', '/trigger-logs?event=subscribe');
    expect(subscribed.body.meta.total_count).toBe(2);
    expect(
      subscribed.body.objects.every(
        (l: any) => l.trigger === 'copy_all' && l.event.Event === 'subscribe',
      ),
    ).toBe(true);
  });

  it('filters by status', async () => {
    const dead = await t.api('GET', '/trigger-logs?status=dead_letter&limit=100');
    expect(dead.body.meta.total_count).toBe(3);
    expect(
      dead.body.objects.every(
        (l: any) => l.trigger === 'broken_copy' && l.error_type === 'E_TABLE_NOT_FOUND',
      ),
    ).toBe(true);
    const succeeded = await t.api('GET', '/triggers/copy_all/logs?status=succeeded&limit=100');
    expect(succeeded.body.meta.total_count).toBe(8);
  });

  it('filters by time (ISO-8601 or unix ms), newest first', async () => {
    const oneDayAgo = new Date(t.clock.now() - DAY).toISOString();
    const recent = await t.api('GET', `/triggers/copy_all/logs?since=${oneDayAgo}`);
    expect(recent.body.meta.total_count).toBe(2);
    expect(recent.body.objects.every((l: any) => l.event.MsgId === '7100000000000000003')).toBe(
      true,
    );
    const older = await t.api(
      'GET',
      `/triggers/copy_all/logs?until=${t.clock.now() - DAY}&limit=100`,
    );
    expect(older.body.meta.total_count).toBe(6);
    const all = await t.api('GET', '/triggers/copy_all/logs?limit=100');
    const times = all.body.objects.map((l: any) => Date.parse(l.triggered_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages with limit and offset', async () => {
    const all = ids(await t.api('GET', '/triggers/copy_all/logs?limit=100'));
    const pages = [];
    for (let offset = 0; offset < all.length; offset += 3)
      pages.push(...ids(await t.api('GET', `/triggers/copy_all/logs?limit=3&offset=${offset}`)));
    expect(pages).toEqual(all);
  });

  it('refuses unknown filters and bad values with 400 E_INVALID_QUERY', async () => {
    for (const query of [
      'status=done',
      'since=yesterday',
      'msgid=1',
      'limit=-1',
      'fromUserName=',
    ]) {
      const answer = await t.api('GET', `/trigger-logs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code, query).toBe('E_INVALID_QUERY');
    }
    expect((await t.api('GET', '/triggers/nope/logs')).status).toBe(404);
  });

  it('links a function firing to its job and back', async () => {
    const logs = (await t.api('GET', '/trigger-logs?msgId=7100000000000000001')).body
      .objects as any[];
    const fn = logs.find((l) => l.trigger === 'copy_all' && l.action.type === 'function');
    expect(fn.job_id).toEqual(expect.any(String));
    const jobs = (await t.api('GET', '/functions/noop/jobs?limit=100')).body.objects as any[];
    const job = jobs.find((j) => j.id === fn.job_id);
    expect(job).toMatchObject({
      trigger_log_id: fn.id,
      status: 'fulfilled',
      data: { MsgId: '7100000000000000001' },
    });
    expect((await t.api('GET', `/triggers/copy_all/logs/${fn.id}`)).body).toMatchObject({
      id: fn.id,
      job_id: job.id,
    });
  });
});

describe('trigger log retention', () => {
  const LAST_PUSH_ROWS = [
    'broken_copy#0:7100000000000000003',
    'copy_all#0:7100000000000000003',
    'copy_all#1:7100000000000000003',
  ];

  async function restartAfter(days: number): Promise<string[]> {
    const offset = t.clock.offsetMs;
    await t.close();
    const clock = shiftedClock();
    clock.offsetMs = offset + days * DAY;
    t = await startReceiverEngine({ dataDir, clock, env: { CLOUDFN_LOG_RETENTION_DAYS: '30' } });
    const left = (await t.api('GET', '/trigger-logs?limit=100')).body.objects as any[];
    return left
      .map((l) => `${l.trigger}#${l.action.index}:${l.event.MsgId ?? l.event.Event}`)
      .sort();
  }

  it('prunes finished rows older than the retention at start', async () => {
    expect((await t.api('GET', '/trigger-logs?limit=100')).body.meta.total_count).toBe(11);
    // 31 days after the first pushes, 29 after the last: only the first three pushes' rows are past 30 days.
    expect(await restartAfter(29)).toEqual(LAST_PUSH_ROWS);
  });

  it('keeps the latest row of each trigger action however old (`once` reads it)', async () => {
    expect(await restartAfter(40)).toEqual(LAST_PUSH_ROWS);
  });
});
