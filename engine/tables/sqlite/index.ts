/** The SQLite TableStore: `new SqliteTableStore({ path })` (synchronous; the port via asyncTableStore). */
export { SqliteTableStore, type SqliteTableStoreOptions } from './table-store.ts';
/** Compiles a MinCloud `where` document to SQLite's parameterised SQL (pure). */
export { compileWhere } from './query.ts';
