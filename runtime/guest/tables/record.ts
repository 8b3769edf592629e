/**
 * MinCloud's TableRecord: collects field operations, then `save()` creates a record or
 * `update()` changes one record (by id) or the records of a query. When several
 * operations name the same field, the last one counts (MinCloud's rule).
 */
import { badArgument } from './errors.ts';
import { cloneJson } from './query.ts';
import { RECORD_MARK, serializeValue } from './values.ts';
import type { Bridge, SdkResponse } from './bridge.ts';
import type { TableOpArgs } from './ops.ts';

export interface BulkTarget {
  where: Record<string, unknown>;
  limit: number | null;
  offset: number;
}

function checkKey(key: unknown, method: string): string {
  if (typeof key !== 'string' || key === '') throw badArgument(`${method} needs a field name`);
  return key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function asList(value: unknown): unknown[] {
  return (Array.isArray(value) ? value : [value]).map(serializeValue);
}

export class TableRecord {
  readonly [RECORD_MARK] = true;
  _tableID: string | number;
  _recordID: string | null;
  private readonly bridge: Bridge;
  private readonly bulk: BulkTarget | null;
  private ops = new Map<string, unknown>();

  constructor(
    bridge: Bridge,
    tableID: string | number,
    recordID: string | null,
    bulk: BulkTarget | null = null,
  ) {
    this.bridge = bridge;
    this._tableID = tableID;
    this._recordID = recordID;
    this.bulk = bulk;
  }

  /** `set(key, value)` or `set({key: value, …})`. */
  set(keyOrObject: string | Record<string, unknown>, value?: unknown): this {
    if (arguments.length === 1) {
      if (!isPlainObject(keyOrObject))
        throw badArgument('set(obj) needs an object of field values');
      for (const [k, v] of Object.entries(keyOrObject)) this.put(k, serializeValue(v));
    } else if (arguments.length === 2) {
      this.put(checkKey(keyOrObject, 'set'), serializeValue(value));
    } else {
      throw badArgument('set takes (key, value) or (object)');
    }
    return this;
  }

  /** Clears a field (or each key of an object). */
  unset(keyOrObject: string | Record<string, unknown>): this {
    const keys = isPlainObject(keyOrObject)
      ? Object.keys(keyOrObject)
      : [checkKey(keyOrObject, 'unset')];
    for (const k of keys) this.put(k, { $unset: '' });
    return this;
  }

  /** Atomic add to a number field (a dotted path reaches into an object field). */
  incrementBy(key: string, value: number): this {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw badArgument('incrementBy needs a number');
    return this.put(checkKey(key, 'incrementBy'), { $incr_by: value });
  }

  append(key: string, value: unknown): this {
    return this.put(checkKey(key, 'append'), { $append: asList(value) });
  }

  /** Appends the values not already in the array. */
  uAppend(key: string, value: unknown): this {
    return this.put(checkKey(key, 'uAppend'), { $append_unique: asList(value) });
  }

  remove(key: string, value: unknown): this {
    return this.put(checkKey(key, 'remove'), { $remove: asList(value) });
  }

  /** Removes the last element of an array field. */
  pop(key: string): this {
    return this.put(checkKey(key, 'pop'), { $pop: 1 });
  }

  /** Removes the first element of an array field. */
  shift(key: string): this {
    return this.put(checkKey(key, 'shift'), { $pop: -1 });
  }

  /** Shallow-merges into an object field (like Object.assign). */
  patchObject(key: string, value: Record<string, unknown>): this {
    if (!isPlainObject(value)) throw badArgument('patchObject needs an object');
    return this.put(checkKey(key, 'patchObject'), { $update: serializeValue(value) });
  }

  /** Creates the record: resolves `{status: 201, data: record}`. */
  save(): Promise<SdkResponse> {
    const data = this._takeOps();
    return this.bridge.request('table.create', { table: this._tableID, data }, 201);
  }

  /** Updates the record (`{data: record}`) or the query's records (`{data: {succeed, total_count, operation_result}}`). */
  update(_options: { enableTrigger?: boolean; withCount?: boolean } = {}): Promise<SdkResponse> {
    const update = this._takeOps();
    if (this._recordID !== null) {
      return this.bridge.request(
        'table.update',
        { table: this._tableID, id: this._recordID, update },
        200,
      );
    }
    if (!this.bulk)
      return Promise.reject(badArgument('update needs a record id or a query (getWithoutData)'));
    const args: TableOpArgs<'table.updateWhere'> = {
      table: this._tableID,
      where: this.bulk.where,
      update,
      offset: this.bulk.offset,
    };
    if (this.bulk.limit !== null) args.limit = this.bulk.limit;
    return this.bridge.request('table.updateWhere', args, 200);
  }

  private put(key: string, op: unknown): this {
    this.ops.delete(key); // re-inserting keeps "last one counts" in the wire order too
    this.ops.set(key, op);
    return this;
  }

  /** The wire document of the collected operations; the record is then reset, as in MinCloud. */
  _takeOps(): Record<string, unknown> {
    const doc = cloneJson(Object.fromEntries(this.ops)) as Record<string, unknown>;
    this.ops = new Map();
    return doc;
  }
}
