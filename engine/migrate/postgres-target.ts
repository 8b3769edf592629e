/**
 * The PostgreSQL schema the data dir moves into: its engine tables (the engine store's own
 * migrations), the tables catalog, and the migration's progress, kept in the target itself
 * (`cloudfn_migration`, `cloudfn_migration_tables`) and written in the same transaction as
 * each batch it records, so a run stopped at any point resumes after the last batch that
 * committed.
 */
import type pg from 'pg';
import { MIGRATIONS, migratePostgres } from '../store/postgres/migrations.ts';
import {
  DatabaseUnavailableError,
  describeDatabase,
  isConnectionFailure,
} from '../store/postgres/errors.ts';
import { transaction } from '../store/postgres/pool.ts';
import { createTablesPool } from '../tables/postgres/pool.ts';
import { PostgresCatalog } from '../tables/postgres/catalog.ts';
import { BUILTIN_TABLES } from '../tables/table-info.ts';
import type { TableInfo } from '../tables/table-info.ts';
import type { TableSchema } from '../tables/table-store.ts';
import { toTargetParam } from './canonical.ts';
import { MigrateError } from './errors.ts';
import { ENGINE_TABLES } from './engine-tables.ts';
import { insertArraysSql, targetPageSql, type TableSpec } from './table-spec.ts';

const PROGRESS_DDL = `
  CREATE TABLE IF NOT EXISTS cloudfn_migration (
    id integer PRIMARY KEY CHECK (id = 1), source text NOT NULL,
    started_at bigint NOT NULL, completed_at bigint);
  CREATE TABLE IF NOT EXISTS cloudfn_migration_tables (
    name text PRIMARY KEY, cursor text, rows bigint NOT NULL DEFAULT 0,
    done boolean NOT NULL DEFAULT false)`;

const UNDEFINED_TABLE = '42P01';
const DUPLICATE_TABLE = '42P07';
const EMPTY_SCHEMA_HINT =
  'Migrate into an empty database or schema (set search_path in the URL: ?options=-c%20search_path%3Dname). Nothing of the data dir was written.';

export interface TableProgress {
  cursor: unknown[] | undefined;
  rows: number;
  done: boolean;
}

export interface PostgresTarget {
  where: string;
  /** Creates the engine's schema, the tables catalog and the progress tables when missing. */
  prepare(): Promise<void>;
  /**
   * Starts or resumes the migration from `source`; refuses a target holding other data (rows
   * and no migration, or another source's migration).
   */
  claim(source: string, now: number): Promise<'started' | 'resumed'>;
  progress(name: string): Promise<TableProgress>;
  /** Writes rows (each `[...columns]`, SQLite values) and the cursor after them, in one transaction. */
  writeBatch(spec: TableSpec, rows: unknown[][], cursor: unknown[], total: number): Promise<void>;
  /** Marks a table copied and sets its bigserial past the rows it holds. */
  finishTable(spec: TableSpec): Promise<void>;
  /** The data table `schema` on PostgreSQL, made through the catalog with its id and times. */
  ensureTable(schema: TableSchema): Promise<TableInfo>;
  /** After the last table: the next table made on PostgreSQL gets an id SQLite never used. */
  setNextTableId(next: number): Promise<void>;
  /** The catalog's view of a table (undefined: not there). */
  table(id: number): Promise<TableInfo | undefined>;
  /**
   * Rows of `spec` after `cursor`, `[...key, ...columns]`: up to the key `bound` (an array), or
   * at most `bound` rows (a number); undefined when the table is missing.
   */
  page(
    spec: TableSpec,
    cursor: unknown[] | undefined,
    bound: unknown[] | number,
  ): Promise<unknown[][] | undefined>;
  complete(now: number): Promise<void>;
  close(): Promise<void>;
}

/** Connects (E_DATABASE_UNAVAILABLE when nothing answers). */
export async function openPostgresTarget(url: string): Promise<PostgresTarget> {
  const where = describeDatabase(url);
  const pool = createTablesPool({ url, max: 2 });
  // A connection that breaks while checked out (between two statements of a batch) emits
  // 'error' on its client; the statement in flight, or the next, fails with it and the run
  // stops with E_DATABASE_UNAVAILABLE. Unheard, the event would end the process instead.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(where, (err as Error).message, err);
  }
  const catalog = new PostgresCatalog(pool);
  // The engine store's transaction: a lost connection becomes E_DATABASE_UNAVAILABLE (the
  // run stops, and resumes from its last committed batch) and the broken client is dropped.
  const inTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    transaction(pool, where, fn);
  const tableOf = async (id: number): Promise<TableInfo | undefined> => {
    try {
      const { rows } = await pool.query('SELECT 1 FROM cf_tables WHERE id = $1', [id]);
      if (rows.length === 0) return undefined;
    } catch (err) {
      if ((err as { code?: string }).code === UNDEFINED_TABLE) return undefined; // no catalog yet
      throw err;
    }
    catalog.invalidate();
    return catalog.resolve(id);
  };
  return {
    where,
    async prepare() {
      const client = await pool.connect();
      try {
        await migratePostgres(client, MIGRATIONS);
        await client.query(PROGRESS_DDL);
        await catalog.init();
      } catch (err) {
        // The engine's schema could not be made: tables of the same names, someone else's.
        if ((err as { code?: string }).code === DUPLICATE_TABLE)
          throw new MigrateError(
            'E_MIGRATE_TARGET_NOT_EMPTY',
            `${where} holds tables that are not cloudfn's (${(err as Error).message}).`,
            { hint: EMPTY_SCHEMA_HINT, details: { database: where }, cause: err },
          );
        throw err;
      } finally {
        client.release();
      }
    },
    async claim(source, now) {
      return inTransaction(async (client) => {
        // Two runs starting together into one schema: the second waits here, then finds the
        // first's claim (and resumes it if it moves the same data dir, else is refused).
        await client.query('LOCK TABLE cloudfn_migration IN EXCLUSIVE MODE');
        const { rows } = await client.query<{ source: string }>(
          'SELECT source FROM cloudfn_migration WHERE id = 1',
        );
        const recorded = rows[0]?.source;
        if (recorded === source) return 'resumed';
        if (recorded !== undefined)
          throw new MigrateError(
            'E_MIGRATE_TARGET_NOT_EMPTY',
            `${where} already holds a migration from another data dir (${recorded}).`,
            {
              hint: EMPTY_SCHEMA_HINT,
              details: { database: where, migratedFrom: recorded },
            },
          );
        const filled = await tablesWithRows(client);
        if (filled.length > 0)
          throw new MigrateError(
            'E_MIGRATE_TARGET_NOT_EMPTY',
            `${where} already holds data (${filled.join(', ')}): cloudfn migrate moves a data dir only into an empty schema.`,
            {
              hint: EMPTY_SCHEMA_HINT,
              details: { database: where, tables: filled },
            },
          );
        await client.query(
          'INSERT INTO cloudfn_migration (id, source, started_at) VALUES (1, $1, $2)',
          [source, now],
        );
        return 'started';
      });
    },
    async progress(name) {
      const { rows } = await pool.query<{ cursor: string | null; rows: number; done: boolean }>(
        'SELECT cursor, rows, done FROM cloudfn_migration_tables WHERE name = $1',
        [name],
      );
      const row = rows[0];
      return {
        cursor: row?.cursor ? (JSON.parse(row.cursor) as unknown[]) : undefined,
        rows: row?.rows ?? 0,
        done: row?.done ?? false,
      };
    },
    async writeBatch(spec, rows, cursor, total) {
      await inTransaction(async (client) => {
        const columns = spec.kinds.map((kind, i) => rows.map((row) => toTargetParam(kind, row[i])));
        try {
          await client.query(insertArraysSql(spec), columns);
        } catch (err) {
          if (isConnectionFailure(err))
            throw new DatabaseUnavailableError(where, (err as Error).message, err);
          throw new MigrateError(
            'E_MIGRATE_ROW_REFUSED',
            `PostgreSQL refused a row of ${spec.name} (${(err as Error).message}).`,
            {
              hint: 'Nothing of this batch was written; the rows before it are kept. Fix the row on the source (with the engine stopped), then run the migration again: it resumes here.',
              details: { table: spec.name, after: cursor },
              cause: err,
            },
          );
        }
        await client.query(
          `INSERT INTO cloudfn_migration_tables (name, cursor, rows) VALUES ($1, $2, $3)
           ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, rows = excluded.rows`,
          [spec.name, JSON.stringify(cursor), total],
        );
      });
    },
    async finishTable(spec) {
      await inTransaction(async (client) => {
        if (spec.target.sequence)
          await client.query(
            `SELECT setval(pg_get_serial_sequence($1, $2),
               GREATEST((SELECT max(${quoteColumn(spec.target.sequence)}) FROM ${spec.target.table}), 1))`,
            [spec.target.table, spec.target.sequence],
          );
        await client.query(
          `INSERT INTO cloudfn_migration_tables (name, done) VALUES ($1, true)
           ON CONFLICT (name) DO UPDATE SET done = true`,
          [spec.name],
        );
      });
    },
    async ensureTable(schema) {
      const existing = await tableOf(schema.id);
      if (existing) {
        if (existing.schema.name !== schema.name)
          throw new MigrateError(
            'E_MIGRATE_TARGET_NOT_EMPTY',
            `${where} has table ${existing.schema.name} where ${schema.name} (id ${schema.id}) goes.`,
            {
              hint: 'Migrate into an empty database or schema, or drop this one and start over.',
              details: { database: where, table: schema.name, id: schema.id },
            },
          );
        return existing;
      }
      await catalog.schemaChange(async (db) => {
        // The catalog numbers tables from a serial: set it so the table keeps its SQLite id
        // (its id is in the API, and in the name of its SQL table).
        await db.query(`SELECT setval(pg_get_serial_sequence('cf_tables', 'id'), $1, false)`, [
          schema.id,
        ]);
        const integerIds = Object.hasOwn(BUILTIN_TABLES, schema.name);
        await catalog.create(db, schema.name, schema.fields, schema.created_at, integerIds);
        await db.query('UPDATE cf_tables SET created_at = $1, updated_at = $2 WHERE id = $3', [
          schema.created_at,
          schema.updated_at,
          schema.id,
        ]);
      });
      const made = await tableOf(schema.id);
      if (!made) throw new Error(`table ${schema.name} was not made with id ${schema.id}`);
      return made;
    },
    async setNextTableId(next) {
      const { rows } = await pool.query<{ max: number | null }>(
        'SELECT max(id) AS max FROM cf_tables',
      );
      await pool.query(`SELECT setval(pg_get_serial_sequence('cf_tables', 'id'), $1, false)`, [
        Math.max(next, (rows[0]?.max ?? 0) + 1),
      ]);
    },
    table: tableOf,
    async page(spec, cursor, bound) {
      const upTo = Array.isArray(bound) ? bound : undefined;
      try {
        const { rows } = await pool.query<unknown[]>({
          text: targetPageSql(spec, cursor !== undefined, upTo !== undefined),
          values: [...(cursor ?? []), ...(upTo ?? [bound as number])],
          rowMode: 'array',
        });
        return rows;
      } catch (err) {
        if ((err as { code?: string }).code === UNDEFINED_TABLE) return undefined;
        throw err;
      }
    },
    async complete(now) {
      await pool.query('UPDATE cloudfn_migration SET completed_at = $1 WHERE id = 1', [now]);
    },
    close: () => pool.end(),
  };
}

const quoteColumn = (name: string) => `"${name}"`;

/** The engine's tables and the catalog that hold rows. */
async function tablesWithRows(client: pg.PoolClient): Promise<string[]> {
  const names = [...ENGINE_TABLES.map((t) => t.target.table), 'cf_tables'];
  const { rows } = await client.query<{ name: string }>(
    names
      .map((name) => `SELECT '${name}' AS name WHERE EXISTS (SELECT 1 FROM ${name})`)
      .join(' UNION ALL '),
  );
  return rows.map((r) => r.name);
}
