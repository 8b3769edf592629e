import type { Database } from 'better-sqlite3';
import type { Inbox, InboxEntry } from '../ports.ts';
import { WalSync } from './wal-sync.ts';
import { writeBehindOf } from './write-behind.ts';

/** The log syncer of each database's inbox (closed with the database). */
const syncs = new WeakMap<Database, WalSync | undefined>();

/** Closes the inbox's log syncer of this database (before the database closes). */
export function closeInboxSync(db: Database): void {
  syncs.get(db)?.close();
}

interface InboxRow {
  id: string;
  source: InboxEntry['source'];
  key: string;
  dedup_key: string | null;
  data: string;
  received_at: number;
}

export function sqliteInbox(db: Database): Inbox {
  // OR IGNORE against the unique (source, key, dedup_key) index makes dedup atomic, even
  // for retries that arrive concurrently or in the same batch (the later one is ignored).
  const insert = db.prepare(`
    INSERT OR IGNORE INTO inbox (id, source, key, dedup_key, data, received_at)
    VALUES (@id, @source, @key, @dedupKey, @data, @receivedAt)`);
  const pending = db.prepare<[number], InboxRow>(
    'SELECT * FROM inbox WHERE dispatched = 0 ORDER BY received_at, rowid LIMIT ?',
  );
  const prune = db.prepare('DELETE FROM inbox WHERE received_at < ? AND dispatched = 1');
  const acceptOne = (entry: InboxEntry): boolean =>
    insert.run({ ...entry, data: JSON.stringify(entry.data) }).changes === 1;
  // One transaction for the whole batch (group commit), at synchronous=NORMAL: written to the
  // log without an fsync on the event loop; `sync` then makes it durable (wal-sync.ts).
  const acceptMany = db.transaction((entries: InboxEntry[]): boolean[] => entries.map(acceptOne));
  const writeBehind = writeBehindOf(db);
  const walSync = db.memory ? undefined : new WalSync(db.name);
  syncs.set(db, walSync);
  return {
    accept: acceptOne,
    acceptMany: (entries) => {
      if (entries.length === 0) return [];
      // Inside another open transaction this would only be a savepoint, committed later
      // (perhaps less durably): the caller would answer `success` before the push is on disk.
      if (db.inTransaction)
        throw new Error(
          'inbox.acceptMany must not run inside another transaction: its commit is what makes the pushes durable',
        );
      return writeBehind.relaxed(() => acceptMany(entries));
    },
    sync: () => walSync?.sync() ?? Promise.resolve(),
    pending: (limit) =>
      pending.all(limit).map((row) => ({
        id: row.id,
        source: row.source,
        key: row.key,
        dedupKey: row.dedup_key,
        data: JSON.parse(row.data) as unknown,
        receivedAt: row.received_at,
      })),
    prune: (before) => prune.run(before).changes,
  };
}
