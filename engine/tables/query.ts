/**
 * MinCloud's `where` → SQLite SQL in one call (pure): the checked tree of where.ts emitted
 * by the SQLite dialect. Kept as the SQLite store's (and its tests') entry point.
 */
import { type QueryField, parseWhere } from './where.ts';
import { type SqlCondition, sqliteWhere } from './sqlite/where-sql.ts';

export { QUERY_LIMITS, type QueryField } from './where.ts';
export type { SqlCondition, SqlValue } from './sqlite/where-sql.ts';

/**
 * Compiles a `where` document for a table whose fields (system fields included) are given.
 * Throws a 400 TableError (E_TABLE_BAD_WHERE, E_TABLE_UNKNOWN_FIELD, E_TABLE_BAD_REGEX,
 * E_TABLE_QUERY_TOO_COMPLEX) for anything it cannot compile.
 */
export function compileWhere(
  where: unknown,
  fields: ReadonlyMap<string, QueryField>,
): SqlCondition {
  return sqliteWhere(parseWhere(where, fields));
}
