export type * from './ports.ts';
export { openSqliteEngineStore } from './sqlite/engine-store.ts';
