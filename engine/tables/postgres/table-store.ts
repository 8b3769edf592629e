/**
 * The PostgreSQL implementation of the TableStore port: one SQL table per user table, typed
 * columns for scalars, json for arrays, objects and GeoJSON (catalog.ts); MinCloud's rules
 * (values, update operators, where) are the same modules SQLite uses, only the SQL differs
 * (where-sql.ts). Read-modify-write updates lock their rows (`SELECT … FOR UPDATE`) in one
 * transaction, so `incrementBy`, `append` and the like stay atomic between processes.
 * Long-ish for the same reason as the SQLite store: one class whose write paths share the
 * row codec, the transactions and the change events.
 */
import type pg from 'pg';
import { TableError, badOptions, invalidRecordError, recordNotFound } from '../errors.ts';
import {
  MAX_LIMIT,
  parseOrderBy,
  resolveKeys,
  resolveLimit,
  resolveOffset,
  resolveScanCursor,
  splitSubKeys,
} from '../find-options.ts';
import { USER_TABLE, quoteIdent } from '../names.ts';
import {
  type RecordCols,
  assemble,
  bulkResult,
  defaultNewId,
  expandable,
  givenId,
  pickKeys,
  pickSubKeys,
  storedId,
} from '../record-shape.ts';
import { checkFieldDefs, checkTableName } from '../schema.ts';
import type { TableInfo } from '../table-info.ts';
import type {
  BulkResult,
  FieldDef,
  FindOptions,
  ListResult,
  RecordData,
  ScanPage,
  StoredRecord,
  TableChange,
  TableSchema,
  TableStore,
  UpdateDoc,
  Where,
  WriteOptions,
} from '../table-store.ts';
import { applyUpdate } from '../update-ops.ts';
import { pointerOf } from '../values.ts';
import { parseWhere, type ParsedWhere } from '../where.ts';
import { PostgresCatalog } from './catalog.ts';
import { decodePg, encodePg, parseJsonb, type PgParam } from './codec.ts';
import { createTablesPool } from './pool.ts';
import { needsPrepass, prepass } from './where-prepass.ts';
import { type PgCondition, PgEmitter } from './where-sql.ts';
import { describeDatabase, whileConnected } from './unavailable.ts';

export interface PostgresTableStoreOptions {
  /** postgres://… (CLOUDFN_DATABASE_URL); `options=-c search_path=…` selects a schema. */
  url: string;
  /** Connections at most (default 10). */
  poolSize?: number;
  /** Unix seconds; injectable for tests. */
  now?: () => number;
  /** 24 hex characters; injectable for tests. */
  newId?: () => string;
}

type Row = Record<string, unknown>;
type Db = Pick<pg.PoolClient, 'query'>;
type Bounds = { limit?: number; offset?: number };

// The second key space of pg_advisory_xact_lock(int, int): integer ids of one table.
const ID_LOCK = 2;
// PostgreSQL's SQLSTATEs for a table or column that is not there (another process dropped or
// has not yet shown us it), and for a unique index refusing a write.
const STALE_SCHEMA = new Set(['42P01', '42703']);
const UNIQUE_VIOLATION = '23505';
// A statement carries at most 65535 parameters.
const MAX_PARAMS = 65_535;

function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A UNIQUE index refused the write (the user table's openid and unionid). */
function uniqueViolation(err: unknown, table: string): TableError | undefined {
  if (pgCode(err) !== UNIQUE_VIOLATION) return undefined;
  const constraint = String((err as { constraint?: unknown }).constraint ?? '');
  const field = /^ix\d+_(\w+)_unique$/.exec(constraint)?.[1] ?? 'id';
  return new TableError(
    'E_TABLE_UNIQUE',
    `Another record of table '${table}' already has this ${field}.`,
    { table, field },
  );
}

function aclParam(list: string[] | null | undefined): string | null {
  return list === null || list === undefined ? null : JSON.stringify(list);
}

function aclOf(stored: unknown): string[] | null {
  return stored === null || stored === undefined
    ? null
    : (parseJsonb(stored as string) as string[]);
}

export class PostgresTableStore implements TableStore {
  private readonly pool: pg.Pool;
  /** Host, port and database, for E_DATABASE_UNAVAILABLE's message (no credentials). */
  private readonly where: string;
  private readonly catalog: PostgresCatalog;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly listeners = new Set<(change: TableChange) => void>();

  private constructor(options: PostgresTableStoreOptions) {
    this.pool = createTablesPool({ url: options.url, max: options.poolSize });
    this.where = describeDatabase(options.url);
    this.catalog = new PostgresCatalog(this.pool);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.newId = options.newId ?? defaultNewId;
  }

  /** Connects and creates the catalog tables when missing. */
  static async open(options: PostgresTableStoreOptions): Promise<PostgresTableStore> {
    const store = new PostgresTableStore(options);
    try {
      await store.guarded(() => store.catalog.init());
    } catch (err) {
      await store.pool.end().catch(() => {});
      throw err;
    }
    return store;
  }

  // ---- tables ------------------------------------------------------------------------

  createTable(def: { name: string; fields: FieldDef[] }): Promise<TableSchema> {
    return this.guarded(async () => {
      const name = checkTableName((def as { name?: unknown } | null)?.name);
      const fields = checkFieldDefs((def as { fields?: unknown }).fields ?? []);
      const id = await this.catalog.schemaChange((db) =>
        this.catalog.create(db, name, fields, this.now()),
      );
      return (await this.catalog.resolve(id)).schema;
    });
  }

  listTables(): Promise<TableSchema[]> {
    return this.guarded(() => this.catalog.list());
  }

  getTable(idOrName: string | number): Promise<TableSchema> {
    return this.guarded(async () => (await this.catalog.resolve(idOrName)).schema);
  }

  dropTable(idOrName: string | number): Promise<void> {
    return this.guarded(async () => {
      await this.catalog.resolve(idOrName); // a built-in table is made outside the lock held below
      await this.catalog.schemaChange(async (db) =>
        this.catalog.drop(db, await this.catalog.resolve(idOrName, db)),
      );
    });
  }

  addFields(idOrName: string | number, fields: FieldDef[]): Promise<TableSchema> {
    return this.guarded(async () => {
      // A built-in table is made on first use under the schema lock: before taking it here.
      await this.catalog.resolve(idOrName);
      const id = await this.catalog.schemaChange(async (db) => {
        const info = await this.catalog.resolve(idOrName, db);
        const added = checkFieldDefs(fields, info.schema.fields);
        if (added.length > 0) await this.catalog.addFields(db, info, added, this.now());
        return info.schema.id;
      });
      return (await this.catalog.resolve(id)).schema;
    });
  }

  // ---- records: writes ---------------------------------------------------------------

  createRecord(
    table: string | number,
    data: RecordData,
    options: WriteOptions = {},
  ): Promise<StoredRecord> {
    return this.write(table, async (db, changes, info) => {
      const [record] = await this.insert(db, info, [data], options, false);
      changes.push(this.change(info, 'create', null, record!));
      return record!;
    });
  }

  async createMany(
    table: string | number,
    items: RecordData[],
    options: WriteOptions = {},
  ): Promise<BulkResult> {
    if (!Array.isArray(items))
      throw new TableError('E_TABLE_BAD_ARGS', 'createMany takes an array of records.');
    if (items.length > MAX_LIMIT) {
      throw new TableError(
        'E_TABLE_TOO_MANY_RECORDS',
        `createMany takes at most ${MAX_LIMIT} records (got ${items.length}).`,
      );
    }
    return this.write(table, async (db, changes, info) => {
      const records = await this.insert(db, info, items, options, true);
      const results = records.map((record) => {
        changes.push(this.change(info, 'create', null, record));
        return { success: { id: record.id, created_at: record.created_at } };
      });
      return { succeed: results.length, total_count: results.length, operation_result: results };
    });
  }

  updateRecord(
    table: string | number,
    id: string | number,
    update: UpdateDoc,
  ): Promise<StoredRecord> {
    return this.write(table, async (db, changes, info) => {
      const row = await this.rowById(db, info, id, true);
      if (!row) throw recordNotFound(info.schema.name, String(id));
      const before = this.decode(info, row);
      const after = await this.applyToRow(db, info, row, before, update);
      changes.push(this.change(info, 'update', before, after));
      return after;
    });
  }

  updateWhere(
    table: string | number,
    where: Where,
    update: UpdateDoc,
    options: Bounds = {},
  ): Promise<BulkResult> {
    return this.write(table, async (db, changes, info) => {
      const { rows, total, limit, offset } = await this.selectForBulk(db, info, where, options);
      const results: BulkResult['operation_result'] = [];
      for (const [index, row] of rows.entries()) {
        const before = this.decode(info, row);
        const after = await this.applyToRow(db, info, row, before, update, index);
        changes.push(this.change(info, 'update', before, after));
        results.push({ success: { id: after.id, updated_at: after.updated_at } });
      }
      return bulkResult(results, total, limit, offset);
    });
  }

  deleteRecord(table: string | number, id: string | number): Promise<void> {
    return this.write(table, async (db, changes, info) => {
      const key = storedId(info, id);
      const { rows } =
        key === undefined
          ? { rows: [] }
          : await db.query<Row>(`DELETE FROM ${info.ident} AS r WHERE r."id" = $1 RETURNING r.*`, [
              key,
            ]);
      if (!rows[0]) throw recordNotFound(info.schema.name, String(id));
      changes.push(this.change(info, 'delete', this.decode(info, rows[0]), null));
    });
  }

  deleteWhere(table: string | number, where: Where, options: Bounds = {}): Promise<BulkResult> {
    return this.write(table, async (db, changes, info) => {
      const { rows, total, limit, offset } = await this.selectForBulk(db, info, where, options);
      if (rows.length > 0)
        await db.query(`DELETE FROM ${info.ident} WHERE "_seq" = ANY($1::bigint[])`, [
          rows.map((row) => String(row._seq)),
        ]);
      const results = rows.map((row) => {
        const before = this.decode(info, row);
        changes.push(this.change(info, 'delete', before, null));
        return { success: { id: before.id } };
      });
      return bulkResult(results, total, limit, offset);
    });
  }

  // ---- records: reads ----------------------------------------------------------------

  getRecord(
    table: string | number,
    id: string | number,
    options: { keys?: string[]; expand?: string[] } = {},
  ): Promise<StoredRecord> {
    return this.read(async () => {
      const info = await this.catalog.resolve(table);
      const split = splitSubKeys(options.keys, (f) => expandable(info, f));
      const keys = resolveKeys(split.keys, info.allNames);
      const row = await this.rowById(this.pool, info, id, false);
      if (!row) throw recordNotFound(info.schema.name, String(id));
      const [record] = await this.expand(info, [this.decode(info, row, keys)], options.expand);
      return pickSubKeys([record!], split.sub)[0]!;
    });
  }

  find(table: string | number, options: FindOptions = {}): Promise<ListResult> {
    return this.read(async () => {
      const info = await this.catalog.resolve(table);
      const limit = resolveLimit(options.limit);
      const offset = resolveOffset(options.offset);
      const split = splitSubKeys(options.keys, (f) => expandable(info, f));
      const keys = resolveKeys(split.keys, info.allNames);
      const parsed = parseWhere(options.where, info.queryFields);
      const terms = parseOrderBy(options.orderBy, info.queryFields);
      const where = await this.condition(this.pool, info, parsed);
      const select = new PgEmitter();
      const cond = select.emit(where);
      // withinRegion sorts near to far (MinCloud's geo.md) unless the caller orders.
      const order =
        parsed.nearest !== undefined && terms.length === 0
          ? `${select.distance(parsed.nearest.target, parsed.nearest.center)} ASC NULLS FIRST, r."_seq" ASC`
          : [
              ...terms.map((t) => `${t.column} ${t.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`),
              'r."_seq" ASC',
            ].join(', ');
      // One row more than asked tells whether a next page exists without a COUNT.
      const sql = `SELECT r.* FROM ${info.ident} AS r WHERE ${cond} ORDER BY ${order} LIMIT ${select.param(limit + 1, 'bigint')} OFFSET ${select.param(offset, 'bigint')}`;
      const [page, total] = await Promise.all([
        this.pool.query<Row>(sql, select.params),
        options.withCount === false ? undefined : this.countWhere(this.pool, info, where),
      ]);
      const rows = page.rows;
      const hasNext = rows.length > limit;
      const objects = pickSubKeys(
        await this.expand(
          info,
          rows.slice(0, limit).map((row) => this.decode(info, row, keys)),
          options.expand,
        ),
        split.sub,
      );
      const meta: ListResult['meta'] = {
        limit,
        offset,
        next: hasNext ? `?limit=${limit}&offset=${offset + limit}` : null,
        previous: offset > 0 ? `?limit=${limit}&offset=${Math.max(0, offset - limit)}` : null,
      };
      if (total !== undefined) meta.total_count = total;
      return { meta, objects };
    });
  }

  count(table: string | number, where?: Where): Promise<number> {
    return this.read(async () => {
      const info = await this.catalog.resolve(table);
      const parsed = parseWhere(where, info.queryFields);
      return this.countWhere(this.pool, info, await this.condition(this.pool, info, parsed));
    });
  }

  scan(
    table: string | number,
    options: { after?: string; limit?: number } = {},
  ): Promise<ScanPage> {
    return this.read(async () => {
      const info = await this.catalog.resolve(table);
      const after = resolveScanCursor(options.after);
      const limit = resolveLimit(options.limit, MAX_LIMIT);
      // One row more than asked tells whether a next page exists.
      const { rows } = await this.pool.query<Row>(
        `SELECT r.* FROM ${info.ident} AS r WHERE r."_seq" > $1::bigint ORDER BY r."_seq" LIMIT $2::bigint`,
        [after, limit + 1],
      );
      const page = rows.slice(0, limit);
      return {
        objects: page.map((row) => this.decode(info, row)),
        next: rows.length > limit ? String(page.at(-1)!._seq) : null,
      };
    });
  }

  onChange(listener: (change: TableChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.pool.end();
  }

  // ---- internals ---------------------------------------------------------------------

  /**
   * A write to one table: one transaction; change events after it commits. The table is
   * resolved first outside it: a built-in table made on first use needs a connection of its
   * own, which a pool full of waiting transactions could never give.
   */
  private async write<T>(
    table: string | number,
    fn: (db: Db, changes: TableChange[], info: TableInfo) => Promise<T>,
  ): Promise<T> {
    const changes: TableChange[] = [];
    const result = await this.retryOnStaleSchema(async () => {
      changes.length = 0;
      await this.catalog.resolve(table);
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const value = await fn(client, changes, await this.catalog.resolve(table, client));
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        // A connection that could not even roll back is dropped, not handed out again.
        client.release(broken);
      }
    });
    this.emit(changes);
    return result;
  }

  private read<T>(fn: () => Promise<T>): Promise<T> {
    return this.retryOnStaleSchema(fn);
  }

  /**
   * Another process changed a schema under our cache: refresh and try once more. A refused
   * or lost connection is E_DATABASE_UNAVAILABLE.
   */
  private retryOnStaleSchema<T>(fn: () => Promise<T>): Promise<T> {
    return this.guarded(async () => {
      try {
        return await fn();
      } catch (err) {
        if (!STALE_SCHEMA.has(pgCode(err) ?? '')) throw err;
        this.catalog.invalidate();
        return fn();
      }
    });
  }

  /** Every public method runs through here: a refused or lost connection is 503. */
  private guarded<T>(fn: () => Promise<T>): Promise<T> {
    return whileConnected(this.where, fn);
  }

  private emit(changes: TableChange[]): void {
    for (const change of changes) {
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          // The write is committed; a listener's failure must not turn it into an error.
        }
      }
    }
  }

  private change(
    info: TableInfo,
    event: TableChange['event'],
    before: StoredRecord | null,
    after: StoredRecord | null,
  ): TableChange {
    return { table: { id: info.schema.id, name: info.schema.name }, event, before, after };
  }

  /** The where as SQL pieces: its JavaScript-answered leaves asked first, when it has any. */
  private async condition(db: Db, info: TableInfo, parsed: ParsedWhere): Promise<PgCondition> {
    if (!needsPrepass(parsed.condition)) return parsed.condition as PgCondition;
    return prepass(parsed.condition, info.ident, async (sql, params) => {
      const { rows } = await db.query<Row>(sql, params);
      return rows;
    });
  }

  private async countWhere(db: Db, info: TableInfo, where: PgCondition): Promise<number> {
    const emitter = new PgEmitter();
    const sql = emitter.emit(where);
    const { rows } = await db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${info.ident} AS r WHERE ${sql}`,
      emitter.params,
    );
    return rows[0]!.n;
  }

  private async rowById(
    db: Db,
    info: TableInfo,
    id: string | number,
    forUpdate: boolean,
  ): Promise<Row | undefined> {
    const key = storedId(info, id);
    if (key === undefined) return undefined;
    const { rows } = await db.query<Row>(
      `SELECT r.* FROM ${info.ident} AS r WHERE r."id" = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [key],
    );
    return rows[0];
  }

  /** Checks and inserts records (one multi-row INSERT per chunk); answers them in order. */
  private async insert(
    db: Db,
    info: TableInfo,
    items: RecordData[],
    options: WriteOptions,
    bulk: boolean,
  ): Promise<StoredRecord[]> {
    const now = this.now();
    const checked = items.map((data, i) => {
      const given = options.keepIds ? givenId(info, data) : undefined;
      const applied = applyUpdate(info.fields, null, given ? given.rest : data);
      if (given?.issue) applied.issues.unshift(given.issue);
      if (applied.issues.length > 0)
        throw invalidRecordError(info.schema.name, applied.issues, bulk ? i : undefined);
      return { given, applied };
    });
    if (checked.length === 0) return [];
    // User ids count up from 1: MAX + 1 under a lock per table (the transaction holds it).
    let nextId = 0;
    if (info.integerIds) {
      await db.query('SELECT pg_advisory_xact_lock($1, $2)', [ID_LOCK, info.schema.id]);
      const { rows } = await db.query<{ n: number }>(
        `SELECT COALESCE(MAX("id"), 0) + 1 AS n FROM ${info.ident}`,
      );
      nextId = rows[0]!.n;
    }
    const fieldNames = [...info.fields.keys()];
    const cols = [
      'id',
      'created_at',
      'updated_at',
      'created_by',
      'read_perm',
      'write_perm',
      ...fieldNames,
    ];
    const records: StoredRecord[] = [];
    const rows: PgParam[][] = [];
    for (const { given, applied } of checked) {
      let id: string | number;
      if (given?.id !== undefined) {
        id = given.id;
        if (typeof id === 'number') nextId = Math.max(nextId, id + 1);
      } else id = info.integerIds ? nextId++ : this.newId();
      const by =
        applied.createdBy !== undefined
          ? applied.createdBy
          : info.schema.name === USER_TABLE
            ? (id as number)
            : (options.createdBy ?? null);
      const acl = {
        read_perm: applied.acl?.read_perm ?? null,
        write_perm: applied.acl?.write_perm ?? null,
      };
      const row: PgParam[] = [id, now, now, by, aclParam(acl.read_perm), aclParam(acl.write_perm)];
      for (const name of fieldNames)
        row.push(encodePg(info.fields.get(name)!.type, applied.values.get(name) ?? null));
      rows.push(row);
      records.push(assemble(info, id, now, now, by, applied.values, acl));
    }
    const perChunk = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
    for (let start = 0; start < rows.length; start += perChunk) {
      const chunk = rows.slice(start, start + perChunk);
      const params: PgParam[] = [];
      const tuples = chunk.map((row) => {
        const marks = row.map((value) => {
          params.push(value);
          return `$${params.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      try {
        await db.query(
          `INSERT INTO ${info.ident} (${cols.map(quoteIdent).join(', ')}) VALUES ${tuples.join(', ')}`,
          params,
        );
      } catch (err) {
        throw uniqueViolation(err, info.schema.name) ?? err;
      }
    }
    return records;
  }

  private async applyToRow(
    db: Db,
    info: TableInfo,
    row: Row,
    before: StoredRecord,
    update: UpdateDoc,
    index?: number,
  ): Promise<StoredRecord> {
    const applied = applyUpdate(info.fields, before, update);
    if (applied.issues.length > 0)
      throw invalidRecordError(info.schema.name, applied.issues, index);
    const now = this.now();
    const params: PgParam[] = [now];
    const sets = ['"updated_at" = $1'];
    const set = (column: string, value: PgParam) => {
      params.push(value);
      sets.push(`${quoteIdent(column)} = $${params.length}`);
    };
    for (const [name, value] of applied.values)
      set(name, encodePg(info.fields.get(name)!.type, value));
    if (applied.createdBy !== undefined) set('created_by', applied.createdBy);
    const acl = { read_perm: before.read_perm ?? null, write_perm: before.write_perm ?? null };
    for (const key of ['read_perm', 'write_perm'] as const) {
      const next = applied.acl?.[key];
      if (next === undefined) continue;
      set(key, aclParam(next));
      acl[key] = next;
    }
    params.push(row._seq as number);
    try {
      await db.query(
        `UPDATE ${info.ident} SET ${sets.join(', ')} WHERE "_seq" = $${params.length}`,
        params,
      );
    } catch (err) {
      throw uniqueViolation(err, info.schema.name) ?? err;
    }
    const values: RecordCols = new Map();
    for (const f of info.fields.values())
      values.set(f.name, applied.values.has(f.name) ? applied.values.get(f.name) : before[f.name]);
    const by = applied.createdBy !== undefined ? applied.createdBy : before.created_by;
    return assemble(info, before.id, before.created_at, now, by, values, acl);
  }

  /** The records a bulk write touches, locked, in insertion order; and how many match in all. */
  private async selectForBulk(db: Db, info: TableInfo, where: Where, options: Bounds) {
    // MinCloud's bulk operations touch at most 1000 records per call (its default too).
    const limit = resolveLimit(options.limit, MAX_LIMIT);
    const offset = resolveOffset(options.offset);
    if (where === undefined || where === null || typeof where !== 'object')
      throw badOptions('A bulk update or delete needs a where query.');
    const parsed = parseWhere(where, info.queryFields);
    const condition = await this.condition(db, info, parsed);
    const total = await this.countWhere(db, info, condition);
    const emitter = new PgEmitter();
    const cond = emitter.emit(condition);
    const { rows } = await db.query<Row>(
      `SELECT r.* FROM ${info.ident} AS r WHERE ${cond} ORDER BY r."_seq" LIMIT ${emitter.param(limit, 'bigint')} OFFSET ${emitter.param(offset, 'bigint')} FOR UPDATE`,
      emitter.params,
    );
    return { rows, total, limit, offset };
  }

  /**
   * MinCloud's expand (select-and-expand.md): each pointer named becomes the whole record it
   * points at, with `_table`; a pointer whose record is gone stays `{id, _table}`.
   */
  private async expand(
    info: TableInfo,
    records: StoredRecord[],
    names: readonly string[] | undefined,
  ): Promise<StoredRecord[]> {
    if (!names || names.length === 0) return records;
    for (const name of names) {
      const def = info.fields.get(name);
      if (def?.type === 'pointer' && def.to !== undefined) await this.expandPointer(def, records);
    }
    return this.expandCreatedBy(records, names);
  }

  private async expandPointer(def: FieldDef, records: StoredRecord[]): Promise<void> {
    const ids = new Set<string>();
    for (const r of records) {
      const p = r[def.name] as { id?: string | number } | null | undefined;
      if (p?.id !== undefined) ids.add(String(p.id));
    }
    if (ids.size === 0) return;
    let target: TableInfo;
    try {
      target = await this.catalog.resolve(def.to!);
    } catch {
      return; // the table pointed at was dropped: the pointers stay as they are
    }
    const { rows } = await this.pool.query<Row>(
      `SELECT r.* FROM ${target.ident} AS r WHERE r."id"::text = ANY($1::text[])`,
      [[...ids]],
    );
    const found = new Map<string, StoredRecord>();
    for (const row of rows) found.set(String(row.id), this.decode(target, row));
    for (const r of records) {
      const p = r[def.name] as { id?: string | number } | null | undefined;
      const hit = p?.id === undefined ? undefined : found.get(String(p.id));
      if (hit) (r as Record<string, unknown>)[def.name] = { ...hit, _table: target.schema.name };
    }
  }

  /** `expand('created_by')`: each user id becomes the user `{id, nickname, avatar}`. */
  private async expandCreatedBy(
    records: StoredRecord[],
    names: readonly string[],
  ): Promise<StoredRecord[]> {
    if (!names.includes('created_by')) return records;
    const ids = [
      ...new Set(
        records.map((r) => r.created_by).filter((v): v is number => typeof v === 'number'),
      ),
    ];
    if (ids.length === 0) return records;
    const users = await this.catalog.resolve(USER_TABLE);
    const { rows } = await this.pool.query<Row>(
      `SELECT "id", "nickname", "avatar" FROM ${users.ident} WHERE "id" = ANY($1::bigint[])`,
      [ids.map(String)],
    );
    const found = new Map<number, Record<string, unknown>>();
    for (const row of rows)
      found.set(row.id as number, {
        id: row.id,
        nickname: decodePg('string', row.nickname),
        avatar: decodePg('string', row.avatar),
      });
    for (const record of records) {
      const user = typeof record.created_by === 'number' ? found.get(record.created_by) : undefined;
      if (user) (record as Record<string, unknown>).created_by = { ...user };
    }
    return records;
  }

  private decode(info: TableInfo, row: Row, keys?: readonly string[]): StoredRecord {
    const values: RecordCols = new Map();
    for (const f of info.fields.values())
      values.set(
        f.name,
        f.type === 'pointer'
          ? pointerOf(f, decodePg('pointer', row[f.name]))
          : decodePg(f.type, row[f.name]),
      );
    const id = info.integerIds ? (row.id as number) : decodePg('string', row.id);
    const record = assemble(
      info,
      id as string | number,
      row.created_at as number,
      row.updated_at as number,
      (row.created_by as number | null) ?? null,
      values,
      { read_perm: aclOf(row.read_perm), write_perm: aclOf(row.write_perm) },
    );
    return pickKeys(record, keys);
  }
}
