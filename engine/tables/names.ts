/**
 * Names of tables and fields, and how they become SQL identifiers. Every identifier that
 * reaches SQL was first checked against these patterns AND is then quoted, so a user string
 * can never change the shape of a statement.
 */

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

/** System fields every record has; the engine writes them, users cannot. */
export const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at', 'created_by'] as const;
export type SystemField = (typeof SYSTEM_FIELDS)[number];

/**
 * MinCloud's built-in user table. Its name starts with `_`, which user table names cannot,
 * so it never collides with one; its record ids are integers (MinCloud's user ids).
 */
export const USER_TABLE = '_userprofile';

/** MinCloud's content library: groups, their categories, and the contents (rich text). */
export const CONTENT_GROUP_TABLE = '_content_group';
export const CONTENT_CATEGORY_TABLE = '_content_category';
export const CONTENT_TABLE = '_richtextcontent';

/** MinCloud's per-record ACL fields: lists such as `["user:*"]`, `["user:42", "gid:7"]`. */
export const ACL_FIELDS = ['read_perm', 'write_perm'] as const;

/** The hidden row-order column (insertion order, stable pagination). */
export const SEQ_COLUMN = '_seq';

// Lower-cased: SQLite column names are case-insensitive, so `ID` would collide with `id`.
// rowid/oid/_rowid_ would shadow SQLite's own aliases; __proto__ would be a trap in any JS
// object keyed by field name.
const RESERVED = new Set<string>([
  ...SYSTEM_FIELDS,
  ...ACL_FIELDS,
  SEQ_COLUMN,
  'rowid',
  'oid',
  '_rowid_',
  '__proto__',
]);

export function isValidTableName(name: unknown): name is string {
  return typeof name === 'string' && TABLE_NAME.test(name);
}

export function isValidFieldName(name: unknown): name is string {
  return typeof name === 'string' && FIELD_NAME.test(name);
}

export function isReservedFieldName(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

export function isSystemField(name: string): name is SystemField {
  return (SYSTEM_FIELDS as readonly string[]).includes(name);
}

// `"`, `\` and control characters (written as a class of code points, not a literal range).
const UNUSABLE_SEGMENT = /["\\\p{Cc}]/u;
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A key inside an object field reached by a dotted path (`meta.color`). It becomes a quoted
 * JSON-path label (a SQL parameter, never SQL text), which cannot hold `"` or `\`; the
 * prototype keys are refused so no path can reach into Object.prototype.
 */
export function isUsablePathSegment(seg: string): boolean {
  return (
    seg !== '' && seg.length <= 128 && !UNUSABLE_SEGMENT.test(seg) && !UNSAFE_SEGMENTS.has(seg)
  );
}

/** Quotes an identifier that already passed one of the patterns above (or is internal). */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`refusing to quote unchecked identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** The SQL table that holds a user table's records. */
export function dataTableIdent(name: string): string {
  return quoteIdent(`t_${name}`);
}

/** The SQL name of the index on one column of a user table. */
export function indexIdent(tableId: number, column: string): string {
  // By table id: names may contain `_`, so `ix_<name>_<column>` could collide.
  return quoteIdent(`ix${tableId}_${column}`);
}
