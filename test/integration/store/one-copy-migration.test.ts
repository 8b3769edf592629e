import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEngineStore } from '../../../engine/store/index.ts';
import { migrate } from '../../../engine/store/sqlite/migrations.ts';

// Migration 5 (one copy of each event) on a database an older engine left mid-delivery:
// its rows keep their own copies of the event, and its queued firing still runs.
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('migration 5 on a database with firings in flight', () => {
  it('keeps the old rows’ events, computes their lanes and eventTypes, and hands the queued firing out', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-migrate-5-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'engine.db');
    const old = new Database(file);
    migrate(old, 4);
    const event = JSON.stringify({ MsgId: '42', FromUserName: 'alice' });
    old
      .prepare(
        `INSERT INTO triggers (name, type, enabled, definition, created_at, updated_at)
         VALUES ('hook', 'webhook', 1, '{}', 1, 1)`,
      )
      .run();
    const log = old.prepare(
      `INSERT INTO trigger_logs (id, trigger, triggered_at, event, inbox_id, action_index, action, status, attempts, updated_at)
       VALUES (?, ?, 10, ?, NULL, ?, ?, ?, ?, 10)`,
    );
    log.run('done', 'hook', event, 0, '{"type":"table","table":"t","record":{}}', 'succeeded', 1);
    log.run('queued', 'gone', event, 1, '{"type":"function","function":"f"}', 'failed', 1);
    old
      .prepare(
        `INSERT INTO queue (id, trigger_log_id, trigger, action_index, action, event, event_type, attempts, run_at, claimed)
         VALUES ('queued', 'queued', 'gone', 1, '{"type":"function","function":"f"}', ?, 'trigger', 1, 20, 1)`,
      )
      .run(event);
    old
      .prepare(
        `INSERT INTO jobs (id, function, version, source, status, created_at, data, trigger_name, trigger_log_id)
         VALUES ('job', 'f', 1, 'trigger:gone', 'failed', 15, ?, 'gone', 'queued')`,
      )
      .run(event);
    old.close();

    const store = openSqliteEngineStore(file);
    cleanups.push(() => store.close());
    expect(await store.delivery.getLog('done')).toMatchObject({
      event: { MsgId: '42' },
      inboxId: null,
      lane: 'action:hook#0',
      eventType: 'webhook',
    });
    expect(
      (await store.delivery.listLogs({ fromUserName: 'alice', limit: 10, offset: 0 })).total,
    ).toBe(2);
    expect(await store.jobs.get('job')).toMatchObject({ data: { MsgId: '42' }, inboxId: null });
    // The claim the old process held does not survive the migration: due again, attempts kept.
    expect(await store.delivery.releaseAbandoned(30)).toBe(0);
    expect(await store.delivery.claim('me', 30, 10, undefined, 60_000)).toMatchObject([
      {
        id: 'queued',
        trigger: 'gone',
        actionIndex: 1,
        action: { type: 'function', function: 'f' },
        lane: 'function:f',
        eventType: 'trigger',
        event: { MsgId: '42' },
        attempts: 2,
      },
    ]);
  });
});
