/** The PostgreSQL TableStore: `await PostgresTableStore.open({ url })` (the port itself). */
export { PostgresTableStore, type PostgresTableStoreOptions } from './table-store.ts';
