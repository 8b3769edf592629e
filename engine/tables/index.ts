/**
 * The data-tables area: MinCloud's tables on SQLite behind the TableStore port.
 * Other areas import from here (or the port file), not from the insides.
 */
export type {
  BulkResult,
  FieldDef,
  FieldType,
  FindOptions,
  ListMeta,
  ListResult,
  RecordData,
  StoredRecord,
  SyncTableStore,
  TableChange,
  TableSchema,
  TableStore,
  UpdateDoc,
  Where,
  WriteOptions,
} from './table-store.ts';
/** The SQLite TableStore: `new SqliteTableStore({ path })`. */
export { SqliteTableStore, type SqliteTableStoreOptions } from './sqlite-table-store.ts';
/** The TableStore port over a synchronous store (the SQLite one). */
export { asyncTableStore } from './async-adapter.ts';
/** Runs one allow-listed `table.*` operation for a function's SDK. */
export { handleTableOp, TABLE_OPS } from './host-ops.ts';
/** Compiles a MinCloud `where` document to parameterised SQL (pure). */
export { compileWhere } from './query.ts';
export { TableError } from './errors.ts';
/** The field types and the field-name rule of SPEC §5 (the CLI checks `--field` with them). */
export { FIELD_TYPES } from './schema.ts';
export { isValidFieldName } from './names.ts';
/** MinCloud's built-in user table (`_userprofile`, integer ids). */
export { USER_TABLE } from './names.ts';
