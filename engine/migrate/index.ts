/** `cloudfn migrate`: a stopped engine's data dir (SQLite) into PostgreSQL, resumable and verified. */
export {
  DEFAULT_BATCH_SIZE,
  migrateDataDir,
  type MigrateOptions,
  type MigrateReport,
} from './migrate.ts';
export { MigrateError } from './errors.ts';
export type { TableCheck } from './verify.ts';
