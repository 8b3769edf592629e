import type { Database } from 'better-sqlite3';
import type { InboxEntry, InboxStatus, InboxSummary, PendingInboxEntry } from '../ports.ts';
import {
  CODE_OF,
  toInboxSummary,
  toPending,
  type PendingRow,
  type SummaryColumns,
} from '../rows/inbox.ts';
import { WalSync } from './wal-sync.ts';
import { writeBehindOf } from './write-behind.ts';

/** The log syncer of each database's inbox (closed with the database). */
const syncs = new WeakMap<Database, WalSync | undefined>();

/** Closes the inbox's log syncer of this database (before the database closes). */
export function closeInboxSync(db: Database): void {
  syncs.get(db)?.close();
}

interface SummaryRow extends SummaryColumns {
  dispatched: number;
}

const toSummary = (row: SummaryRow): InboxSummary => toInboxSummary(row, row.dispatched);

/** The inbox table's side of the delivery log (delivery-log.ts puts the port over it). */
export interface InboxTable {
  /** One transaction, relaxed: durable once `sync()` called after it resolves. */
  acceptMany(entries: InboxEntry[]): boolean[];
  /** Resolves once every entry accepted before the call is durable (an fsync off the loop). */
  sync(): Promise<void>;
  pending(limit: number): PendingInboxEntry[];
  setAside(id: string, error: string, at: number): void;
  list(query: { status?: InboxStatus; limit: number; offset: number }): {
    total: number;
    objects: InboxSummary[];
  };
  get(id: string): InboxSummary | undefined;
  replay(id: string): boolean;
  prune(before: number): number;
}

/**
 * `waitForDisk: false` (CLOUDFN_DURABILITY=process): `sync` resolves at once, so a push is
 * answered once committed to the log, not once the log is on disk (docs/deployment.md).
 */
export function sqliteInboxTable(
  db: Database,
  options: {
    waitForDisk?: boolean;
    /** Writes a new entry's firings (InboxEntry.firings) in the accept's transaction, at `at`. */
    writeFirings?: (entry: InboxEntry, at: number) => void;
  } = {},
): InboxTable {
  // OR IGNORE against the unique (source, key, dedup_key) index makes dedup atomic, even
  // for retries that arrive concurrently or in the same batch (the later one is ignored).
  const insert = db.prepare(`
    INSERT OR IGNORE INTO inbox (id, source, key, dedup_key, data, received_at, dispatched)
    VALUES (@id, @source, @key, @dedupKey, @data, @receivedAt, @dispatched)`);
  const pending = db.prepare<[number], PendingRow>(
    'SELECT * FROM inbox WHERE dispatched = 0 ORDER BY received_at, rowid LIMIT ?',
  );
  // A dispatched entry goes once past retention unless a trigger log or a job still shows its
  // event (they keep no copy): that one only forgets its dedup key, as a dropped one would.
  // NOT IN over the two columns: SQLite builds each set once per run (no index on them is
  // kept, which would cost every push), off the hot path.
  const dropOld = db.prepare(`
    DELETE FROM inbox WHERE received_at < ? AND dispatched = 1
      AND id NOT IN (SELECT inbox_id FROM trigger_logs WHERE inbox_id IS NOT NULL)
      AND id NOT IN (SELECT inbox_id FROM jobs WHERE inbox_id IS NOT NULL)`);
  const forgetKeys = db.prepare(
    'UPDATE inbox SET dedup_key = NULL WHERE received_at < ? AND dispatched = 1 AND dedup_key IS NOT NULL',
  );
  const prune = db.transaction(
    (before: number) => dropOld.run(before).changes + forgetKeys.run(before).changes,
  );
  const setAside = db.prepare(
    'UPDATE inbox SET dispatched = 2, dispatch_error = ?, failed_at = ? WHERE id = ? AND dispatched = 0',
  );
  const replay = db.prepare(
    'UPDATE inbox SET dispatched = 0, dispatch_error = NULL, failed_at = NULL WHERE id = ? AND dispatched = 2',
  );
  const SUMMARY =
    'SELECT id, source, key, received_at, dispatched, dispatch_error, failed_at FROM inbox';
  const getOne = db.prepare<[string], SummaryRow>(`${SUMMARY} WHERE id = ?`);
  const listAll = db.prepare<[number, number], SummaryRow>(
    `${SUMMARY} ORDER BY received_at DESC, rowid DESC LIMIT ? OFFSET ?`,
  );
  const listOf = db.prepare<[number, number, number], SummaryRow>(
    `${SUMMARY} WHERE dispatched = ? ORDER BY received_at DESC, rowid DESC LIMIT ? OFFSET ?`,
  );
  const countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM inbox');
  const countOf = db.prepare<[number], { n: number }>(
    'SELECT COUNT(*) AS n FROM inbox WHERE dispatched = ?',
  );
  /** `at`: when the firings given with the group's entries are triggered and due. */
  const acceptOne = (entry: InboxEntry, at: number): boolean => {
    const isNew =
      insert.run({
        id: entry.id,
        source: entry.source,
        key: entry.key,
        dedupKey: entry.dedupKey,
        data: entry.dataJson ?? JSON.stringify(entry.data),
        receivedAt: entry.receivedAt,
        dispatched: entry.firings ? 1 : 0,
      }).changes === 1;
    // Stored dispatched: its firings' rows go in with it (a duplicate writes none).
    if (isNew && entry.firings) options.writeFirings!(entry, at);
    return isNew;
  };
  // One transaction for the whole batch (group commit), at synchronous=NORMAL: written to the
  // log without an fsync on the event loop; `sync` then makes it durable (wal-sync.ts).
  // Firings given with their entries are triggered at the group's latest receivedAt (as on
  // PostgreSQL, where the group is one statement).
  const acceptMany = db.transaction((entries: InboxEntry[]): boolean[] => {
    const at = entries.some((e) => e.firings) ? Math.max(...entries.map((e) => e.receivedAt)) : 0;
    return entries.map((entry) => acceptOne(entry, at));
  });
  const writeBehind = writeBehindOf(db);
  const walSync = db.memory || options.waitForDisk === false ? undefined : new WalSync(db.name);
  syncs.set(db, walSync);
  return {
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
    pending: (limit) => pending.all(limit).map(toPending),
    setAside: (id, error, at) => void setAside.run(error, at, id),
    list: ({ status, limit, offset }) => {
      if (status === undefined)
        return {
          total: countAll.get()!.n,
          objects: listAll.all(limit, offset).map(toSummary),
        };
      const code = CODE_OF[status];
      return {
        total: countOf.get(code)!.n,
        objects: listOf.all(code, limit, offset).map(toSummary),
      };
    },
    get: (id) => {
      const row = getOne.get(id);
      return row === undefined ? undefined : toSummary(row);
    },
    replay: (id) => replay.run(id).changes === 1,
    prune: (before) => {
      writeBehind.flush(); // log rows and jobs written behind reference entries too
      return prune(before);
    },
  };
}
