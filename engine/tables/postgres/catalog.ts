/**
 * Table metadata on PostgreSQL: `cf_tables` (one row per user table, its fields as json)
 * and `cf_tables_meta.schema_version`, bumped by every schema change. Schema changes run in
 * one transaction (DDL is transactional here) under an advisory lock, so two processes never
 * interleave them. Each process caches schemas and re-reads the version at most every
 * FRESH_MS, so a change made by another process is seen within a second; a statement that
 * meets a dropped table or column refreshes at once (the store retries it).
 */
import type pg from 'pg';
import { TableError, tableNotFound } from '../errors.ts';
import { SEQ_COLUMN, USER_TABLE, indexIdent, quoteIdent } from '../names.ts';
import { BUILTIN_TABLES, type CatalogRow, type TableInfo, tableInfo } from '../table-info.ts';
import { SchemaCache } from '../schema-cache.ts';
import type { FieldDef, FieldType, TableSchema } from '../table-store.ts';
import { encodePg, parseJsonb } from './codec.ts';
import { pgLatitude } from './geo-sql.ts';

/** How long a cached schema is trusted without asking the database (ms). */
export const FRESH_MS = 500;
// One lock for all schema changes of the tables in this schema (any fixed number will do).
const SCHEMA_LOCK = 0x7ab1e5;

const PG_TYPE: Record<FieldType, string> = {
  string: 'text COLLATE "C"',
  integer: 'bigint',
  number: 'double precision',
  boolean: 'boolean',
  date: 'text COLLATE "C"', // normalised ISO-8601: text order is time order
  // json, not jsonb: json keeps the text it was given, so an object's keys come back in the
  // order they were written, as on SQLite (jsonb sorts them). Queries read it as jsonb
  // (jsonQueryColumn); tables made before keep jsonb columns, which the same SQL reads.
  array: 'json',
  object: 'json',
  pointer: 'text COLLATE "C"', // the id pointed at, as text
  // jsonb: a value is always {type, coordinates} (geo.ts writes it so), the order jsonb
  // keeps; its latitude is indexed, and queries read it without a cast per row.
  geojson: 'jsonb',
};

/** The types kept as json (read as jsonb by queries). */
const JSON_TYPES: ReadonlySet<FieldType> = new Set(['array', 'object']);

/** A JSON field's column as queries use it: jsonb (its operators; a no-op on a jsonb column). */
function jsonQueryColumn(column: string): string {
  return `(${column})::jsonb`;
}

/**
 * The SQL table of a user table: by id, as PostgreSQL cuts identifiers at 63 bytes and a
 * name may have 64 characters; the name follows for whoever reads the schema.
 */
function dataTable(id: number, name: string): string {
  return quoteIdent(`t${id}_${name}`.slice(0, 63));
}

function toInfo(row: CatalogRow): TableInfo {
  const info = tableInfo({
    id: row.id,
    name: row.name,
    fields: parseJsonb(row.fields) as FieldDef[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  });
  const queryFields = new Map(info.queryFields);
  for (const f of info.schema.fields)
    if (JSON_TYPES.has(f.type)) {
      const q = queryFields.get(f.name)!;
      queryFields.set(f.name, { ...q, column: jsonQueryColumn(q.column) });
    }
  return { ...info, queryFields, ident: dataTable(row.id, row.name) };
}

function columnDef(f: FieldDef): string {
  return `${quoteIdent(f.name)} ${PG_TYPE[f.type]}`;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PostgresCatalog {
  private readonly pool: pg.Pool;
  private version = -1;
  private checkedAt = 0;
  private readonly cache = new SchemaCache();

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Creates the catalog tables when missing (several processes may start together). */
  async init(): Promise<void> {
    await this.schemaChange(async (db) => {
      await db.query(`
        CREATE TABLE IF NOT EXISTS cf_tables (
          id serial PRIMARY KEY,
          name text NOT NULL,
          fields json NOT NULL,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS cf_tables_name ON cf_tables (lower(name));
        CREATE TABLE IF NOT EXISTS cf_tables_meta (key text PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO cf_tables_meta (key, value) VALUES ('schema_version', 0) ON CONFLICT DO NOTHING;
      `);
      // Catalogs made before kept fields as jsonb, which reorders the keys of a field's
      // definition and of an object default: json keeps them as written (existing rows keep
      // the order jsonb gave them).
      const { rows } = await db.query<{ type: string }>(
        `SELECT data_type AS type FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = 'cf_tables' AND column_name = 'fields'`,
      );
      if (rows[0]?.type === 'jsonb')
        await db.query('ALTER TABLE cf_tables ALTER COLUMN fields TYPE json USING fields::json');
    });
  }

  /**
   * Runs `fn` in one transaction holding the schema lock; the caches are dropped whatever
   * happens (a rolled-back change may have been cached).
   */
  async schemaChange<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
      this.invalidate();
    }
  }

  /** Forgets every cached schema. */
  invalidate(): void {
    this.version = -1;
    this.checkedAt = 0;
    this.cache.clear();
  }

  private async refresh(db: Queryable): Promise<void> {
    const now = Date.now();
    if (now - this.checkedAt < FRESH_MS) return;
    const { rows } = await db.query<{ value: number }>(
      `SELECT value FROM cf_tables_meta WHERE key = 'schema_version'`,
    );
    this.checkedAt = now;
    const version = rows[0]?.value ?? 0;
    if (version === this.version) return;
    this.version = version;
    this.cache.clear();
  }

  /** By integer id (number or digit string) or by name (case-insensitive); 404 otherwise. */
  async resolve(ref: string | number, db: Queryable = this.pool): Promise<TableInfo> {
    await this.refresh(db);
    const { isId, key } = SchemaCache.keyOf(ref);
    const cached = this.cache.get(isId, key);
    if (cached) return cached;
    if (!isId && typeof ref === 'string' && ref.length > 64) throw tableNotFound(ref.slice(0, 64));
    if (isId && (key as number) > 2_147_483_647) throw tableNotFound(ref); // ids are int4
    const { rows } = await db.query<CatalogRow>(
      isId
        ? 'SELECT * FROM cf_tables WHERE id = $1'
        : 'SELECT * FROM cf_tables WHERE lower(name) = $1',
      [key],
    );
    const row = rows[0];
    if (!row) {
      if (!isId && Object.hasOwn(BUILTIN_TABLES, key)) return this.createBuiltin(key as string);
      throw tableNotFound(ref);
    }
    return this.cache.remember(toInfo(row));
  }

  async list(): Promise<TableSchema[]> {
    const { rows } = await this.pool.query<CatalogRow>('SELECT * FROM cf_tables ORDER BY id');
    return rows.map((r) => toInfo(r).schema);
  }

  /** A built-in table, made on first use; a racing process finds it made (the lock orders them). */
  private async createBuiltin(name: string): Promise<TableInfo> {
    const id = await this.schemaChange(async (db) => {
      const { rows } = await db.query<CatalogRow>('SELECT * FROM cf_tables WHERE name = $1', [
        name,
      ]);
      if (rows[0]) return rows[0].id;
      const now = Math.floor(Date.now() / 1000);
      return this.create(db, name, [...BUILTIN_TABLES[name]!], now, true);
    });
    return this.resolve(id);
  }

  /** Creates the metadata row, the data table and its indexes; answers the new id. Call in schemaChange. */
  async create(
    db: Queryable,
    name: string,
    fields: FieldDef[],
    now: number,
    integerIds = false,
  ): Promise<number> {
    const { rows: existing } = await db.query<{ name: string }>(
      'SELECT name FROM cf_tables WHERE lower(name) = lower($1)',
      [name],
    );
    if (existing[0])
      throw new TableError('E_TABLE_EXISTS', `Table '${existing[0].name}' already exists.`, {
        table: existing[0].name,
      });
    const { rows } = await db.query<{ id: number }>(
      'INSERT INTO cf_tables (name, fields, created_at, updated_at) VALUES ($1, $2::json, $3, $4) RETURNING id',
      [name, JSON.stringify(fields), now, now],
    );
    const id = rows[0]!.id;
    const ident = dataTable(id, name);
    const columns = [
      `${quoteIdent(SEQ_COLUMN)} bigserial PRIMARY KEY`,
      integerIds ? `"id" bigint NOT NULL UNIQUE` : `"id" text COLLATE "C" NOT NULL UNIQUE`,
      `"created_at" bigint NOT NULL`,
      `"updated_at" bigint NOT NULL`,
      `"created_by" bigint`,
      `"read_perm" jsonb`,
      `"write_perm" jsonb`,
      ...fields.map(columnDef),
    ];
    const ddl = [`CREATE TABLE ${ident} (${columns.join(', ')})`];
    for (const column of [
      'created_at',
      'updated_at',
      'created_by',
      ...fields.filter((f) => f.index).map((f) => f.name),
    ])
      ddl.push(`CREATE INDEX ${indexIdent(id, column)} ON ${ident} (${quoteIdent(column)})`);
    for (const f of fields) if (f.type === 'geojson') ddl.push(this.geoIndex(id, ident, f.name));
    // One user per WeChat identity: a push's FromUserName must resolve to one user.
    if (name === USER_TABLE)
      for (const column of ['openid', 'unionid'])
        ddl.push(
          `CREATE UNIQUE INDEX ${indexIdent(id, `${column}_unique`)} ON ${ident} (${quoteIdent(column)}) WHERE ${quoteIdent(column)} IS NOT NULL`,
        );
    await db.query(ddl.join(';\n'));
    await this.bumpVersion(db);
    return id;
  }

  async drop(db: Queryable, info: TableInfo): Promise<void> {
    if (info.integerIds)
      throw new TableError(
        'E_TABLE_BUILTIN',
        `Table '${info.schema.name}' is built in (MinCloud's): it can gain fields but not be dropped.`,
        { table: info.schema.name },
      );
    await db.query(`DROP TABLE ${info.ident}`);
    await db.query('DELETE FROM cf_tables WHERE id = $1', [info.schema.id]);
    await this.bumpVersion(db);
  }

  /** Adds columns; existing records get the field's default. Call in schemaChange. */
  async addFields(db: Queryable, info: TableInfo, fields: FieldDef[], now: number): Promise<void> {
    const { rows } = await db.query(`SELECT 1 FROM ${info.ident} LIMIT 1`);
    const hasRecords = rows.length > 0;
    for (const f of fields) {
      if (f.required && f.default === undefined && hasRecords) {
        throw new TableError(
          'E_TABLE_BAD_SCHEMA',
          `Field '${f.name}' is required but has no default, and the table already has records.`,
          { field: f.name },
        );
      }
    }
    for (const f of fields) {
      await db.query(`ALTER TABLE ${info.ident} ADD COLUMN ${columnDef(f)}`);
      if (f.default !== undefined)
        await db.query(`UPDATE ${info.ident} SET ${quoteIdent(f.name)} = $1`, [
          encodePg(f.type, f.default),
        ]);
      if (f.index)
        await db.query(
          `CREATE INDEX ${indexIdent(info.schema.id, f.name)} ON ${info.ident} (${quoteIdent(f.name)})`,
        );
      if (f.type === 'geojson') await db.query(this.geoIndex(info.schema.id, info.ident, f.name));
    }
    await db.query('UPDATE cf_tables SET fields = $1::json, updated_at = $2 WHERE id = $3', [
      JSON.stringify([...info.schema.fields, ...fields]),
      now,
      info.schema.id,
    ]);
    await this.bumpVersion(db);
  }

  /** withinCircle/withinRegion/within first narrow to a latitude band through this index. */
  private geoIndex(tableId: number, ident: string, field: string): string {
    return `CREATE INDEX ${indexIdent(tableId, `${field}_lat`)} ON ${ident} (${pgLatitude(quoteIdent(field))})`;
  }

  private async bumpVersion(db: Queryable): Promise<void> {
    await db.query(`UPDATE cf_tables_meta SET value = value + 1 WHERE key = 'schema_version'`);
  }
}
