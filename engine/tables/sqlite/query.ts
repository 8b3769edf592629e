/**
 * MinCloud's `where` and `orderBy` → SQLite SQL in one call each (pure): the checked tree of
 * where.ts emitted by the SQLite dialect, and the checked sort terms.
 */
import { parseOrderBy } from '../find-options.ts';
import { SEQ_COLUMN, quoteIdent } from '../names.ts';
import { type QueryField, parseWhere } from '../where.ts';
import { type SqlCondition, sqliteWhere } from './where-sql.ts';

export { QUERY_LIMITS, type QueryField } from '../where.ts';
export type { SqlCondition, SqlValue } from './where-sql.ts';

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

/**
 * SQLite's ORDER BY clause. Insertion order breaks ties, so paging through equal sort keys
 * never repeats or skips a record.
 */
export function compileOrderBy(orderBy: unknown, fields: ReadonlyMap<string, QueryField>): string {
  const terms = parseOrderBy(orderBy, fields).map((t) => `${t.column} ${t.desc ? 'DESC' : 'ASC'}`);
  terms.push(`r.${quoteIdent(SEQ_COLUMN)} ASC`);
  return `ORDER BY ${terms.join(', ')}`;
}
