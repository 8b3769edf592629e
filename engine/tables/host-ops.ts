/**
 * The allow-list of table operations a function's `BaaS` SDK may ask of the host, with
 * its arguments checked like a public API: they come from untrusted code. Each takes and
 * returns plain JSON-able values.
 */
import { z } from 'zod';
import type { TableOpArgs, TableOpName } from '../../runtime/guest/tables/ops.ts';
import { TableError } from './errors.ts';
import type { SyncTableStore, TableStore } from './table-store.ts';
import { type RecordOps, type SyncRecordOps, tablesForUser } from './tables-for-user.ts';
import { isPlainObject } from './values.ts';

const tableRef = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]);
// 24 hex characters, or a user id (an integer, or its decimal string) in _userprofile.
const recordId = z.union([z.string().max(64), z.number().int().positive()]);
// z.custom passes the object through untouched: z.record would copy it and silently drop
// a `__proto__` key, which must instead reach the store and be refused as an unknown field.
const jsonObject = z.custom<Record<string, unknown>>(isPlainObject, {
  message: 'expected a JSON object',
});
const names = z.array(z.string().max(64)).max(300);
const paging = { limit: z.number().int().optional(), offset: z.number().int().optional() };

const SCHEMAS = {
  'table.create': z.strictObject({ table: tableRef, data: jsonObject }),
  'table.createMany': z.strictObject({ table: tableRef, items: z.array(z.unknown()) }),
  'table.get': z.strictObject({
    table: tableRef,
    id: recordId,
    keys: names.optional(),
    expand: names.optional(),
  }),
  'table.update': z.strictObject({ table: tableRef, id: recordId, update: jsonObject }),
  'table.updateWhere': z.strictObject({
    table: tableRef,
    where: jsonObject,
    update: jsonObject,
    ...paging,
  }),
  'table.delete': z.strictObject({ table: tableRef, id: recordId }),
  'table.deleteWhere': z.strictObject({ table: tableRef, where: jsonObject, ...paging }),
  'table.find': z.strictObject({
    table: tableRef,
    where: jsonObject.optional(),
    orderBy: names.optional(),
    keys: names.optional(),
    expand: names.optional(),
    withCount: z.boolean().optional(),
    ...paging,
  }),
  'table.count': z.strictObject({ table: tableRef, where: jsonObject.optional() }),
} as const satisfies { [K in TableOpName]: z.ZodType<TableOpArgs<K>> };

export type TableOp = keyof typeof SCHEMAS;
export const TABLE_OPS = Object.keys(SCHEMAS) as TableOp[];

function isTableOp(op: string): op is TableOp {
  return Object.hasOwn(SCHEMAS, op);
}

const isTableRef = (v: unknown): boolean =>
  typeof v === 'string'
    ? v.length >= 1 && v.length <= 64
    : typeof v === 'number' && Number.isInteger(v) && v >= 0;

const isNames = (v: unknown): boolean =>
  v === undefined ||
  (Array.isArray(v) &&
    v.length <= 300 &&
    v.every((name) => typeof name === 'string' && name.length <= 64));

/**
 * The hot shapes (a row saved, a row read: most calls of a function on a push), checked by
 * hand: zod's check was about 1 % of the executor's time per call. True only for arguments
 * the schema accepts as they are; anything else goes through zod, valid or not, whose
 * message then says what is wrong.
 */
function acceptedAsIs(op: TableOp, args: unknown): boolean {
  if (!isPlainObject(args)) return false;
  const a = args as Record<string, unknown>;
  let keys = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key)) return false;
    keys++;
  }
  if (op === 'table.create') return keys === 2 && isTableRef(a.table) && isPlainObject(a.data);
  if (op === 'table.get')
    return (
      keys === 2 + (a.keys === undefined ? 0 : 1) + (a.expand === undefined ? 0 : 1) &&
      isTableRef(a.table) &&
      (typeof a.id === 'string'
        ? a.id.length <= 64
        : typeof a.id === 'number' && Number.isInteger(a.id) && a.id > 0) &&
      isNames(a.keys) &&
      isNames(a.expand)
    );
  return false;
}

function parse<K extends TableOp>(op: K, args: unknown): z.infer<(typeof SCHEMAS)[K]> {
  if (acceptedAsIs(op, args)) return args as z.infer<(typeof SCHEMAS)[K]>;
  const result = SCHEMAS[op].safeParse(args);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at '${issue.path.join('.')}'` : '';
    throw new TableError(
      'E_TABLE_BAD_ARGS',
      `Invalid arguments for ${op}${where}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  return result.data as z.infer<(typeof SCHEMAS)[K]>;
}

/** Whom a table operation is made for. */
export interface TableOpContext {
  /**
   * The user the run is made for: its reads and writes obey record ACLs (tables-for-user.ts).
   * Without one (triggers, pushes, admin invokes) the run has the app's full rights, as
   * MinCloud's server SDK has.
   */
  userId?: number;
}

/** Refuses a host operation outside `table.*`: an executor's table HostOps serves no other. */
export function checkTableHostOp(op: string): void {
  if (!op.startsWith('table.'))
    throw new TableError(
      'E_TABLE_UNKNOWN_OP',
      `Unknown host operation ${JSON.stringify(op.slice(0, 64))}.`,
    );
}

/**
 * Runs one allow-listed table operation for a function. Throws a TableError (with `code`,
 * `status`, `message`) to refuse; the result is a plain JSON-able value. A synchronous store
 * (SQLite, the executor's fast path) answers at once; the port answers with a promise, and
 * only the port takes a user to enforce record ACLs for.
 */
export function handleTableOp(store: SyncTableStore, op: string, args: unknown): unknown;
export function handleTableOp(
  store: TableStore,
  op: string,
  args: unknown,
  context?: TableOpContext,
): Promise<unknown>;
export function handleTableOp(
  store: SyncTableStore | TableStore,
  op: string,
  args: unknown,
  context: TableOpContext = {},
): unknown {
  if (!isTableOp(op))
    throw new TableError(
      'E_TABLE_UNKNOWN_OP',
      `Unknown table operation ${JSON.stringify(op.slice(0, 64))}.`,
    );
  // A run for a user goes through the port (its ACL checks read before they write).
  const tables: RecordOps | SyncRecordOps =
    context.userId === undefined ? store : tablesForUser(store as TableStore, context.userId);
  switch (op) {
    case 'table.create': {
      const a = parse(op, args);
      return tables.createRecord(a.table, a.data);
    }
    case 'table.createMany': {
      const a = parse(op, args);
      return tables.createMany(a.table, a.items as Record<string, unknown>[]);
    }
    case 'table.get': {
      const a = parse(op, args);
      return tables.getRecord(a.table, a.id, { keys: a.keys, expand: a.expand });
    }
    case 'table.update': {
      const a = parse(op, args);
      return tables.updateRecord(a.table, a.id, a.update);
    }
    case 'table.updateWhere': {
      const a = parse(op, args);
      return tables.updateWhere(a.table, a.where, a.update, { limit: a.limit, offset: a.offset });
    }
    case 'table.delete': {
      const a = parse(op, args);
      const done = tables.deleteRecord(a.table, a.id);
      return done instanceof Promise ? done.then(() => null) : null;
    }
    case 'table.deleteWhere': {
      const a = parse(op, args);
      return tables.deleteWhere(a.table, a.where, { limit: a.limit, offset: a.offset });
    }
    case 'table.find': {
      const a = parse(op, args);
      return tables.find(a.table, {
        where: a.where,
        limit: a.limit,
        offset: a.offset,
        orderBy: a.orderBy,
        keys: a.keys,
        expand: a.expand,
        withCount: a.withCount,
      });
    }
    case 'table.count': {
      const a = parse(op, args);
      return tables.count(a.table, a.where);
    }
  }
}
