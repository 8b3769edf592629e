/**
 * The data-tables area: the TableStore port and MinCloud's rules (values, update operators,
 * where, names, schemas), the same for every backend. The implementations live below,
 * each with its own face: ./sqlite/index.ts and ./postgres/index.ts (only the composition
 * root picks one). Importing this face loads no database driver.
 */
export type {
  BulkResult,
  FieldDef,
  FieldType,
  FindOptions,
  ListMeta,
  ListResult,
  RecordData,
  ScanPage,
  StoredRecord,
  SyncTableStore,
  TableChange,
  TableSchema,
  TableStore,
  TableStoreOf,
  UpdateDoc,
  Where,
  WriteOptions,
} from './table-store.ts';
/** The TableStore port over a synchronous store (the SQLite one). */
export { asyncTableStore } from './async-adapter.ts';
/** A table's export as a stream, read a keyset page at a time (the admin export route). */
export { exportStream, type ExportFormat } from './export-stream.ts';
/** Runs one allow-listed `table.*` operation for a function's SDK. */
export { handleTableOp, TABLE_OPS } from './host-ops.ts';
/** Checks a MinCloud `where` document into a condition tree each dialect writes as SQL (pure). */
export { parseWhere } from './where.ts';
export { TableError } from './errors.ts';
/** The field types and the field-name rule of SPEC §5 (the CLI checks `--field` with them). */
export { FIELD_TYPES } from './field-types.ts';
export { isValidFieldName } from './names.ts';
/** MinCloud's built-in user table (`_userprofile`, integer ids). */
export { USER_TABLE } from './names.ts';
