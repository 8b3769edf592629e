/**
 * One transaction that the table writes of several quick runs share (the executor's fast
 * path, issue 19): a commit per row cost more than half of the executor's busy time, nearly
 * all of it the BEGIN IMMEDIATE / COMMIT pair, and 8 rows per commit cost less than half as
 * much per row.
 *
 * The first held write opens it (IMMEDIATE: read-modify-write stays atomic across processes);
 * each write is a savepoint inside it (SqliteTableStore), so a write that fails is undone
 * alone; its changes wait here and are announced only once committed. `commit` is called by
 * the executor before anything leaves for the main process. What a commit that fails loses is
 * remembered per run (`takeLost`): none of those runs may be reported as succeeded.
 *
 * SQLite may roll a whole transaction back on its own after some failed statements
 * (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, a trigger's RAISE(ROLLBACK)): `afterFailure`
 * notices that the transaction is gone and loses its runs the same way.
 */
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { TableChange } from '../table-store.ts';

/** A run whose held writes were lost, and why. */
export interface LostWrites {
  jobId: string;
  reason: string;
}

interface Open {
  /** performance.now() when it was opened. */
  since: number;
  /** Runs that wrote or read in it: they saw or made what its commit decides. */
  jobs: Set<string>;
  /** Changes of its writes that succeeded, announced once it is committed. */
  changes: TableChange[];
}

function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

export class SharedTransaction {
  readonly #db: Database.Database;
  readonly #begin: Statement;
  readonly #commit: Statement;
  readonly #rollback: Statement;
  #open: Open | undefined;
  #lost: LostWrites[] = [];

  constructor(db: Database.Database) {
    this.#db = db;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /** performance.now() when the open transaction began; undefined when none is open. */
  get since(): number | undefined {
    return this.#open?.since;
  }

  get isOpen(): boolean {
    return this.#open !== undefined;
  }

  /** Makes `jobId` part of the open transaction, opening it first (may wait for the write lock). */
  join(jobId: string): void {
    if (this.#open === undefined) {
      this.#begin.run();
      this.#open = { since: performance.now(), jobs: new Set(), changes: [] };
    }
    this.#open.jobs.add(jobId);
  }

  /** A read of `jobId` while one is open: it saw uncommitted writes, so it shares their fate. */
  saw(jobId: string): void {
    this.#open?.jobs.add(jobId);
  }

  /** The changes of a write that succeeded (its savepoint released). */
  hold(changes: readonly TableChange[]): void {
    this.#open?.changes.push(...changes);
  }

  /** After a failed write: if SQLite rolled the whole transaction back, its runs lost their writes. */
  afterFailure(err: unknown): void {
    if (this.#open !== undefined && !this.#db.inTransaction) this.#lose(reasonOf(err));
  }

  /** Commits what is open; returns its changes, or none when the commit failed (its runs are lost). */
  commit(): TableChange[] {
    const open = this.#open;
    if (open === undefined) return [];
    if (!this.#db.inTransaction) {
      // Rolled back under us without a failed write noticing (defensive: a connection reset).
      this.#lose('the transaction was rolled back');
      return [];
    }
    try {
      this.#commit.run();
    } catch (err) {
      // A failed COMMIT may leave the transaction open (a deferred constraint) or not (I/O):
      // end it either way, so the lock is let go and nothing of it can commit later.
      if (this.#db.inTransaction) {
        try {
          this.#rollback.run();
        } catch {
          // already gone
        }
      }
      this.#lose(reasonOf(err));
      return [];
    }
    this.#open = undefined;
    return open.changes;
  }

  /** The runs lost since the last call. */
  takeLost(): LostWrites[] {
    const lost = this.#lost;
    this.#lost = [];
    return lost;
  }

  #lose(reason: string): void {
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined) return;
    for (const jobId of open.jobs) this.#lost.push({ jobId, reason });
  }
}
