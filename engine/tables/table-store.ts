/**
 * The TableStore port: user data tables with MinCloud's semantics (SPEC §5, issue 5).
 *
 * The port is asynchronous (a network database answers later): the REST routes, table
 * actions and the main process use it. SQLite answers synchronously, and the executor's
 * bridge keeps that fast path (a guest's table call answered inside the same isolate call,
 * ≈ µs): SqliteTableStore implements SyncTableStore, and asyncTableStore() (async-adapter.ts)
 * turns it into the port. Both shapes come from one declaration, so they cannot drift.
 *
 * Every implementation must pass test/contract/table-store.contract.ts.
 */

export type FieldType =
  'string' | 'integer' | 'number' | 'boolean' | 'date' | 'array' | 'object' | 'pointer' | 'geojson';

export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  default?: unknown;
  /** Element type of an `array` field; without it elements may be any JSON value. */
  items?: FieldType;
  /** For `string` fields; without it a string holds at least 64 KiB. */
  maxLength?: number;
  /** Keep an index on this field (system fields always have one). */
  index?: boolean;
  /** For `pointer` fields: the table pointed at (a table name, or `_userprofile`). */
  to?: string;
}

export interface TableSchema {
  id: number;
  name: string;
  fields: FieldDef[];
  created_at: number;
  updated_at: number;
}

/** MinCloud's wire format for queries: `{"field": {"$eq": 1}}`, `{"$and": [...]}`, … */
export type Where = Record<string, unknown>;

export type RecordData = Record<string, unknown>;

export interface StoredRecord extends RecordData {
  /** 24 hex characters; an integer in the user table (`_userprofile`). */
  id: string | number;
  created_at: number;
  updated_at: number;
  created_by: number | null;
  /** MinCloud's ACL lists, present once set on the record. */
  read_perm?: string[];
  write_perm?: string[];
}

/**
 * An update document: `{field: value}` sets; operator objects do the rest, in MinCloud's
 * wire format (`$unset`, `$incr_by`, `$append`, `$append_unique`, `$remove`, `$pop: 1`
 * for pop and `$pop: -1` for shift, `$update` for patchObject); the SDK's own
 * `{$set: {...}, $unset: {...}}` is accepted too. A dotted key (`stats.visits`) reaches
 * into an object field. When one update carries several operations on the same field,
 * only the last one counts (MinCloud's rule). createRecord takes the same document.
 */
export type UpdateDoc = Record<string, unknown>;

export interface FindOptions {
  where?: Where;
  /** Default 20, at most 1000. */
  limit?: number;
  offset?: number;
  /** `['-created_at', 'name']`: a leading `-` sorts descending. */
  orderBy?: string[];
  /** `['a', 'b']` keeps only those fields (plus id); `['-a']` drops them. */
  keys?: string[];
  /** When false, `meta.total_count` is omitted (saves a COUNT). Default true. */
  withCount?: boolean;
  /** `['created_by']`: replace each user id with the user `{id, nickname, avatar}`. */
  expand?: string[];
}

export interface ListMeta {
  limit: number;
  offset: number;
  total_count?: number;
  next?: string | null;
  previous?: string | null;
}

export interface ListResult {
  meta: ListMeta;
  objects: StoredRecord[];
}

/** A page of a scan: records in insertion order, and the cursor of the next page. */
export interface ScanPage {
  objects: StoredRecord[];
  /** Give it as `after` for the next page; null after the last. */
  next: string | null;
}

/** MinCloud's bulk answer (createMany, update/delete by query). */
export interface BulkResult {
  succeed: number;
  total_count: number;
  offset?: number;
  limit?: number;
  next?: string | null;
  operation_result: Array<{
    success?: { id: string | number; created_at?: number; updated_at?: number };
    /** A record the bulk write skipped (a run for a user that may not write it: code 403). */
    error?: { code: number; err_msg: string };
  }>;
}

export interface TableChange {
  table: { id: number; name: string };
  event: 'create' | 'update' | 'delete';
  before: StoredRecord | null;
  after: StoredRecord | null;
}

export interface WriteOptions {
  /** The MinCloud user id the write is made for; null for engine and trigger writes. */
  createdBy?: number | null;
  /**
   * Creates only: take each record's `id` from its data (24 hex, an integer in the user
   * table) instead of drawing a new one, so an import of an export keeps its ids and a rerun
   * finds them. For the admin API's import path only; functions never set ids.
   */
  keepIds?: boolean;
}

/** A method's answer: a promise for the port, the value itself for a synchronous store. */
type Answer<T, Async extends boolean> = Async extends true ? Promise<T> : T;

/** The operations of a table store, answered synchronously or asynchronously. */
export interface TableStoreOf<Async extends boolean> {
  createTable(def: { name: string; fields: FieldDef[] }): Answer<TableSchema, Async>;
  listTables(): Answer<TableSchema[], Async>;
  /** By integer id (number or numeric string) or by name; throws 404 E_TABLE_NOT_FOUND. */
  getTable(idOrName: string | number): Answer<TableSchema, Async>;
  dropTable(idOrName: string | number): Answer<void, Async>;
  addFields(idOrName: string | number, fields: FieldDef[]): Answer<TableSchema, Async>;

  createRecord(
    table: string | number,
    data: RecordData,
    options?: WriteOptions,
  ): Answer<StoredRecord, Async>;
  /** All or nothing, up to 1000 items. */
  createMany(
    table: string | number,
    items: RecordData[],
    options?: WriteOptions,
  ): Answer<BulkResult, Async>;
  getRecord(
    table: string | number,
    id: string | number,
    options?: { keys?: string[]; expand?: string[] },
  ): Answer<StoredRecord, Async>;
  updateRecord(
    table: string | number,
    id: string | number,
    update: UpdateDoc,
  ): Answer<StoredRecord, Async>;
  /** Updates the records `where` matches, in insertion order; `limit` 1000 by default and at most. All or nothing. */
  updateWhere(
    table: string | number,
    where: Where,
    update: UpdateDoc,
    options?: { limit?: number; offset?: number },
  ): Answer<BulkResult, Async>;
  deleteRecord(table: string | number, id: string | number): Answer<void, Async>;
  /** Deletes the records `where` matches, in insertion order; `limit` 1000 by default and at most. */
  deleteWhere(
    table: string | number,
    where: Where,
    options?: { limit?: number; offset?: number },
  ): Answer<BulkResult, Async>;
  find(table: string | number, options?: FindOptions): Answer<ListResult, Async>;
  count(table: string | number, where?: Where): Answer<number, Async>;
  /**
   * Every record in insertion order, a page at a time (exports): the records after the
   * cursor `after` (none for the first page), at most `limit` (1000 by default). A page is a
   * range of the table's internal sequence, read through its index, so every page costs the
   * same however deep in the table, unlike `find`'s offsets. Records written while a scan
   * runs may or may not be in it; none is seen twice.
   */
  scan(
    table: string | number,
    options?: { after?: string; limit?: number },
  ): Answer<ScanPage, Async>;

  /** Called after each committed write, once per changed record (drives `table` triggers). */
  onChange(listener: (change: TableChange) => void): () => void;
  close(): Answer<void, Async>;
}

/** The port: every method answers with a promise. */
export type TableStore = TableStoreOf<true>;

/** A store that answers at once (SQLite): the executor's fast path calls it directly. */
export type SyncTableStore = TableStoreOf<false>;
