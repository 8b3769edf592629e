import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openSqliteEngineStore,
  type DeliveryLog,
  type EngineStore,
  type InboxEntry,
  type NewFiring,
} from '../../../engine/store/index.ts';
import { GroupCommit } from '../../../engine/inbox/index.ts';
import { sqliteInboxTable } from '../../../engine/store/sqlite/inbox.ts';
import { migrate } from '../../../engine/store/sqlite/migrations.ts';

// Group commit of the inbox on a real SQLite file: the pushes of one turn share one
// transaction, and each accept resolves only once its row is visible to another connection.
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

type Accepting = Pick<DeliveryLog, 'accept'>;

function open(): { store: EngineStore; file: string; batches: number[]; inbox: Accepting } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-group-commit-'));
  const file = path.join(dir, 'engine.db');
  const store = openSqliteEngineStore(file);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  const batches: number[] = [];
  // The real delivery log, watched: how many entries each transaction carried.
  const inbox: Accepting = {
    accept: (entries) => {
      batches.push(entries.length);
      return store.delivery.accept(entries);
    },
  };
  return { store, file, batches, inbox };
}

let n = 0;
const entry = (key: string): InboxEntry => ({
  id: `row${++n}`,
  source: 'wechat_message',
  key: 'wx',
  dedupKey: key,
  data: { key },
  receivedAt: 1,
});
const firingFor = (key: string): NewFiring => ({
  logId: `log-${key}-${++n}`,
  trigger: `on-${key}`,
  actionIndex: 0,
  action: { type: 'function', function: 'f' },
  eventType: 'trigger',
  lane: 'function:f',
});

describe('GroupCommit', () => {
  it('commits the accepts of one turn in one transaction; a repeated key is new only once', async () => {
    const { inbox, batches } = open();
    const group = new GroupCommit(inbox);
    const results = await Promise.all(
      ['a', 'b', 'a', 'c', 'a'].map((key) => group.accept(entry(key))),
    );
    expect(results.map((r) => r.isNew)).toEqual([true, true, false, true, false]);
    expect(results.some((r) => r.dispatched)).toBe(false);
    expect(batches).toEqual([5]);
  });

  it('resolves each accept only once its row is visible to another connection (committed)', async () => {
    const { inbox, file } = open();
    const group = new GroupCommit(inbox);
    const reader = new Database(file, { readonly: true });
    cleanups.push(() => void reader.close());
    const visible = (key: string) =>
      reader.prepare('SELECT count(*) AS c FROM inbox WHERE dedup_key = ?').get(key) as {
        c: number;
      };
    const seenAtResolve = await Promise.all(
      ['x', 'y', 'z'].map((key) => group.accept(entry(key)).then(() => visible(key).c)),
    );
    expect(seenAtResolve).toEqual([1, 1, 1]);
  });

  it('splits a burst larger than 512 into several transactions, in order', async () => {
    const { inbox, batches } = open();
    const group = new GroupCommit(inbox);
    const results = await Promise.all(
      Array.from({ length: 1200 }, (_, i) => group.accept(entry(`k${i}`))),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(batches).toEqual([512, 512, 176]);
  });

  it('stores entries given with firings dispatched with them, in the group’s one transaction', async () => {
    const { store, batches, inbox } = open();
    const group = new GroupCommit(inbox);
    const withFirings = (key: string): InboxEntry => ({
      ...entry(key),
      firings: [firingFor(key)],
    });
    const results = await Promise.all([
      group.accept(withFirings('d1')),
      group.accept(withFirings('d1')),
      group.accept(entry('plain')),
    ]);
    expect(results).toEqual([
      { isNew: true, dispatched: true },
      { isNew: false, dispatched: false },
      { isNew: true, dispatched: false },
    ]);
    expect(batches).toEqual([3]); // one transaction for the group, firings and all
    expect((await store.delivery.pending(10)).map((e) => e.dedupKey)).toEqual(['plain']);
    const claimed = await store.delivery.claim('me', 10, 10, undefined, 1000);
    expect(claimed.map((d) => d.trigger)).toEqual(['on-d1']);
  });

  it('a group the store refuses for one entry’s firings: each alone, without firings, so every push is still taken', async () => {
    const { store, inbox, batches } = open();
    const group = new GroupCommit(inbox);
    // A guarded firing is refused by the store (those are decided by dispatch).
    const refused: InboxEntry = {
      ...entry('g'),
      firings: [{ ...firingFor('g'), guard: { kind: 'once', since: 0 } }],
    };
    const fine: InboxEntry = { ...entry('f'), firings: [firingFor('f')] };
    const results = await Promise.all([group.accept(refused), group.accept(fine)]);
    expect(results).toEqual([
      { isNew: true, dispatched: false },
      { isNew: true, dispatched: false },
    ]);
    expect(batches).toEqual([2, 1, 1]);
    // Both wait for the dispatcher; no firing was written.
    expect((await store.delivery.pending(10)).map((e) => e.dedupKey)).toEqual(['g', 'f']);
    expect((await store.delivery.listLogs({ limit: 10, offset: 0 })).total).toBe(0);
  });

  it('a failed commit rejects every accept of its batch (nothing of it stored) and the next batch works', async () => {
    const { store, inbox } = open();
    let fail = true;
    const failing: Accepting = {
      accept: (entries) =>
        fail ? Promise.reject(new Error('database or disk is full')) : inbox.accept(entries),
    };
    const group = new GroupCommit(failing);
    const first = await Promise.allSettled([group.accept(entry('f1')), group.accept(entry('f2'))]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await group.accept(entry('f1'))).toEqual({ isNew: true, dispatched: false });
    expect((await store.delivery.pending(10)).map((e) => e.dedupKey)).toEqual(['f1']);
  });

  it('answers a group only once its sync resolved; pushes arriving meanwhile go as the next group', async () => {
    const { inbox, batches, file } = open();
    const syncs: (() => void)[] = [];
    // The real delivery log (it commits at once), its answers held until the test lets each go.
    const held: Accepting = {
      accept: (entries) => {
        const accepted = inbox.accept(entries);
        return new Promise<void>((go) => syncs.push(go)).then(() => accepted);
      },
    };
    const group = new GroupCommit(held);
    const resolved: string[] = [];
    const accept = (key: string) => group.accept(entry(key)).then(() => resolved.push(key));
    const first = [accept('s1'), accept('s2')];
    await expect.poll(() => syncs.length).toBe(1);
    const reader = new Database(file, { readonly: true });
    cleanups.push(() => void reader.close());
    // Committed (another connection sees it), not yet answered.
    expect(reader.prepare('SELECT count(*) AS c FROM inbox').get()).toEqual({ c: 2 });
    const second = [accept('s3'), accept('s4'), accept('s5')];
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toEqual([]);
    expect(batches).toEqual([2]); // the second group waits for the first sync
    syncs[0]?.();
    await Promise.all(first);
    expect(resolved).toEqual(['s1', 's2']);
    await expect.poll(() => syncs.length).toBe(2);
    expect(batches).toEqual([2, 3]);
    syncs[1]?.();
    await Promise.all(second);
    expect(resolved).toEqual(['s1', 's2', 's3', 's4', 's5']);
  });

  it('a failed sync refuses its group; the rows stay, so WeChat’s retry is deduplicated', async () => {
    const { store, inbox } = open();
    let fail = true;
    // Committed, then its fsync fails.
    const failing: Accepting = {
      accept: async (entries) => {
        const accepted = await inbox.accept(entries);
        if (fail) throw new Error('EIO: i/o error');
        return accepted;
      },
    };
    const group = new GroupCommit(failing);
    await expect(group.accept(entry('io'))).rejects.toThrow('EIO');
    fail = false;
    expect((await group.accept(entry('io'))).isNew).toBe(false); // the retry: seen already
    expect((await store.delivery.pending(10)).map((e) => e.dedupKey)).toEqual(['io']);
  });

  it('the SQLite inbox refuses to group-commit inside another open transaction (it would not be durable yet)', () => {
    const { file } = open();
    const db = new Database(file);
    cleanups.push(() => void db.close());
    migrate(db);
    const inbox = sqliteInboxTable(db);
    expect(() => db.transaction(() => inbox.acceptMany([entry('nested')]))()).toThrow(
      /must not run inside another transaction/,
    );
    expect(inbox.acceptMany([entry('alone')])).toEqual([true]);
    expect(inbox.pending(10).map((e) => e.dedupKey)).toEqual(['alone']);
  });
});
