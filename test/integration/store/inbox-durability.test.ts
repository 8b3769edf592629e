import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteEngineStore, type InboxEntry } from '../../../engine/store/index.ts';
import { GroupCommit } from '../../../engine/inbox/group-commit.ts';

// CLOUDFN_DURABILITY on a real SQLite file: `fsync` answers a group once the log is flushed
// (an fdatasync of engine.db-wal), `process` once it is committed, without that flush.
// fs.fdatasync is watched, not replaced: every call still reaches the disk.
const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.restoreAllMocks();
  while (cleanups.length > 0) cleanups.pop()!();
});

let n = 0;
const entry = (key: string): InboxEntry => ({
  id: `row${++n}`,
  source: 'wechat_message',
  key: 'wx',
  dedupKey: key,
  data: { key },
  receivedAt: 1,
});

/** Accepts a group of pushes through the real group commit; counts the log flushes meanwhile. */
async function acceptGroup(durability: 'fsync' | 'process') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-durability-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'engine.db');
  const store = openSqliteEngineStore(file, { durability });
  cleanups.push(() => void store.close());
  const flushes = vi.spyOn(fs, 'fdatasync');
  const group = new GroupCommit(store.delivery);
  const results = await Promise.all(['a', 'b', 'c'].map((key) => group.accept(entry(key))));
  // Visible to another connection: committed, not only queued.
  const reader = new Database(file, { readonly: true });
  const rows = (reader.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n;
  reader.close();
  return { results, rows, flushes: flushes.mock.calls.length };
}

describe('the inbox at each durability', () => {
  it('fsync: the group is answered after a flush of the log', async () => {
    const { results, rows, flushes } = await acceptGroup('fsync');
    expect(results.map((r) => r.isNew)).toEqual([true, true, true]);
    expect(rows).toBe(3);
    expect(flushes).toBeGreaterThanOrEqual(1);
  });

  it('process: the group is answered once committed, with no flush of the log', async () => {
    const { results, rows, flushes } = await acceptGroup('process');
    expect(results.map((r) => r.isNew)).toEqual([true, true, true]);
    expect(rows).toBe(3);
    expect(flushes).toBe(0);
  });
});
