import type { Database, Statement, Transaction } from 'better-sqlite3';

/**
 * Cheap, batched commits for the engine's bookkeeping rows (jobs, trigger logs, queue items).
 * With synchronous=FULL every commit costs an fsync (≈ 3 ms on the bench machine, blocking
 * the event loop), and a firing used to make six of them: dispatch, claim, job created, job
 * finished, log updated, item removed.
 *
 * Bookkeeping commits are made with synchronous=NORMAL (switched around each commit; the
 * connection stays FULL for everything else; the inbox makes its own fsync): in WAL mode such a commit
 * is written to the log without an fsync, survives a crash of the process, and becomes
 * durable with the next fsync of the log, which the next inbox sync makes (wal-sync.ts). The log is
 * replayed in order, so a power cut can only lose a suffix of bookkeeping, never a push that
 * was answered, and never half of a transaction.
 *
 * And they share commits, two ways:
 *
 * - `defer`: jobs, log updates, completions and retries are queued and all those of an
 *   event-loop turn are committed together in ONE transaction on the next `setImmediate`
 *   (or earlier, inside a transaction `soon` opens).
 *   A read of a table through these stores first commits the queue if it holds a write to
 *   that table (read-your-writes); a read of another table does not force a commit.
 * - `soon`: a dispatch (inbox entry marked dispatched + log rows + queue items) or a claim
 *   (with the job rows its attempts create) runs at once,
 *   inside a transaction that stays open until the end of the current synchronous run (a
 *   microtask), so a drain of many inbox entries commits once. Every reader on the same
 *   connection (the inbox's own `pending`, retention) sees it at once; no I/O callback or
 *   immediate can run before it commits, so the inbox's group commit never lands inside it
 *   (only a process.nextTick queued inside the window could; the inbox refuses to commit
 *   inside another transaction, so that would fail loudly, not answer early).
 *
 * - `holdFor`: a store may keep writes back longer than a turn (jobs.ts holds a job's row
 *   until its run ends, up to HOLD_MS, to write it once); reads of its table, a full `flush`
 *   and `close` make it hand them over first.
 *
 * Why this keeps the guarantees: order is kept (one FIFO per database), a batch is one
 * transaction, and each dispatch is a savepoint in it (all-or-nothing). What a crash can lose
 * is recent bookkeeping, never a push: an inbox entry not marked dispatched is dispatched
 * again at start; a claimed item whose completion was not written is released and runs
 * again (delivery is at-least-once already). The inbox itself is not deferred: its commit is
 * relaxed too, and a push is answered only once an fsync of the log after it has returned
 * (wal-sync.ts), the durability of a FULL commit.
 */

/** The tables written behind; a read flushes only when a queued write touches its table. */
export type BehindTable = 'jobs' | 'trigger_logs' | 'queue';

type Op = () => void;

export class WriteBehind {
  #db: Database;
  #pending: Op[] = [];
  #dirty = new Set<BehindTable>();
  #scheduled = false;
  #open = false;
  #commit: Transaction<(ops: Op[]) => void>;
  #begin: Statement;
  #commitOpen: Statement;
  #rollback: Statement;
  #level: number;
  #onError: (err: unknown) => void;
  /** Stores that keep some writes back longer (jobs.ts), and how to make them hand those over. */
  #holders: { table: BehindTable; release: () => void }[] = [];

  constructor(db: Database, onError: (err: unknown) => void) {
    this.#db = db;
    this.#onError = onError;
    this.#commit = db.transaction((ops: Op[]) => {
      for (const op of ops) op();
    });
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commitOpen = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#level = Number(db.pragma('synchronous', { simple: true }));
  }

  // Through exec, prepared afresh each time (≈ 1 µs; db.pragma costs ≈ 15): SQLite applies a
  // pragma's value when the statement is prepared, so a kept prepared statement is unreliable.
  #relax(): void {
    this.#db.exec('PRAGMA synchronous = NORMAL');
  }

  #restore(): void {
    this.#db.exec(`PRAGMA synchronous = ${this.#level}`);
  }

  /**
   * Runs `fn` (which commits bookkeeping) with synchronous=NORMAL, then restores the level.
   * Inside an open transaction the level cannot change (SQLite refuses): `fn` then simply
   * joins that transaction and the level is the outer commit's business.
   */
  relaxed<T>(fn: () => T): T {
    if (this.#db.inTransaction) return fn();
    this.#relax();
    try {
      return fn();
    } finally {
      this.#restore();
    }
  }

  /**
   * Queues a write to these tables; it is committed with the rest of this turn's writes (or
   * earlier, with a transaction `soon` opens, or by a read that needs it).
   */
  defer(tables: BehindTable[], op: Op): void {
    this.#pending.push(op);
    for (const t of tables) this.#dirty.add(t);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flushQueue();
      });
    }
  }

  /**
   * A store that keeps writes to `table` back for longer than a turn (jobs.ts keeps a job's
   * row until its run ends, to write it once) registers how to hand them to `defer`: a read
   * of that table, a full `flush` and `close` call it first, so nothing held is ever missed by
   * a read or lost at a clean close.
   */
  holdFor(table: BehindTable, release: () => void): void {
    this.#holders.push({ table, release });
  }

  #release(table?: BehindTable): void {
    for (const h of this.#holders) if (table === undefined || h.table === table) h.release();
  }

  /**
   * Runs `op` now, inside a transaction committed at the end of this synchronous run (with
   * the queued writes, which run first to keep the order). Pass a `db.transaction(…)`
   * function: it then runs as a savepoint, and a throw undoes only its own writes.
   */
  soon<T>(op: () => T): T {
    if (!this.#db.inTransaction) {
      // IMMEDIATE: the write lock is taken before anything is read (the queue's frequency
      // guards read, then insert), even against another process on the same file. NORMAL
      // until #end: only savepoints can happen in between, so only this commit is relaxed.
      this.#relax();
      this.#begin.run();
      this.#open = true;
      queueMicrotask(() => this.#end());
    }
    this.#flushQueue();
    return op();
  }

  /** Before reading `table`: commits the queue (all of it, in order) if it writes there. */
  flushFor(table: BehindTable): void {
    this.#release(table);
    if (this.#dirty.has(table)) this.#flushQueue();
  }

  /** Commits every write now, held ones included (or adds them to the open transaction). */
  flush(): void {
    this.#release();
    this.#flushQueue();
  }

  /** Commits the queued writes now (or adds them to the open transaction). */
  #flushQueue(): void {
    if (this.#pending.length === 0 || !this.#db.open) return;
    const ops = this.#pending;
    this.#pending = [];
    this.#dirty.clear();
    try {
      this.relaxed(() => this.#commit.immediate(ops));
    } catch (err) {
      if (ops.length === 1) return this.#onError(err);
      // Nothing of the batch was written. Retry each write alone so that one bad write
      // does not take the others with it; a write that fails again is reported.
      for (const op of ops) {
        try {
          this.relaxed(() => this.#commit.immediate([op]));
        } catch (opErr) {
          this.#onError(opErr);
        }
      }
    }
  }

  /** Commits the transaction `soon` opened, with whatever was queued meanwhile. */
  #end(): void {
    if (!this.#open) return;
    this.#open = false;
    if (!this.#db.open) return;
    try {
      if (this.#db.inTransaction) {
        this.#flushQueue();
        this.#commitOpen.run();
      }
    } catch (err) {
      // Undone as a whole: the dispatches in it were not marked, so they run again later.
      if (this.#db.inTransaction) this.#rollback.run();
      this.#onError(err);
    } finally {
      this.#restore();
    }
  }

  /** Commits everything now (before the database closes). */
  close(): void {
    this.#end();
    this.flush();
  }
}

const byDatabase = new WeakMap<Database, WriteBehind>();

/**
 * The one write-behind queue of this database, shared by the jobs, trigger-log and queue
 * stores so that their writes keep their relative order and share commits. Whoever closes
 * the database calls its `close()` first (openSqliteEngineStore does).
 */
export function writeBehindOf(db: Database): WriteBehind {
  let wb = byDatabase.get(db);
  if (!wb) {
    wb = new WriteBehind(db, (err) =>
      process.emitWarning(`engine bookkeeping write failed: ${(err as Error).message}`),
    );
    byDatabase.set(db, wb);
  }
  return wb;
}
