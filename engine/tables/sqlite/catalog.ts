/**
 * Table metadata in the same SQLite file as the records: `_cf_tables` (one row per user
 * table, its fields as JSON) and `_cf_meta.schema_version`, bumped by every schema change.
 *
 * Several processes open the file (the engine's main process and its executors), each
 * with its own connection and its own cache of schemas. A cache is trusted only while
 * `PRAGMA data_version` (which changes when ANOTHER connection commits) is unchanged, or,
 * when it did change, while the schema version is the one the cache was built at. That is
 * one cheap pragma per operation, and one tiny SELECT after others wrote.
 */
import type { Database, Statement } from 'better-sqlite3';
import { TableError, tableNotFound } from '../errors.ts';
import { SEQ_COLUMN, USER_TABLE, dataTableIdent, indexIdent, quoteIdent } from '../names.ts';
import type { FieldDef, FieldType, TableSchema } from '../table-store.ts';
import { BUILTIN_TABLES, type CatalogRow, type TableInfo, tableInfo } from '../table-info.ts';
import { SchemaCache } from '../schema-cache.ts';

export { BUILTIN_TABLES, USER_TABLE_FIELDS, type TableInfo } from '../table-info.ts';
import { latitudeExpr } from './geo-sql.ts';
import { encodeValue } from './codec.ts';

const SQL_TYPE: Record<FieldType, string> = {
  string: 'TEXT',
  integer: 'INTEGER',
  number: 'REAL',
  boolean: 'INTEGER',
  date: 'TEXT',
  array: 'TEXT',
  object: 'TEXT',
  pointer: 'TEXT', // the id pointed at, as text
  geojson: 'TEXT', // GeoJSON; an index on a point's latitude keeps circle queries fast
};

function toInfo(row: CatalogRow): TableInfo {
  return tableInfo({
    id: row.id,
    name: row.name,
    fields: JSON.parse(row.fields) as FieldDef[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  });
}

function columnDef(f: FieldDef): string {
  return `${quoteIdent(f.name)} ${SQL_TYPE[f.type]}`;
}

export class SqliteCatalog {
  private readonly db: Database;
  private readonly dataVersion: Statement;
  private readonly schemaVersion: Statement;
  private cachedDataVersion = -1;
  private cachedSchemaVersion = -1;
  private readonly cache = new SchemaCache();

  constructor(db: Database) {
    this.db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS _cf_tables (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        fields TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS _cf_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT OR IGNORE INTO _cf_meta (key, value) VALUES ('schema_version', 0);
    `);
    this.addAclColumns();
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.schemaVersion = db
      .prepare(`SELECT value FROM _cf_meta WHERE key = 'schema_version'`)
      .pluck();
  }

  /**
   * Tables made before records had ACL fields get their two columns, once per file (under
   * an IMMEDIATE transaction: the main process and executors may open it together).
   */
  private addAclColumns(): void {
    this.db.exec(`INSERT OR IGNORE INTO _cf_meta (key, value) VALUES ('acl_columns', 0)`);
    const done = () =>
      this.db.prepare(`SELECT value FROM _cf_meta WHERE key = 'acl_columns'`).pluck().get() === 1;
    if (done()) return;
    this.db
      .transaction(() => {
        if (done()) return;
        const names = this.db.prepare('SELECT name FROM _cf_tables').pluck().all() as string[];
        for (const name of names) {
          const ident = dataTableIdent(name);
          const columns = this.db.prepare(`PRAGMA table_info(${ident})`).all() as Array<{
            name: string;
          }>;
          for (const column of ['read_perm', 'write_perm'])
            if (!columns.some((c) => c.name === column))
              this.db.exec(`ALTER TABLE ${ident} ADD COLUMN ${quoteIdent(column)} TEXT`);
        }
        this.db.prepare(`UPDATE _cf_meta SET value = 1 WHERE key = 'acl_columns'`).run();
      })
      .immediate();
  }

  /** Drops cached schemas when another connection changed them since we last looked. */
  refresh(): void {
    const dv = this.dataVersion.get() as number;
    if (dv === this.cachedDataVersion) return;
    this.cachedDataVersion = dv;
    const sv = this.schemaVersion.get() as number;
    if (sv === this.cachedSchemaVersion) return;
    this.cachedSchemaVersion = sv;
    this.cache.clear();
  }

  /** Forgets every cached schema (after our own DDL, or an error that suggests staleness). */
  invalidate(): void {
    this.cachedDataVersion = -1;
    this.cachedSchemaVersion = -1;
    this.cache.clear();
  }

  /** By integer id (number or digit string) or by name (case-insensitive); 404 otherwise. */
  resolve(ref: string | number): TableInfo {
    this.refresh();
    const { isId, key } = SchemaCache.keyOf(ref);
    const cached = this.cache.get(isId, key);
    if (cached) return cached;
    if (!isId && typeof ref === 'string' && ref.length > 64) throw tableNotFound(ref.slice(0, 64));
    const row = (
      isId
        ? this.db.prepare('SELECT * FROM _cf_tables WHERE id = ?').get(key)
        : this.db.prepare('SELECT * FROM _cf_tables WHERE name = ?').get(key)
    ) as CatalogRow | undefined;
    if (!row) {
      if (!isId && Object.hasOwn(BUILTIN_TABLES, key)) return this.createBuiltin(key as string);
      throw tableNotFound(ref);
    }
    return this.cache.remember(toInfo(row));
  }

  list(): TableSchema[] {
    const rows = this.db.prepare('SELECT * FROM _cf_tables ORDER BY id').all() as CatalogRow[];
    return rows.map((r) => toInfo(r).schema);
  }

  /**
   * A built-in table, made on first use. Several processes may race here: the first
   * IMMEDIATE transaction creates it, the others find it.
   */
  private createBuiltin(name: string): TableInfo {
    const make = (): TableInfo => {
      const row = this.db.prepare('SELECT * FROM _cf_tables WHERE name = ?').get(name) as
        CatalogRow | undefined;
      if (row) return toInfo(row);
      const now = Math.floor(Date.now() / 1000);
      return this.create(name, [...BUILTIN_TABLES[name]!], now, true);
    };
    return this.db.inTransaction ? make() : (this.db.transaction(make).immediate() as TableInfo);
  }

  /** Creates the metadata row, the data table and its indexes. Call inside a transaction. */
  create(name: string, fields: FieldDef[], now: number, integerIds = false): TableInfo {
    const exists = this.db
      .prepare('SELECT name FROM _cf_tables WHERE name = ?')
      .pluck()
      .get(name) as string | undefined;
    if (exists !== undefined)
      throw new TableError('E_TABLE_EXISTS', `Table '${exists}' already exists.`, {
        table: exists,
      });
    const result = this.db
      .prepare('INSERT INTO _cf_tables (name, fields, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(name, JSON.stringify(fields), now, now);
    const id = Number(result.lastInsertRowid);
    const ident = dataTableIdent(name);
    const columns = [
      `${quoteIdent(SEQ_COLUMN)} INTEGER PRIMARY KEY`,
      integerIds ? `"id" INTEGER NOT NULL UNIQUE` : `"id" TEXT NOT NULL UNIQUE`,
      `"created_at" INTEGER NOT NULL`,
      `"updated_at" INTEGER NOT NULL`,
      `"created_by" INTEGER`,
      `"read_perm" TEXT`,
      `"write_perm" TEXT`,
      ...fields.map(columnDef),
    ];
    this.db.exec(`CREATE TABLE ${ident} (${columns.join(', ')}) STRICT`);
    for (const column of [
      'created_at',
      'updated_at',
      'created_by',
      ...fields.filter((f) => f.index).map((f) => f.name),
    ]) {
      this.db.exec(`CREATE INDEX ${indexIdent(id, column)} ON ${ident} (${quoteIdent(column)})`);
    }
    for (const f of fields) if (f.type === 'geojson') this.geoIndex(id, ident, f.name);
    // One user per WeChat identity: a push's FromUserName must resolve to one user.
    if (name === USER_TABLE)
      for (const column of ['openid', 'unionid'])
        this.db.exec(
          `CREATE UNIQUE INDEX ${indexIdent(id, `${column}_unique`)} ON ${ident} (${quoteIdent(column)}) WHERE ${quoteIdent(column)} IS NOT NULL`,
        );
    this.bumpSchemaVersion();
    return this.resolve(id);
  }

  drop(info: TableInfo): void {
    if (info.integerIds)
      throw new TableError(
        'E_TABLE_BUILTIN',
        `Table '${info.schema.name}' is built in (MinCloud's): it can gain fields but not be dropped.`,
        { table: info.schema.name },
      );
    this.db.exec(`DROP TABLE ${info.ident}`);
    this.db.prepare('DELETE FROM _cf_tables WHERE id = ?').run(info.schema.id);
    this.bumpSchemaVersion();
  }

  /** Adds columns; existing records get the field's default. Call inside a transaction. */
  addFields(info: TableInfo, fields: FieldDef[], now: number): TableInfo {
    const hasRecords = this.db.prepare(`SELECT 1 FROM ${info.ident} LIMIT 1`).get() !== undefined;
    for (const f of fields) {
      if (f.required && f.default === undefined && hasRecords) {
        throw new TableError(
          'E_TABLE_BAD_SCHEMA',
          `Field '${f.name}' is required but has no default, and the table already has records.`,
          {
            field: f.name,
          },
        );
      }
    }
    for (const f of fields) {
      this.db.exec(`ALTER TABLE ${info.ident} ADD COLUMN ${columnDef(f)}`);
      if (f.default !== undefined) {
        this.db
          .prepare(`UPDATE ${info.ident} SET ${quoteIdent(f.name)} = ?`)
          .run(encodeValue(f.type, f.default));
      }
      if (f.index)
        this.db.exec(
          `CREATE INDEX ${indexIdent(info.schema.id, f.name)} ON ${info.ident} (${quoteIdent(f.name)})`,
        );
      if (f.type === 'geojson') this.geoIndex(info.schema.id, info.ident, f.name);
    }
    this.db
      .prepare('UPDATE _cf_tables SET fields = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify([...info.schema.fields, ...fields]), now, info.schema.id);
    this.bumpSchemaVersion();
    return this.resolve(info.schema.id);
  }

  /** withinCircle/withinRegion/within first narrow to a latitude band through this index. */
  private geoIndex(tableId: number, ident: string, field: string): void {
    this.db.exec(
      `CREATE INDEX ${indexIdent(tableId, `${field}_lat`)} ON ${ident} (${latitudeExpr(quoteIdent(field))})`,
    );
  }

  private bumpSchemaVersion(): void {
    this.db.prepare(`UPDATE _cf_meta SET value = value + 1 WHERE key = 'schema_version'`).run();
    this.invalidate();
  }
}
