import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { wechatFixture } from '../../helpers/fixtures.ts';
import {
  openSqliteEngineStore,
  type EngineStore,
  type InboxEntry,
} from '../../../engine/store/index.ts';
import { startInboxRetention } from '../../../engine/inbox/index.ts';
import {
  createTrigger,
  putAccount,
  shiftedClock,
  startReceiverEngine,
  type ReceiverEngine,
} from './helpers/receiver-engine.ts';
import { nowSeconds, post, signed, type TestAccount } from './helpers/pushes.ts';

// Inbox retention (default 7 days): dedup keys live in the inbox, so they hold across
// restarts for the whole window; pruning drops dispatched entries older than it, never
// pending ones.
const DAY = 24 * 60 * 60 * 1000;
const ACCOUNT: TestAccount = {
  appId: 'wxretention0000001',
  token: 'retentiontoken',
  mode: 'plain',
};
const XML = wechatFixture('text.xml').replace('24602856263318283', '6100000000000000001');
const silentLog = { info: () => undefined, error: () => undefined };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-retention-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('over restarts of a real engine', () => {
  async function engineAt(dataDir: string, offsetMs: number): Promise<ReceiverEngine> {
    const clock = shiftedClock();
    clock.offsetMs = offsetMs;
    return startReceiverEngine({ dataDir, clock });
  }

  /** Pushes the same message (a retry, signed at the engine's time); returns trigger log rows for it. */
  async function pushAndCount(t: ReceiverEngine): Promise<number> {
    const answer = await post(
      t.url,
      ACCOUNT.appId,
      signed(ACCOUNT, XML, { timestamp: nowSeconds(t.clock) }),
    );
    expect(answer).toMatchObject({ status: 200, text: 'success' });
    await t.engine.settled();
    return t.count(
      'trigger_logs',
      "inbox_id IN (SELECT id FROM inbox WHERE json_extract(data, '$.MsgId') = '6100000000000000001')",
    );
  }

  it('recognises a retry 6 days later after a restart, and forgets it once 7 days passed', async () => {
    const dataDir = tempDir();
    const first = await engineAt(dataDir, 0);
    await putAccount(first, ACCOUNT.appId, { token: ACCOUNT.token, mode: 'plain' });
    // The table first: a trigger may only name a table that exists.
    expect(
      (
        await first.api('POST', '/tables', {
          name: 'pushes',
          fields: [{ name: 'msg', type: 'string' }],
        })
      ).status,
    ).toBe(201);
    await createTrigger(first, {
      name: 'count_it',
      type: 'wechat_message',
      condition: { appId: ACCOUNT.appId, match: 'all', rules: [] },
      actions: [{ type: 'table', table: 'pushes', record: { msg: '{{MsgId}}' } }],
    });
    expect(await pushAndCount(first)).toBe(1);
    await first.close();

    const sixDaysLater = await engineAt(dataDir, 6 * DAY);
    expect(await pushAndCount(sixDaysLater)).toBe(1);
    expect(sixDaysLater.count('inbox')).toBe(1);
    await sixDaysLater.close();

    const eightDaysLater = await engineAt(dataDir, 8 * DAY);
    // Pruned at start: the entry's dedup key is gone, so the same push is new again (its row
    // stays while its trigger log shows its event).
    expect(eightDaysLater.count('inbox', 'dedup_key IS NOT NULL')).toBe(0);
    expect(eightDaysLater.count('inbox')).toBe(1);
    expect(eightDaysLater.logs.find((line) => line.msg === 'inbox pruned')).toMatchObject({
      dropped: 1,
      retentionDays: 7,
    });
    expect(await pushAndCount(eightDaysLater)).toBe(2);
    await eightDaysLater.close();
  });

  it('honours CLOUDFN_INBOX_RETENTION_DAYS', async () => {
    const dataDir = tempDir();
    const first = await engineAt(dataDir, 0);
    await putAccount(first, ACCOUNT.appId, { token: ACCOUNT.token, mode: 'plain' });
    expect(
      await post(first.url, ACCOUNT.appId, signed(ACCOUNT, XML, { timestamp: nowSeconds() })),
    ).toMatchObject({ status: 200 });
    await first.engine.settled();
    await first.close();
    const clock = shiftedClock();
    clock.offsetMs = 2 * DAY;
    const later = await startReceiverEngine({
      dataDir,
      clock,
      env: { CLOUDFN_INBOX_RETENTION_DAYS: '1' },
    });
    expect(later.count('inbox')).toBe(0);
    await later.close();
  });
});

describe('startInboxRetention on a real SQLite inbox', () => {
  function openStore(): EngineStore {
    const store = openSqliteEngineStore(path.join(tempDir(), 'engine.db'));
    cleanups.push(() => store.close());
    return store;
  }

  // A fresh row id every time: whether an entry is new is decided by its dedup key alone.
  let ids = 0;
  const entry = (key: string, receivedAt: number): InboxEntry => ({
    id: `${key}-${++ids}`,
    source: 'wechat_message',
    key: 'wx',
    dedupKey: `msgid:${key}`,
    data: {},
    receivedAt,
  });

  it('prunes only dispatched entries older than the window, at start and then periodically', async () => {
    const store = openStore();
    let now = 100 * DAY;
    const clock = { now: () => now };
    await store.delivery.accept([
      entry('old-dispatched', now - 8 * DAY),
      entry('old-pending', now - 8 * DAY),
      entry('recent', now - 6 * DAY),
      entry('later', now - 3 * DAY),
    ]);
    for (const e of await store.delivery.pending(10))
      if (e.dedupKey !== 'msgid:old-pending') await store.delivery.dispatch(e.id, [], now);

    const retention = startInboxRetention({
      delivery: store.delivery,
      clock,
      retentionDays: 7,
      log: silentLog,
      intervalMs: 10,
    });
    cleanups.push(() => retention.stop());
    // At start: the old dispatched one goes; the old pending one stays (it has not run yet).
    expect(
      await store.delivery.accept([
        entry('old-dispatched', now),
        entry('old-pending', now),
        entry('recent', now),
      ]),
    ).toEqual([true, false, false]);

    // Two days on, the periodic prune drops "recent" (now 8 days old), not "later" (5 days).
    now += 2 * DAY;
    await expect
      .poll(async () => (await store.delivery.accept([entry('recent', now)]))[0], {
        timeout: 5000,
        interval: 20,
      })
      .toBe(true);
    expect(await store.delivery.accept([entry('later', now)])).toEqual([false]);
    expect((await store.delivery.pending(10)).map((e) => e.dedupKey)).toContain(
      'msgid:old-pending',
    );
  });

  it('a failing prune is logged and retried, not thrown', async () => {
    const errors: unknown[] = [];
    const failing = {
      pruneEntries: () => Promise.reject(new Error('disk I/O error')),
    };
    const retention = startInboxRetention({
      delivery: failing,
      clock: { now: () => 0 },
      retentionDays: 7,
      log: { info: () => undefined, error: (obj) => errors.push(obj) },
    });
    retention.stop();
    expect(await retention.pruneNow()).toBe(0);
    expect(errors).toHaveLength(2);
  });
});
