/**
 * A real HostOps module whose answers are promises, like a store that waits on the network
 * (PostgreSQL): it keeps records in a SQLite file of its own and answers each operation after
 * a `setTimeout` of `delayMs`. It is not a table store: `table.create` appends `data` to the
 * named table, `table.count` counts its rows. Special table names exercise the other outcomes:
 * `refused` rejects with a coded error, `crash` with a plain Error, `never` never settles, and
 * `now` answers at once (a module may mix both kinds of answer).
 */
import Database from 'better-sqlite3';
import type { CreateHostOps } from '../../../runtime/host-ops.ts';

class RefusalError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'RefusalError';
    this.code = code;
    this.status = status;
  }
}

interface Options {
  dbPath: string;
  delayMs: number;
}

export const createHostOps: CreateHostOps = (options, emit) => {
  const { dbPath, delayMs } = options as Options;
  const db = new Database(dbPath);
  db.exec('CREATE TABLE IF NOT EXISTS records (tbl TEXT NOT NULL, data TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO records (tbl, data) VALUES (?, ?)');
  const count = db.prepare('SELECT count(*) AS n FROM records WHERE tbl = ?');
  const later = <T>(answer: () => T): Promise<T> =>
    new Promise((resolve, reject) =>
      setTimeout(() => {
        try {
          resolve(answer());
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      }, delayMs),
    );

  return {
    call(op, args, context) {
      const { table, data } = args as { table: string; data?: unknown };
      emit('op.seen', { op, table, jobId: context.jobId });
      if (table === 'now') return (count.get(table) as { n: number }).n;
      if (table === 'never') return new Promise(() => {});
      return later(() => {
        if (table === 'refused')
          throw new RefusalError('E_TEST_REFUSED', `${op} refused on purpose`, 409);
        if (table === 'crash') throw new Error('internal detail /secret/path');
        if (op === 'table.create') {
          const row = insert.run(table, JSON.stringify(data));
          return { id: Number(row.lastInsertRowid), ...(data as object) };
        }
        if (op === 'table.count') return (count.get(table) as { n: number }).n;
        throw new RefusalError('E_TEST_UNKNOWN_OP', `${op} is not answered here`, 400);
      });
    },
    async close() {
      db.close();
    },
  };
};
