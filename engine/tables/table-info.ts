/**
 * What a store knows of one table once its schema is read (backend-neutral): the fields by
 * name, the fields a query may test (system fields included), the order of a record's
 * keys, and MinCloud's built-in tables (integer ids, fields of their own).
 */
import {
  ACL_FIELDS,
  CONTENT_CATEGORY_TABLE,
  CONTENT_GROUP_TABLE,
  CONTENT_TABLE,
  USER_TABLE,
  dataTableIdent,
  quoteIdent,
} from './names.ts';
import type { FieldDef, FieldType, TableSchema } from './table-store.ts';
import type { QueryField } from './where.ts';

/** A catalog row, as both backends read it: `fields` is JSON text (PostgreSQL's jsonb arrives as text). */
export interface CatalogRow {
  id: number;
  name: string;
  fields: string;
  created_at: number;
  updated_at: number;
}

export interface TableInfo {
  schema: TableSchema;
  /** The quoted SQL name of the table holding the records. */
  ident: string;
  fields: ReadonlyMap<string, FieldDef>;
  /** User and system fields, with columns qualified by the alias `r`. */
  queryFields: ReadonlyMap<string, QueryField>;
  /** Field names in result order: id, user fields, created_at, updated_at, created_by. */
  allNames: readonly string[];
  /** Record ids are integers (the built-in tables: users, content), not 24 hex characters. */
  integerIds: boolean;
}

/** MinCloud's user fields; tables can add their own beside them (docs/mincloud.md). */
export const USER_TABLE_FIELDS: readonly FieldDef[] = [
  // Each has a unique index (below), which also serves lookups by it.
  { name: 'openid', type: 'string', maxLength: 128 },
  { name: 'unionid', type: 'string', maxLength: 128 },
  { name: 'nickname', type: 'string', maxLength: 256 },
  { name: 'avatar', type: 'string', maxLength: 2048 },
  { name: 'gender', type: 'integer' },
  { name: 'city', type: 'string', maxLength: 256 },
  { name: 'province', type: 'string', maxLength: 256 },
  { name: 'country', type: 'string', maxLength: 256 },
  { name: 'language', type: 'string', maxLength: 64 },
  { name: 'is_authorized', type: 'boolean' },
];

/**
 * MinCloud's built-in tables, made on first use (so a store that never has users or
 * content lists only its own tables): integer ids, their fields, and custom fields added
 * like any table's. They cannot be dropped.
 */
export const BUILTIN_TABLES: Readonly<Record<string, readonly FieldDef[]>> = {
  [USER_TABLE]: USER_TABLE_FIELDS,
  [CONTENT_GROUP_TABLE]: [
    { name: 'name', type: 'string', maxLength: 256 },
    { name: 'anonymous_read', type: 'boolean', default: true },
    { name: 'acl_gids', type: 'array', items: 'integer', default: [] },
  ],
  [CONTENT_CATEGORY_TABLE]: [
    { name: 'name', type: 'string', maxLength: 256 },
    { name: 'group_id', type: 'integer', index: true },
    { name: 'parent', type: 'integer' },
  ],
  [CONTENT_TABLE]: [
    { name: 'title', type: 'string', maxLength: 1024 },
    { name: 'content', type: 'string', maxLength: 10_000_000 },
    { name: 'cover', type: 'string', maxLength: 2048 },
    { name: 'description', type: 'string', maxLength: 65_536 },
    { name: 'categories', type: 'array', items: 'integer', default: [] },
    { name: 'group_id', type: 'integer', index: true },
  ],
};

const SYSTEM_QUERY_FIELDS: Array<[string, FieldType]> = [
  ['id', 'string'],
  ['created_at', 'integer'],
  ['updated_at', 'integer'],
  ['created_by', 'integer'],
];

/** The TableInfo of a schema read from a catalog. */
export function tableInfo(schema: TableSchema): TableInfo {
  const fields = schema.fields;
  const integerIds = Object.hasOwn(BUILTIN_TABLES, schema.name);
  const queryFields = new Map<string, QueryField>();
  for (const [name, type] of SYSTEM_QUERY_FIELDS)
    queryFields.set(name, {
      type: name === 'id' && integerIds ? 'integer' : type,
      column: `r.${quoteIdent(name)}`,
    });
  // ACL lists are queryable like array fields: enforcement composes its where from them (acl.ts).
  for (const name of ACL_FIELDS)
    queryFields.set(name, { type: 'array', items: 'string', column: `r.${quoteIdent(name)}` });
  // A pointer is queried by the id it holds (compare('user', '=', User.getWithoutData(id))).
  for (const f of fields)
    queryFields.set(f.name, {
      type: f.type === 'pointer' ? 'string' : f.type,
      items: f.items,
      column: `r.${quoteIdent(f.name)}`,
    });
  return {
    schema,
    ident: dataTableIdent(schema.name),
    fields: new Map(fields.map((f) => [f.name, f])),
    queryFields,
    allNames: ['id', ...fields.map((f) => f.name), 'created_at', 'updated_at', 'created_by'],
    integerIds,
  };
}
