export {
  openPostgresEngineStore,
  type PostgresEngineStore,
  type PostgresStoreOptions,
} from './engine-store.ts';
export { DatabaseUnavailableError } from './errors.ts';
