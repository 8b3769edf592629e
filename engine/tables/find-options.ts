/**
 * Paging, ordering and field selection of a find (pure): MinCloud's `limit` (20 by
 * default, at most 1000), `offset`, `order_by` (`-field` for descending) and `keys`
 * (`a,b` keeps, `-a` drops).
 */
import { badOptions } from './errors.ts';
import { isValidFieldName } from './names.ts';
import type { FieldType } from './table-store.ts';
import type { QueryField } from './where.ts';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1000;
export const MAX_OFFSET = 1_000_000_000;

/** Accepts an array of names or MinCloud's comma-separated string. */
export function nameList(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.length > 300 || !list.every((x) => typeof x === 'string')) {
    throw badOptions(`${what} must be a list of field names.`);
  }
  return (list as string[]).map((x) => x.trim()).filter((x) => x !== '');
}

export function resolveLimit(value: unknown, fallback = DEFAULT_LIMIT): number {
  if (value === undefined || value === null) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_LIMIT) {
    throw badOptions(`limit must be an integer from 0 to ${MAX_LIMIT}.`);
  }
  return value as number;
}

export function resolveOffset(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_OFFSET) {
    throw badOptions('offset must be a non-negative integer.');
  }
  return value as number;
}

/**
 * A scan's cursor (`TableStore.scan`'s `after`): the internal sequence number of the last
 * record of the previous page, as text; 0 (before every record) without one.
 */
export function resolveScanCursor(after: unknown): number {
  if (after === undefined || after === null || after === '') return 0;
  const n = typeof after === 'string' && /^\d{1,15}$/.test(after) ? Number(after) : NaN;
  if (!Number.isSafeInteger(n))
    throw badOptions('after must be the cursor (next) a previous scan page answered.');
  return n;
}

/** One term of a sort: a field's column, its type, the direction. */
export interface OrderTerm {
  column: string;
  type: FieldType;
  desc: boolean;
}

/** The checked sort terms of `orderBy` (`['-qty', 'name']`), in order; each dialect writes the SQL. */
export function parseOrderBy(
  orderBy: unknown,
  fields: ReadonlyMap<string, QueryField>,
): OrderTerm[] {
  const names = nameList(orderBy, 'orderBy') ?? [];
  return names.map((raw) => {
    const desc = raw.startsWith('-');
    const name = desc ? raw.slice(1) : raw;
    const field = fields.get(name);
    if (!field) throw badOptions(`Cannot order by '${name.slice(0, 64)}': no such field.`);
    if (field.type === 'array' || field.type === 'object' || field.type === 'geojson')
      throw badOptions(`Cannot order by the ${field.type} field '${name}'.`);
    return { column: field.column, type: field.type, desc };
  });
}

/**
 * `select('pointer.attr')` (MinCloud, select-and-expand.md): the sub-fields to keep of an
 * expanded pointer (or of `created_by`), by field; the field itself is kept whole by `keys`.
 * Returns the plain keys for resolveKeys and the sub-field lists.
 */
export function splitSubKeys(
  keys: unknown,
  expandable: (field: string) => boolean,
): {
  keys: unknown;
  sub: Map<string, string[]>;
} {
  const sub = new Map<string, string[]>();
  if (!Array.isArray(keys)) return { keys, sub };
  const plain: unknown[] = [];
  for (const k of keys) {
    if (typeof k === 'string' && !k.startsWith('-') && k.includes('.')) {
      const [head, ...rest] = k.split('.');
      const name = rest.join('.');
      if (!expandable(head!))
        throw badOptions(
          `'${k.slice(0, 64)}': only a pointer field or created_by can have sub-fields selected.`,
        );
      if (!isValidFieldName(name) || name === '__proto__')
        throw badOptions(`'${k.slice(0, 64)}': '${name.slice(0, 64)}' is not a field name.`);
      sub.set(head!, [...(sub.get(head!) ?? []), name]);
      if (!plain.includes(head)) plain.push(head);
    } else if (!plain.includes(k)) plain.push(k);
  }
  return { keys: plain, sub };
}

/**
 * Which fields a result keeps: `['a', 'b']` keeps those (and `id`), `['-a']` drops `a`.
 * Returns undefined for "all fields".
 */
export function resolveKeys(keys: unknown, allFields: readonly string[]): string[] | undefined {
  const names = nameList(keys, 'keys');
  if (!names || names.length === 0) return undefined;
  const negative = names.every((n) => n.startsWith('-'));
  if (!negative && names.some((n) => n.startsWith('-')))
    throw badOptions('keys cannot mix kept fields (a) and dropped fields (-a).');
  const known = new Set(allFields);
  for (const n of names) {
    const name = negative ? n.slice(1) : n;
    if (!known.has(name)) throw badOptions(`Unknown field '${name.slice(0, 64)}' in keys.`);
  }
  if (negative) {
    const drop = new Set(names.map((n) => n.slice(1)));
    return allFields.filter((f) => !drop.has(f));
  }
  const keep = new Set(['id', ...names]);
  return allFields.filter((f) => keep.has(f));
}
