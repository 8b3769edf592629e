/**
 * The data dir being moved: engine.db and tables.db, opened for reading while holding each
 * file's exclusive lock for as long as the migration runs. A running engine (its main process
 * or an executor) keeps a shared lock on the files it has open, so taking the exclusive one
 * fails at once while it runs, and an engine started meanwhile waits, then fails: the data
 * cannot change under the copy. Nothing is written to either file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FieldDef, TableSchema } from '../tables/table-store.ts';
import { MigrateError } from './errors.ts';
import { ENGINE_DB_VERSION } from './engine-tables.ts';
import { sourcePageSql, type TableSpec } from './table-spec.ts';

export interface SqliteSource {
  dataDir: string;
  /** The users' tables in id order (none when the data dir has no tables.db). */
  tables: TableSchema[];
  /** The id the next table would get on SQLite (AUTOINCREMENT: never reused). */
  nextTableId: number;
  /**
   * Rows of `spec` after `cursor`, each `[...key, ...columns]`: at most `limit`, fewer when
   * they are large; none once the table is read.
   */
  page(spec: TableSpec, cursor: unknown[] | undefined, limit: number): unknown[][];
  /** Queue items whose trigger log row is gone: no engine can run them, they are not moved. */
  orphanQueueItems(): number;
  close(): void;
}

/** Characters of text a page holds at most (past its first row): memory stays bounded. */
const PAGE_CHARS = 8 * 1024 * 1024;

const STOP_HINT =
  'Stop the engine on this data dir (every `cloudfn serve` or `cloudfn dev` using it), then run the migration again.';

/** Opens the data dir, holding both files; refuses a data dir in use or of another schema. */
export function openSqliteSource(dataDir: string): SqliteSource {
  const dir = path.resolve(dataDir);
  const enginePath = path.join(dir, 'engine.db');
  if (!fs.existsSync(enginePath))
    throw new MigrateError(
      'E_MIGRATE_NO_SOURCE',
      `${dir} holds no engine.db: nothing to migrate.`,
      {
        hint: 'Give the data dir of the engine to move: --data-dir DIR (or CLOUDFN_DATA_DIR), the directory with engine.db and tables.db.',
        details: { dataDir: dir },
      },
    );
  const engineDb = holdExclusive(enginePath);
  // The migration's name in the target: the same data dir by whatever path it is reached.
  const identity = fs.realpathSync(dir);
  const tablesPath = path.join(dir, 'tables.db');
  let tablesDb: Database.Database | undefined;
  try {
    checkEngineVersion(engineDb, enginePath);
    if (fs.existsSync(tablesPath)) {
      tablesDb = holdExclusive(tablesPath);
      checkTablesSchema(tablesDb, tablesPath);
    }
  } catch (err) {
    tablesDb?.close();
    engineDb.close();
    throw err;
  }
  const tables = tablesDb ? readCatalog(tablesDb) : [];
  const nextTableId = tablesDb ? nextId(tablesDb, tables) : 1;
  const statements = new Map<string, Database.Statement>();
  return {
    dataDir: identity,
    tables,
    nextTableId,
    page(spec, cursor, limit) {
      const db = spec.name.startsWith('engine.') ? engineDb : tablesDb;
      if (!db) return [];
      const sql = sourcePageSql(spec, cursor !== undefined);
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql).raw(true);
        statements.set(sql, statement);
      }
      // At most `limit` rows, and fewer when they are large: a page stops once it holds
      // PAGE_CHARS characters (function code, events, job logs and records can be megabytes).
      const rows: unknown[][] = [];
      let chars = 0;
      for (const row of statement.iterate(...(cursor ?? []), limit) as Iterable<unknown[]>) {
        rows.push(row);
        for (const value of row) if (typeof value === 'string') chars += value.length;
        if (chars >= PAGE_CHARS) break;
      }
      return rows;
    },
    orphanQueueItems() {
      return engineDb
        .prepare('SELECT count(*) FROM queue WHERE id NOT IN (SELECT id FROM trigger_logs)')
        .pluck()
        .get() as number;
    },
    close() {
      tablesDb?.close();
      engineDb.close();
    },
  };
}

/**
 * The file, opened with its exclusive lock taken (held until close: locking_mode EXCLUSIVE).
 * No wait: a lock that is not free at once means an engine has the file open.
 */
function holdExclusive(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY')
      throw new MigrateError(
        'E_MIGRATE_ENGINE_RUNNING',
        `${file} is in use: an engine is running on this data dir (or another cloudfn migrate reads it).`,
        { hint: STOP_HINT, details: { file } },
      );
    throw err;
  }
  return db;
}

function checkEngineVersion(db: Database.Database, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === ENGINE_DB_VERSION) return;
  throw new MigrateError(
    'E_MIGRATE_SOURCE_SCHEMA',
    `${file} has schema version ${version}; this cloudfn migrates version ${ENGINE_DB_VERSION}.`,
    {
      hint:
        version < ENGINE_DB_VERSION
          ? 'Start the engine of this version once on the data dir (it upgrades the schema), stop it, then migrate.'
          : 'The data dir was written by a newer cloudfn: migrate with that version.',
      details: { file, version, expected: ENGINE_DB_VERSION },
    },
  );
}

/** Data tables made before records had ACL columns get them at the engine's next start. */
function checkTablesSchema(db: Database.Database, file: string): void {
  const hasCatalog =
    db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_cf_tables'`).get() !==
    undefined;
  const aclDone = hasCatalog
    ? db.prepare(`SELECT value FROM _cf_meta WHERE key = 'acl_columns'`).pluck().get() === 1
    : false;
  if (hasCatalog && aclDone) return;
  throw new MigrateError(
    'E_MIGRATE_SOURCE_SCHEMA',
    `${file} is not a tables database of this cloudfn version (no catalog, or tables without ACL columns).`,
    {
      hint: 'Start the engine of this version once on the data dir (it upgrades the tables), stop it, then migrate.',
      details: { file },
    },
  );
}

function readCatalog(db: Database.Database): TableSchema[] {
  const rows = db
    .prepare('SELECT id, name, fields, created_at, updated_at FROM _cf_tables ORDER BY id')
    .all() as Array<{
    id: number;
    name: string;
    fields: string;
    created_at: number;
    updated_at: number;
  }>;
  return rows.map((row) => ({ ...row, fields: JSON.parse(row.fields) as FieldDef[] }));
}

function nextId(db: Database.Database, tables: TableSchema[]): number {
  const used = db
    .prepare(`SELECT seq FROM sqlite_sequence WHERE name = '_cf_tables'`)
    .pluck()
    .get() as number | undefined;
  return Math.max(used ?? 0, ...tables.map((t) => t.id)) + 1;
}
