/**
 * The record operations of a TableStore as one user may use them: what a function's table
 * calls do in a run made on behalf of that user. Reads see only the records whose
 * `read_perm` admits the user; single-record writes to a record whose `write_perm` does not
 * are refused (403 E_TABLE_ACL_DENIED); bulk writes by query skip such records and count
 * them as not succeeded, as MinCloud's bulk answers do (`total_count` is "the records the
 * where matched, including those without permission": schema/update-record.md).
 *
 * Backend-neutral: it only composes `where` fragments (acl.ts) and calls the port, so every
 * TableStore gets the same enforcement. Creates are passed through: cloudfn tables have no
 * table-level "who may add records" setting (MinCloud's table `write_perm`).
 */
import { admits, aclDenied, aclSkipped, aclWhere, withAcl } from './acl.ts';
import { recordNotFound } from './errors.ts';
import type {
  BulkResult,
  FindOptions,
  StoredRecord,
  SyncTableStore,
  TableStore,
  Where,
} from './table-store.ts';
import { isPlainObject } from './values.ts';

type RecordOpNames =
  | 'createRecord'
  | 'createMany'
  | 'getRecord'
  | 'updateRecord'
  | 'updateWhere'
  | 'deleteRecord'
  | 'deleteWhere'
  | 'find'
  | 'count';

/** The part of the TableStore port a function's table calls use. */
export type RecordOps = Pick<TableStore, RecordOpNames>;
/** The same, answered at once (SQLite's fast path for runs without a user). */
export type SyncRecordOps = Pick<SyncTableStore, RecordOpNames>;

// MinCloud's bulk operations touch at most 1000 records per call, and that is their default.
const BULK_LIMIT = 1000;

type ReadOptions = { keys?: string[]; expand?: string[] };

export function tablesForUser(store: TableStore, userId: number): RecordOps {
  const nameOf = async (table: string | number): Promise<string> =>
    (await store.getTable(table)).name;

  /**
   * Expanded pointers are records of other tables: one the user may not read collapses to
   * `{id, _table}`, as a pointer whose record is gone does. To judge it, the store must
   * return its read_perm even when the caller picked sub-fields (`author.name`).
   */
  function readOptions(options: ReadOptions): { options: ReadOptions; added: Set<string> } {
    const added = new Set<string>();
    const expand = options.expand ?? [];
    if (!Array.isArray(options.keys) || expand.length === 0) return { options, added };
    const keys = [...options.keys];
    for (const field of expand) {
      const picked = keys.some((k) => typeof k === 'string' && k.startsWith(`${field}.`));
      if (picked && field !== 'created_by' && !keys.includes(`${field}.read_perm`)) {
        keys.push(`${field}.read_perm`);
        added.add(field);
      }
    }
    return { options: { ...options, keys }, added };
  }

  function hideUnreadable(
    record: StoredRecord,
    expand: string[] | undefined,
    added: Set<string>,
  ): StoredRecord {
    for (const field of expand ?? []) {
      const value = record[field];
      if (!isPlainObject(value) || typeof value._table !== 'string') continue;
      if (!admits(value._table, value, 'read', userId))
        (record as Record<string, unknown>)[field] = { id: value.id, _table: value._table };
      else if (added.has(field)) delete value.read_perm;
    }
    return record;
  }

  /**
   * A bulk write by query: the page of records `where` matches (paging counts them all, as
   * MinCloud's `total_count` does), of which `run` writes those the user may write.
   */
  async function bulk(
    table: string | number,
    where: Where,
    paging: { limit?: number; offset?: number },
    run: (writable: Where, count: number) => Promise<BulkResult>,
  ): Promise<BulkResult> {
    const name = await nameOf(table);
    const page = await store.find(table, {
      where,
      limit: paging.limit ?? BULK_LIMIT,
      offset: paging.offset,
      keys: ['id'],
    });
    const ids = page.objects.map((r) => r.id);
    const { limit, offset } = page.meta;
    const total = page.meta.total_count ?? ids.length;
    const writable: Where = { $and: [{ id: { $in: ids } }, aclWhere(name, 'write', userId)] };
    const done = ids.length === 0 ? undefined : await run(writable, ids.length);
    const results = new Map<unknown, BulkResult['operation_result'][number]>();
    for (const entry of done?.operation_result ?? [])
      if (entry.success) results.set(entry.success.id, entry);
    const more = offset + ids.length < total && ids.length === limit && limit > 0;
    return {
      succeed: done?.succeed ?? 0,
      total_count: total,
      offset,
      limit,
      next: more ? `?limit=${limit}&offset=${offset + limit}` : null,
      operation_result: ids.map((id) => results.get(id) ?? { error: aclSkipped(userId) }),
    };
  }

  return {
    createRecord: (table, data, options) => store.createRecord(table, data, options),
    createMany: (table, items, options) => store.createMany(table, items, options),

    async getRecord(table, id, options = {}) {
      const name = await nameOf(table);
      const whole = await store.getRecord(table, id);
      // Unreadable reads as absent (MinCloud's get answers 404), never as "exists, forbidden".
      if (!admits(name, whole, 'read', userId)) throw recordNotFound(name, String(id));
      if (options.keys === undefined && options.expand === undefined) return whole;
      const asked = readOptions(options);
      return hideUnreadable(
        await store.getRecord(table, id, asked.options),
        options.expand,
        asked.added,
      );
    },

    async find(table, options: FindOptions = {}) {
      const name = await nameOf(table);
      const asked = readOptions(options);
      const list = await store.find(table, {
        ...options,
        ...asked.options,
        where: withAcl(options.where, name, 'read', userId),
      });
      for (const record of list.objects) hideUnreadable(record, options.expand, asked.added);
      return list;
    },

    count: async (table, where) =>
      store.count(table, withAcl(where, await nameOf(table), 'read', userId)),

    async updateRecord(table, id, update) {
      const name = await nameOf(table);
      const before = await store.getRecord(table, id);
      if (!admits(name, before, 'write', userId)) throw aclDenied(name, before.id, userId);
      return store.updateRecord(table, id, update);
    },

    async deleteRecord(table, id) {
      const name = await nameOf(table);
      const before = await store.getRecord(table, id);
      if (!admits(name, before, 'write', userId)) throw aclDenied(name, before.id, userId);
      await store.deleteRecord(table, id);
    },

    updateWhere: (table, where, update, paging = {}) =>
      bulk(table, where, paging, (writable, count) =>
        store.updateWhere(table, writable, update, { limit: count }),
      ),

    deleteWhere: (table, where, paging = {}) =>
      bulk(table, where, paging, (writable, count) =>
        store.deleteWhere(table, writable, { limit: count }),
      ),
  };
}
