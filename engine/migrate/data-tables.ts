/**
 * The users' data tables (pure): the catalog row and, per table, its records. Records are
 * copied with explicit SQL, not through `TableStore.insert`: the port stamps created_at and
 * updated_at with the time of the insert and numbers users afresh, and a moved record keeps
 * its id, its times, its creator, its ACL and its place in insertion order (`_seq`).
 */
import type { FieldType, TableSchema } from '../tables/table-store.ts';
import { BUILTIN_TABLES } from '../tables/table-info.ts';
import { dataTableIdent, quoteIdent } from '../tables/names.ts';
import type { Kind } from './canonical.ts';
import type { TableSpec } from './table-spec.ts';

const KIND_OF: Record<FieldType, Kind> = {
  string: 'userText',
  date: 'userText',
  pointer: 'userText', // the id pointed at
  integer: 'int',
  number: 'real',
  boolean: 'bool',
  array: 'json',
  object: 'json',
  geojson: 'json',
};

/** A table name no catalog makes (names start with a letter, then `t<id>_`): reads find nothing. */
const MISSING = '"_cloudfn_not_in_the_catalog"';

/** The catalog: one row per table, its fields as JSON (jsonb on PostgreSQL). */
export const CATALOG_SPEC: TableSpec = {
  name: 'tables.catalog',
  source: {
    from: '_cf_tables',
    key: ['id'],
    select: ['id', 'name', 'fields', 'created_at', 'updated_at'],
  },
  target: {
    table: 'cf_tables',
    key: ['id'],
    columns: ['id', 'name', 'fields', 'created_at', 'updated_at'],
    conflict: ['id'],
  },
  kinds: ['int', 'text', 'json', 'int', 'int'],
};

/**
 * A table's records, from SQLite's `t_<name>` to PostgreSQL's table `targetIdent`
 * (undefined: the target's catalog has no such table; it is reported missing).
 */
export function recordsSpec(schema: TableSchema, targetIdent: string | undefined): TableSpec {
  const integerIds = Object.hasOwn(BUILTIN_TABLES, schema.name);
  const cols: Array<[string, Kind]> = [
    ['_seq', 'int'],
    ['id', integerIds ? 'int' : 'userText'],
    ['created_at', 'int'],
    ['updated_at', 'int'],
    ['created_by', 'int'],
    ['read_perm', 'json'],
    ['write_perm', 'json'],
    ...schema.fields.map((f): [string, Kind] => [f.name, KIND_OF[f.type]]),
  ];
  const columns = cols.map(([name]) => quoteIdent(name));
  return {
    name: `tables.${schema.name}`,
    source: { from: dataTableIdent(schema.name), key: ['"_seq"'], select: columns },
    target: {
      table: targetIdent ?? MISSING,
      key: ['"_seq"'],
      columns,
      conflict: ['"_seq"'],
      sequence: '_seq',
    },
    kinds: cols.map(([, kind]) => kind),
  };
}
