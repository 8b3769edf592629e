/**
 * WalSync on a real WAL-mode SQLite file: an fsync of the log off the event loop, coalesced,
 * following the log file when SQLite makes a new one. (That an fsync makes a commit survive a
 * power cut is the kernel's promise; what we can check is that the right file is synced, when.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalSync } from '../../../engine/store/sqlite/wal-sync.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-wal-sync-'));
  file = path.join(dir, 'engine.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function openDb(): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
  return db;
}

describe('WalSync', () => {
  it('syncs the log file SQLite writes, and coalesces the calls made while one runs', async () => {
    const db = openDb();
    const wal = new WalSync(file);
    try {
      db.prepare('INSERT INTO t VALUES (1)').run();
      const first = wal.sync();
      // Made while the first runs: all of them share one more fsync, which starts after it.
      db.prepare('INSERT INTO t VALUES (2)').run();
      const later = [wal.sync(), wal.sync(), wal.sync()];
      expect(later[0]).toBe(later[1]);
      await Promise.all([first, ...later]);
      expect(wal.syncs).toBe(2);
      expect(wal.inode).toBe(fs.statSync(`${file}-wal`).ino);
      await wal.sync();
      expect(wal.syncs).toBe(3);
    } finally {
      wal.close();
      db.close();
    }
  });

  it('follows the log when SQLite makes a new one (after the last connection closed)', async () => {
    const wal = new WalSync(file);
    try {
      let db = openDb();
      db.prepare('INSERT INTO t VALUES (1)').run();
      await wal.sync();
      const before = wal.inode;
      db.close(); // the last connection: SQLite checkpoints and deletes the log
      expect(fs.existsSync(`${file}-wal`)).toBe(false);
      // WalSync still holds the deleted log open, so the new one cannot reuse its inode.
      db = openDb();
      db.prepare('INSERT INTO t VALUES (2)').run();
      await wal.sync();
      expect(wal.inode).toBe(fs.statSync(`${file}-wal`).ino);
      expect(wal.inode).not.toBe(before);
      db.close();
    } finally {
      wal.close();
    }
  });

  it('rejects with the reason when there is no log to sync, and once closed', async () => {
    const wal = new WalSync(path.join(dir, 'missing.db'));
    await expect(wal.sync()).rejects.toThrow(/ENOENT/);
    const db = openDb();
    const open = new WalSync(file);
    db.prepare('INSERT INTO t VALUES (1)').run();
    await open.sync();
    open.close();
    await expect(open.sync()).rejects.toThrow(/closed/);
    db.close();
  });
});
