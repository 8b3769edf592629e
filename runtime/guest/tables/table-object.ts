/**
 * MinCloud's TableObject: one data table, by id or name. Query settings (`setQuery`,
 * `select`, `limit`, …) are chainable and, as in MinCloud, reset after each operation
 * that uses them (find, count, get, getWithoutData(query), delete(query)).
 */
import type { Bridge, SdkResponse } from './bridge.ts';
import type { TableOpArgs } from './ops.ts';
import { badArgument } from './errors.ts';
import { cloneJson, isQuery, type Query } from './query.ts';
import { TableRecord } from './record.ts';

function nameList(value: unknown, method: string): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
    throw badArgument(`${method} takes a field name or an array of them`);
  return (list as string[]).map((x) => x.trim()).filter((x) => x !== '');
}

function isRecordId(value: unknown): value is string | number {
  return (typeof value === 'string' && value !== '') || Number.isInteger(value);
}

export class TableObjectImpl {
  _tableID: string | number;
  protected readonly bridge: Bridge;
  private where: Record<string, unknown> = {};
  private limitValue: number | null = null;
  private offsetValue = 0;
  private orderByValue: string[] | null = null;
  private keysValue: string[] | null = null;
  private expandValue: string[] | null = null;

  constructor(bridge: Bridge, tableID: unknown) {
    if (!(typeof tableID === 'string' && tableID !== '') && !Number.isInteger(tableID)) {
      throw badArgument('TableObject needs a table name or id');
    }
    this.bridge = bridge;
    this._tableID = tableID as string | number;
  }

  /** A new, empty record of this table; `save()` creates it. */
  create(): TableRecord {
    return new TableRecord(this.bridge, this._tableID, null);
  }

  /** Creates up to 1000 records, all or nothing: `{data: {succeed, total_count, operation_result}}`. */
  createMany(
    items: Array<Record<string, unknown>>,
    _options: { enableTrigger?: boolean } = {},
  ): Promise<SdkResponse> {
    if (!Array.isArray(items)) throw badArgument('createMany needs an array of records');
    const data = items.map((item) => {
      const record = new TableRecord(this.bridge, this._tableID, null);
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw badArgument('createMany needs an array of objects');
      record.set(item);
      return record._takeOps();
    });
    return this.bridge.request('table.createMany', { table: this._tableID, items: data }, 201);
  }

  /** Deletes one record by id, or the records of a query (up to `limit`, 1000 by default). */
  delete(
    idOrQuery: string | number | Query,
    _options: { enableTrigger?: boolean; withCount?: boolean } = {},
  ): Promise<SdkResponse> {
    if (isRecordId(idOrQuery)) {
      return this.bridge.request(
        'table.delete',
        { table: this._tableID, id: String(idOrQuery) },
        204,
        () => '',
      );
    }
    if (!isQuery(idOrQuery)) throw badArgument('delete takes a record id or a Query');
    const args = this.bulkArgs(idOrQuery);
    return this.bridge.request('table.deleteWhere', args, 200);
  }

  /** A record to update without fetching it: by id, or every record of a query. */
  getWithoutData(idOrQuery: string | number | Query): TableRecord {
    if (isRecordId(idOrQuery))
      return new TableRecord(this.bridge, this._tableID, String(idOrQuery));
    if (!isQuery(idOrQuery)) throw badArgument('getWithoutData takes a record id or a Query');
    const args = this.bulkArgs(idOrQuery);
    return new TableRecord(this.bridge, this._tableID, null, {
      where: args.where,
      limit: args.limit ?? null,
      offset: args.offset ?? 0,
    });
  }

  /** One record: `{data: record}`; a missing id rejects with status 404. */
  get(recordID: string | number): Promise<SdkResponse> {
    const args: TableOpArgs<'table.get'> = { table: this._tableID, id: String(recordID) };
    if (this.keysValue) args.keys = this.keysValue;
    if (this.expandValue) args.expand = this.expandValue;
    this.reset();
    if (!isRecordId(recordID)) return Promise.reject(badArgument('get needs a record id'));
    return this.bridge.request('table.get', args, 200);
  }

  /** `{data: {meta, objects}}`; `meta.total_count` only with `{withCount: true}` (MinCloud's default). */
  find(options: { withCount?: boolean } = {}): Promise<SdkResponse> {
    const args: TableOpArgs<'table.find'> = {
      table: this._tableID,
      where: this.scoped(this.where),
      limit: this.limitValue ?? 20,
      offset: this.offsetValue,
      withCount: options.withCount === true,
    };
    if (this.orderByValue) args.orderBy = this.orderByValue;
    if (this.keysValue) args.keys = this.keysValue;
    if (this.expandValue) args.expand = this.expandValue;
    this.reset();
    return this.bridge.request('table.find', args, 200);
  }

  /** The number of records the query matches (a number, not a response). */
  count(): Promise<number> {
    const args = { table: this._tableID, where: this.scoped(this.where) };
    this.reset();
    return this.bridge.invoke('table.count', args) as Promise<number>;
  }

  setQuery(query: Query): this {
    if (!isQuery(query)) throw badArgument('setQuery needs a Query');
    this.where = cloneJson(query.queryObject);
    return this;
  }

  /** `select('a')`, `select(['a', 'b'])` keeps fields; `select('-a')` drops them. */
  select(keys: string | string[]): this {
    this.keysValue = nameList(keys, 'select');
    return this;
  }

  /** `expand('created_by')`: the creator as the user `{id, nickname, avatar}`. */
  expand(keys: string | string[]): this {
    this.expandValue = nameList(keys, 'expand');
    return this;
  }

  limit(value: number): this {
    if (!Number.isInteger(value)) throw badArgument('limit needs an integer');
    this.limitValue = value;
    return this;
  }

  offset(value: number): this {
    if (!Number.isInteger(value)) throw badArgument('offset needs an integer');
    this.offsetValue = value;
    return this;
  }

  /** `orderBy('-created_at')` or `orderBy(['a', '-b'])`. */
  orderBy(keys: string | string[]): this {
    this.orderByValue = nameList(keys, 'orderBy');
    return this;
  }

  /**
   * The condition every query of this object adds (a content library's group), or null.
   * Subclasses that stand for part of a table (BaaS.Content) set it.
   */
  protected scope: Record<string, unknown> | null = null;

  private scoped(where: Record<string, unknown>): Record<string, unknown> {
    return this.scope === null ? where : { $and: [this.scope, where] };
  }

  private bulkArgs(query: Query): TableOpArgs<'table.deleteWhere'> {
    const args: TableOpArgs<'table.deleteWhere'> = {
      table: this._tableID,
      where: this.scoped(cloneJson(query.queryObject)),
      offset: this.offsetValue,
    };
    if (this.limitValue !== null) args.limit = this.limitValue;
    this.reset();
    return args;
  }

  private reset(): void {
    this.where = {};
    this.limitValue = null;
    this.offsetValue = 0;
    this.orderByValue = null;
    this.keysValue = null;
    this.expandValue = null;
  }
}
