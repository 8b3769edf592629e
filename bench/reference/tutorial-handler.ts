/**
 * The tutorial's work as a plain handler writes it, shared by the bench's two unsandboxed
 * servers (server.ts with the engine's protocol code, co-wechat-server.ts with co-wechat):
 * functions/user_consume_card.js called in-process with a tiny BaaS that inserts the row
 * with better-sqlite3, one transaction per push, into a WAL-mode SQLite file.
 *
 * The two settings match CLOUDFN_DURABILITY's: `full` (synchronous=FULL: every commit is
 * fsynced, so a push answered `success` is on disk, as at `fsync`) and `normal`
 * (synchronous=NORMAL: committed to the log, fsynced only at checkpoints; survives a crash
 * of the process, not of the machine, as at `process`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { FUNCTION_FILE, TABLE_FIELDS, TABLE_NAME } from '../lib/tutorial.ts';

export type SqliteSynchronous = 'full' | 'normal';

/** Reads REFERENCE_SYNCHRONOUS (full by default): the servers' durability setting. */
export function synchronousFromEnv(env: NodeJS.ProcessEnv): SqliteSynchronous {
  const raw = (env.REFERENCE_SYNCHRONOUS ?? 'full').toLowerCase();
  if (raw !== 'full' && raw !== 'normal')
    throw new Error(`REFERENCE_SYNCHRONOUS must be full or normal, not "${raw}"`);
  return raw;
}

export interface TutorialHandler {
  /** Runs the tutorial function on one push's event.data; resolves once its row is committed. */
  run(data: unknown): Promise<unknown>;
  close(): void;
}

type Main = (event: { data: unknown }, callback: (err: unknown, result?: unknown) => void) => void;

/** Opens reference.db in `dataDir` at this durability and loads the tutorial function. */
export function openTutorialHandler(
  dataDir: string,
  synchronous: SqliteSynchronous,
): TutorialHandler {
  // The same table shape as the engine's TableStore makes (STRICT, system columns, indexes).
  const db = new Database(path.join(dataDir, 'reference.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  const columns = TABLE_FIELDS.map(
    (f) => `"${f.name}" ${f.type === 'integer' ? 'INTEGER' : 'TEXT'}`,
  );
  db.exec(`CREATE TABLE IF NOT EXISTS "t_${TABLE_NAME}" (_seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, created_by INTEGER, ${columns.join(', ')}) STRICT`);
  for (const c of ['created_at', 'updated_at', 'created_by'])
    db.exec(`CREATE INDEX IF NOT EXISTS "i_${c}" ON "t_${TABLE_NAME}" ("${c}")`);
  const insert =
    db.prepare(`INSERT INTO "t_${TABLE_NAME}" (id, created_at, updated_at, ${TABLE_FIELDS.map((f) => `"${f.name}"`).join(', ')})
  VALUES (@id, @created_at, @updated_at, ${TABLE_FIELDS.map((f) => `@${f.name}`).join(', ')})`);

  /** Just enough of MinCloud's BaaS for the tutorial function: TableObject → create → set → save. */
  const BaaS = {
    TableObject: class {
      create() {
        const values: Record<string, unknown> = {};
        return {
          set(key: string | Record<string, unknown>, value?: unknown) {
            if (typeof key === 'string') values[key] = value;
            else Object.assign(values, key);
          },
          save: async () => {
            const now = Math.floor(Date.now() / 1000);
            const row: Record<string, unknown> = {
              id: now.toString(16).padStart(8, '0') + randomBytes(8).toString('hex'),
              created_at: now,
              updated_at: now,
            };
            for (const f of TABLE_FIELDS) row[f.name] = values[f.name] ?? null;
            insert.run(row);
            return { data: row };
          },
        };
      }
    },
  };
  // A job's console is kept, as the engine keeps it; here in a bounded in-memory ring.
  const logLines: string[] = [];
  const guestConsole = {
    log: (...args: unknown[]) =>
      void (logLines.push(args.join(' ')) > 1000 && logLines.splice(0, 500)),
  };

  const cjs = { exports: {} as { main?: Main } };
  // The function's own file, evaluated once as CommonJS with BaaS and console in scope.
  new Function('exports', 'module', 'BaaS', 'console', fs.readFileSync(FUNCTION_FILE, 'utf8'))(
    cjs.exports,
    cjs,
    BaaS,
    guestConsole,
  );
  const main = cjs.exports.main!;
  return {
    run: (data) =>
      new Promise<unknown>((resolve, reject) =>
        main({ data }, (err, result) => (err ? reject(err) : resolve(result))),
      ),
    close: () => db.close(),
  };
}
