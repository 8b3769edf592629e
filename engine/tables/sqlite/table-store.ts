/**
 * The SQLite implementation of TableStore (WAL, busy_timeout, one transaction per write, or
 * one shared by the writes of quick runs in the executor: `holdingWritesOf`, `settleHeld`).
 * Records live in one STRICT table per user table; arrays and objects are JSON text.
 * The file is long-ish (one class, one job): the write paths share the row codec and the
 * change events, and splitting them would scatter the transaction logic.
 */
import Database, { type Statement } from 'better-sqlite3';
import { TableError, badOptions, invalidRecordError, recordNotFound } from '../errors.ts';
import {
  MAX_LIMIT,
  resolveKeys,
  splitSubKeys,
  resolveLimit,
  resolveOffset,
  resolveScanCursor,
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
import { compileOrderBy, compileWhere, type SqlValue } from './query.ts';
import { createRegexpFunction } from '../regex.ts';
import { registerGeoFunctions } from './geo-sql.ts';
import { checkFieldDefs, checkTableName } from '../schema.ts';
import { SqliteCatalog, type TableInfo } from './catalog.ts';
import { type LostWrites, SharedTransaction } from './shared-transaction.ts';
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
  SyncTableStore,
  UpdateDoc,
  Where,
  WriteOptions,
} from '../table-store.ts';
import { applyUpdate } from '../update-ops.ts';
import { pointerOf } from '../values.ts';
import { decodeValue, encodeValue } from './codec.ts';

export interface SqliteTableStoreOptions {
  /** The SQLite file (created when missing). */
  path: string;
  /** Unix seconds; injectable for tests. */
  now?: () => number;
  /** 24 hex characters; injectable for tests. */
  newId?: () => string;
  /** How long a write waits for another process's write lock (ms). */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

function aclText(list: string[] | null | undefined): string | null {
  return list === null || list === undefined ? null : JSON.stringify(list);
}

/** A UNIQUE index refused the write (the user table's openid and unionid). */
function uniqueViolation(err: unknown, table: string): TableError | undefined {
  if (!(err instanceof Database.SqliteError) || err.code !== 'SQLITE_CONSTRAINT_UNIQUE')
    return undefined;
  const field = /\.(\w+)$/.exec(err.message)?.[1] ?? 'id';
  return new TableError(
    'E_TABLE_UNIQUE',
    `Another record of table '${table}' already has this ${field}.`,
    { table, field },
  );
}
const STATEMENT_CACHE = 500;

export class SqliteTableStore implements SyncTableStore {
  private readonly db: Database.Database;
  private readonly catalog: SqliteCatalog;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly listeners = new Set<(change: TableChange) => void>();
  private readonly statements = new Map<string, Statement>();
  /** One transaction wrapper for all writes (creating one per call costs more than the write). */
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** The transaction held writes share (the executor's quick runs); see shared-transaction.ts. */
  private readonly shared: SharedTransaction;
  /** The run whose table call is being made with its writes held, while it is made. */
  private heldJob: string | undefined;

  constructor(options: SqliteTableStoreOptions) {
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    this.db.function('cf_regexp', { deterministic: true }, createRegexpFunction());
    registerGeoFunctions(this.db);
    this.catalog = new SqliteCatalog(this.db);
    this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
    this.shared = new SharedTransaction(this.db);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.newId = options.newId ?? defaultNewId;
  }

  // ---- tables ------------------------------------------------------------------------

  createTable(def: { name: string; fields: FieldDef[] }): TableSchema {
    const name = checkTableName((def as { name?: unknown } | null)?.name);
    const fields = checkFieldDefs((def as { fields?: unknown }).fields ?? []);
    return this.schemaWrite(() => this.catalog.create(name, fields, this.now()).schema);
  }

  listTables(): TableSchema[] {
    this.catalog.refresh();
    return this.catalog.list();
  }

  getTable(idOrName: string | number): TableSchema {
    return this.catalog.resolve(idOrName).schema;
  }

  dropTable(idOrName: string | number): void {
    this.schemaWrite(() => this.catalog.drop(this.catalog.resolve(idOrName)));
  }

  addFields(idOrName: string | number, fields: FieldDef[]): TableSchema {
    return this.schemaWrite(() => {
      const info = this.catalog.resolve(idOrName);
      const added = checkFieldDefs(fields, info.schema.fields);
      if (added.length === 0) return info.schema;
      return this.catalog.addFields(info, added, this.now()).schema;
    });
  }

  // ---- records: writes ---------------------------------------------------------------

  createRecord(table: string | number, data: RecordData, options: WriteOptions = {}): StoredRecord {
    return this.write((changes) => {
      const info = this.catalog.resolve(table);
      const record = this.insert(info, data, options);
      changes.push(this.change(info, 'create', null, record));
      return record;
    });
  }

  createMany(table: string | number, items: RecordData[], options: WriteOptions = {}): BulkResult {
    if (!Array.isArray(items))
      throw new TableError('E_TABLE_BAD_ARGS', 'createMany takes an array of records.');
    if (items.length > MAX_LIMIT) {
      throw new TableError(
        'E_TABLE_TOO_MANY_RECORDS',
        `createMany takes at most ${MAX_LIMIT} records (got ${items.length}).`,
      );
    }
    return this.write((changes) => {
      const info = this.catalog.resolve(table);
      const results = items.map((item, index) => {
        const record = this.insert(info, item, options, index);
        changes.push(this.change(info, 'create', null, record));
        return { success: { id: record.id, created_at: record.created_at } };
      });
      return { succeed: results.length, total_count: results.length, operation_result: results };
    });
  }

  updateRecord(table: string | number, id: string | number, update: UpdateDoc): StoredRecord {
    return this.write((changes) => {
      const info = this.catalog.resolve(table);
      const row = this.rowById(info, id);
      if (!row) throw recordNotFound(info.schema.name, String(id));
      const before = this.decode(info, row);
      const after = this.applyToRow(info, row, before, update);
      changes.push(this.change(info, 'update', before, after));
      return after;
    });
  }

  updateWhere(
    table: string | number,
    where: Where,
    update: UpdateDoc,
    options: { limit?: number; offset?: number } = {},
  ): BulkResult {
    return this.write((changes) => {
      const info = this.catalog.resolve(table);
      const { rows, total, limit, offset } = this.selectForBulk(info, where, options);
      const results = rows.map((row, index) => {
        const before = this.decode(info, row);
        const after = this.applyToRow(info, row, before, update, index);
        changes.push(this.change(info, 'update', before, after));
        return { success: { id: after.id, updated_at: after.updated_at } };
      });
      return bulkResult(results, total, limit, offset);
    });
  }

  deleteRecord(table: string | number, id: string | number): void {
    this.write((changes) => {
      const info = this.catalog.resolve(table);
      const row = this.rowById(info, id);
      if (!row) throw recordNotFound(info.schema.name, String(id));
      this.stmt(`DELETE FROM ${info.ident} WHERE "_seq" = ?`).run(row._seq as number);
      changes.push(this.change(info, 'delete', this.decode(info, row), null));
    });
  }

  deleteWhere(
    table: string | number,
    where: Where,
    options: { limit?: number; offset?: number } = {},
  ): BulkResult {
    return this.write((changes) => {
      const info = this.catalog.resolve(table);
      const { rows, total, limit, offset } = this.selectForBulk(info, where, options);
      const del = this.stmt(`DELETE FROM ${info.ident} WHERE "_seq" = ?`);
      const results = rows.map((row) => {
        del.run(row._seq as number);
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
  ): StoredRecord {
    return this.read(() => {
      const info = this.catalog.resolve(table);
      const split = splitSubKeys(options.keys, (f) => expandable(info, f));
      const keys = resolveKeys(split.keys, info.allNames);
      const row = this.rowById(info, id);
      if (!row) throw recordNotFound(info.schema.name, String(id));
      const [record] = this.expand(info, [this.decode(info, row, keys)], options.expand);
      return pickSubKeys([record!], split.sub)[0]!;
    });
  }

  find(table: string | number, options: FindOptions = {}): ListResult {
    return this.read(() => {
      const info = this.catalog.resolve(table);
      const limit = resolveLimit(options.limit);
      const offset = resolveOffset(options.offset);
      const split = splitSubKeys(options.keys, (f) => expandable(info, f));
      const keys = resolveKeys(split.keys, info.allNames);
      const where = compileWhere(options.where, info.queryFields);
      // withinRegion sorts near to far (MinCloud's geo.md) unless the caller orders.
      const nearest = where.order !== undefined && !options.orderBy?.length;
      const order = nearest
        ? `ORDER BY ${where.order!.sql} ASC, r."_seq" ASC`
        : compileOrderBy(options.orderBy, info.queryFields);
      const orderParams = nearest ? where.order!.params : [];
      // One row more than asked tells whether a next page exists without a COUNT.
      const rows = this.stmt(
        `SELECT r.* FROM ${info.ident} AS r WHERE ${where.sql} ${order} LIMIT ? OFFSET ?`,
      ).all(...where.params, ...orderParams, limit + 1, offset) as Row[];
      const hasNext = rows.length > limit;
      const objects = pickSubKeys(
        this.expand(
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
      if (options.withCount !== false)
        meta.total_count = this.countWhere(info, where.sql, where.params);
      return { meta, objects };
    });
  }

  count(table: string | number, where?: Where): number {
    return this.read(() => {
      const info = this.catalog.resolve(table);
      const compiled = compileWhere(where, info.queryFields);
      return this.countWhere(info, compiled.sql, compiled.params);
    });
  }

  scan(table: string | number, options: { after?: string; limit?: number } = {}): ScanPage {
    return this.read(() => {
      const info = this.catalog.resolve(table);
      const after = resolveScanCursor(options.after);
      const limit = resolveLimit(options.limit, MAX_LIMIT);
      // One row more than asked tells whether a next page exists.
      const rows = this.stmt(
        `SELECT r.* FROM ${info.ident} AS r WHERE r."_seq" > ? ORDER BY r."_seq" LIMIT ?`,
      ).all(after, limit + 1) as Row[];
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

  // ---- held writes (the executor's quick runs) ------------------------------------------

  /**
   * Makes `fn` (one table call of run `jobId`) with its writes in the shared transaction: they
   * are visible to this connection at once and to others, with their change events, once
   * `settleHeld` commits them. Any call made without it commits what is held first, so it
   * never reads, or writes after, what is not committed.
   */
  holdingWritesOf<T>(jobId: string, fn: () => T): T {
    const outer = this.heldJob;
    this.heldJob = jobId;
    try {
      return fn();
    } finally {
      this.heldJob = outer;
    }
  }

  /** performance.now() when the held writes began; undefined when none are held. */
  get heldSince(): number | undefined {
    return this.shared.since;
  }

  /**
   * Commits the held writes and announces their changes. Returns the runs whose held writes
   * were lost since the last call (a commit that failed, here or before a call made without
   * holding, or a transaction SQLite rolled back): none of them may be reported as succeeded.
   */
  settleHeld(): LostWrites[] {
    this.commitHeld();
    return this.shared.takeLost();
  }

  close(): void {
    this.commitHeld();
    this.listeners.clear();
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  // ---- internals ---------------------------------------------------------------------

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= STATEMENT_CACHE)
        this.statements.delete(this.statements.keys().next().value!);
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A write: one IMMEDIATE transaction (so read-modify-write is atomic across processes); events after commit. */
  private write<T>(fn: (changes: TableChange[]) => T): T {
    if (this.heldJob !== undefined) return this.heldWrite(this.heldJob, fn);
    this.commitHeld();
    const changes: TableChange[] = [];
    const result = this.retryOnStaleSchema(() => {
      changes.length = 0;
      return this.inTransaction.immediate(() => fn(changes)) as T;
    });
    this.emit(changes);
    return result;
  }

  /**
   * A held write: a savepoint in the shared transaction (opened first when none is), so a
   * write that fails is undone alone; its events wait for the commit.
   */
  private heldWrite<T>(jobId: string, fn: (changes: TableChange[]) => T): T {
    const changes: TableChange[] = [];
    try {
      const result = this.retryOnStaleSchema(() => {
        changes.length = 0;
        this.shared.join(jobId);
        return this.inTransaction(() => fn(changes)) as T;
      });
      this.shared.hold(changes);
      return result;
    } catch (err) {
      this.shared.afterFailure(err);
      throw err;
    }
  }

  private commitHeld(): void {
    if (this.shared.isOpen) this.emit(this.shared.commit());
  }

  private schemaWrite<T>(fn: () => T): T {
    this.commitHeld();
    try {
      return this.inTransaction.immediate(fn) as T;
    } catch (err) {
      this.catalog.invalidate(); // the rolled-back DDL may have been cached
      this.statements.clear();
      throw err;
    }
  }

  private read<T>(fn: () => T): T {
    if (this.heldJob !== undefined) this.shared.saw(this.heldJob);
    else this.commitHeld();
    return this.retryOnStaleSchema(fn);
  }

  /**
   * Another process may change a schema between our freshness check and our statement;
   * SQLite then reports a missing table or column. Refresh and try once more.
   */
  private retryOnStaleSchema<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (
        !(err instanceof Database.SqliteError) ||
        !/no such (table|column)|has no column/.test(err.message)
      )
        throw err;
      this.catalog.invalidate();
      this.statements.clear();
      return fn();
    }
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

  private rowById(info: TableInfo, id: string | number): Row | undefined {
    const key = storedId(info, id);
    if (key === undefined) return undefined;
    return this.stmt(`SELECT r.* FROM ${info.ident} AS r WHERE r."id" = ?`).get(key) as
      Row | undefined;
  }

  private insert(
    info: TableInfo,
    data: RecordData,
    options: WriteOptions,
    index?: number,
  ): StoredRecord {
    const createdBy = options.createdBy ?? null;
    const given = options.keepIds ? givenId(info, data) : undefined;
    const applied = applyUpdate(info.fields, null, given ? given.rest : data);
    if (given?.issue) applied.issues.unshift(given.issue);
    if (applied.issues.length > 0)
      throw invalidRecordError(info.schema.name, applied.issues, index);
    const now = this.now();
    // User ids count up from 1 (the IMMEDIATE transaction makes MAX + 1 safe); a user's
    // record is created by that user, as MinCloud shows it.
    const id: string | number =
      given?.id ??
      (info.integerIds
        ? (this.stmt(`SELECT COALESCE(MAX("id"), 0) + 1 FROM ${info.ident}`)
            .pluck()
            .get() as number)
        : this.newId());
    const by =
      applied.createdBy !== undefined
        ? applied.createdBy
        : info.schema.name === USER_TABLE
          ? (id as number)
          : createdBy;
    const acl = {
      read_perm: applied.acl?.read_perm ?? null,
      write_perm: applied.acl?.write_perm ?? null,
    };
    const cols = [
      'id',
      'created_at',
      'updated_at',
      'created_by',
      'read_perm',
      'write_perm',
      ...applied.values.keys(),
    ];
    const params: SqlValue[] = [id, now, now, by, aclText(acl.read_perm), aclText(acl.write_perm)];
    for (const [name, value] of applied.values)
      params.push(encodeValue(info.fields.get(name)!.type, value));
    const sql = `INSERT INTO ${info.ident} (${cols.map(quoteIdent).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
    try {
      this.stmt(sql).run(...params);
    } catch (err) {
      throw uniqueViolation(err, info.schema.name) ?? err;
    }
    return assemble(info, id, now, now, by, applied.values, acl);
  }

  private applyToRow(
    info: TableInfo,
    row: Row,
    before: StoredRecord,
    update: UpdateDoc,
    index?: number,
  ): StoredRecord {
    const applied = applyUpdate(info.fields, before, update);
    if (applied.issues.length > 0)
      throw invalidRecordError(info.schema.name, applied.issues, index);
    const now = this.now();
    const sets = ['"updated_at" = ?'];
    const params: SqlValue[] = [now];
    for (const [name, value] of applied.values) {
      sets.push(`${quoteIdent(name)} = ?`);
      params.push(encodeValue(info.fields.get(name)!.type, value));
    }
    if (applied.createdBy !== undefined) {
      sets.push('"created_by" = ?');
      params.push(applied.createdBy);
    }
    const acl = { read_perm: before.read_perm ?? null, write_perm: before.write_perm ?? null };
    for (const key of ['read_perm', 'write_perm'] as const) {
      const next = applied.acl?.[key];
      if (next === undefined) continue;
      sets.push(`"${key}" = ?`);
      params.push(aclText(next));
      acl[key] = next;
    }
    try {
      this.stmt(`UPDATE ${info.ident} SET ${sets.join(', ')} WHERE "_seq" = ?`).run(
        ...params,
        row._seq as number,
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

  private selectForBulk(
    info: TableInfo,
    where: Where,
    options: { limit?: number; offset?: number },
  ) {
    // MinCloud's bulk operations touch at most 1000 records per call (its default too).
    const limit = resolveLimit(options.limit, MAX_LIMIT);
    const offset = resolveOffset(options.offset);
    if (where === undefined || where === null || typeof where !== 'object')
      throw badOptions('A bulk update or delete needs a where query.');
    const compiled = compileWhere(where, info.queryFields);
    const total = this.countWhere(info, compiled.sql, compiled.params);
    const rows = this.stmt(
      `SELECT r.* FROM ${info.ident} AS r WHERE ${compiled.sql} ORDER BY r."_seq" LIMIT ? OFFSET ?`,
    ).all(...compiled.params, limit, offset) as Row[];
    return { rows, total, limit, offset };
  }

  /**
   * MinCloud's expand (select-and-expand.md): each pointer named becomes the whole record it
   * points at, with `_table` (one query per field for the page); a pointer whose record is
   * gone stays `{id, _table}`. Names that are not pointers are ignored, as MinCloud does.
   */
  private expand(
    info: TableInfo,
    records: StoredRecord[],
    names: readonly string[] | undefined,
  ): StoredRecord[] {
    if (!names || names.length === 0) return records;
    for (const name of names) {
      const def = info.fields.get(name);
      if (def?.type === 'pointer' && def.to !== undefined) this.expandPointer(def, records);
    }
    return this.expandCreatedBy(records, names);
  }

  private expandPointer(def: FieldDef, records: StoredRecord[]): void {
    const ids = new Set<string | number>();
    for (const r of records) {
      const p = r[def.name] as { id?: string | number } | null | undefined;
      if (p?.id !== undefined) ids.add(p.id);
    }
    if (ids.size === 0) return;
    let target: TableInfo;
    try {
      target = this.catalog.resolve(def.to!);
    } catch {
      return; // the table pointed at was dropped: the pointers stay as they are
    }
    const found = new Map<string, StoredRecord>();
    for (const row of this.stmt(
      `SELECT r.* FROM ${target.ident} AS r WHERE r."id" IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify([...ids])) as Row[])
      found.set(String(row.id), this.decode(target, row));
    for (const r of records) {
      const p = r[def.name] as { id?: string | number } | null | undefined;
      const hit = p?.id === undefined ? undefined : found.get(String(p.id));
      if (hit) (r as Record<string, unknown>)[def.name] = { ...hit, _table: target.schema.name };
    }
  }

  /** `expand('created_by')`: each user id becomes the user `{id, nickname, avatar}`. */
  private expandCreatedBy(records: StoredRecord[], names: readonly string[]): StoredRecord[] {
    if (!names.includes('created_by')) return records;
    const ids = [
      ...new Set(
        records.map((r) => r.created_by).filter((v): v is number => typeof v === 'number'),
      ),
    ];
    if (ids.length === 0) return records;
    const users = this.catalog.resolve(USER_TABLE);
    const found = new Map<number, Record<string, unknown>>();
    for (const row of this.stmt(
      `SELECT "id", "nickname", "avatar" FROM ${users.ident} WHERE "id" IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids)) as Array<{ id: number; nickname: unknown; avatar: unknown }>)
      found.set(row.id, { id: row.id, nickname: row.nickname, avatar: row.avatar });
    for (const record of records) {
      const user = typeof record.created_by === 'number' ? found.get(record.created_by) : undefined;
      if (user) (record as Record<string, unknown>).created_by = { ...user };
    }
    return records;
  }

  private countWhere(info: TableInfo, sql: string, params: SqlValue[]): number {
    return this.stmt(`SELECT COUNT(*) FROM ${info.ident} AS r WHERE ${sql}`)
      .pluck()
      .get(...params) as number;
  }

  private decode(info: TableInfo, row: Row, keys?: readonly string[]): StoredRecord {
    const values: RecordCols = new Map();
    for (const f of info.fields.values())
      values.set(
        f.name,
        f.type === 'pointer' ? pointerOf(f, row[f.name]) : decodeValue(f.type, row[f.name]),
      );
    const record = assemble(
      info,
      row.id as string | number,
      row.created_at as number,
      row.updated_at as number,
      (row.created_by as number | null) ?? null,
      values,
      {
        read_perm: row.read_perm == null ? null : (JSON.parse(row.read_perm as string) as string[]),
        write_perm:
          row.write_perm == null ? null : (JSON.parse(row.write_perm as string) as string[]),
      },
    );
    return pickKeys(record, keys);
  }
}
