/**
 * The port (every method a promise) over a synchronous store: SQLite's answers are ready at
 * once, so each method runs the call now and wraps its answer (or its refusal) in a promise.
 * A refusal is a rejected promise, never a synchronous throw, as from any async store.
 */
import type { SyncTableStore, TableStore } from './table-store.ts';

type AsyncMethods = Exclude<keyof TableStore, 'onChange'>;

/** The TableStore port answered by a synchronous store (SqliteTableStore). */
export function asyncTableStore(sync: SyncTableStore): TableStore {
  const wrap =
    <K extends AsyncMethods>(name: K) =>
    (...args: Parameters<SyncTableStore[K]>) => {
      try {
        return Promise.resolve((sync[name] as (...a: unknown[]) => unknown)(...args));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    };
  return {
    createTable: wrap('createTable'),
    listTables: wrap('listTables'),
    getTable: wrap('getTable'),
    dropTable: wrap('dropTable'),
    addFields: wrap('addFields'),
    createRecord: wrap('createRecord'),
    createMany: wrap('createMany'),
    getRecord: wrap('getRecord'),
    updateRecord: wrap('updateRecord'),
    updateWhere: wrap('updateWhere'),
    deleteRecord: wrap('deleteRecord'),
    deleteWhere: wrap('deleteWhere'),
    find: wrap('find'),
    count: wrap('count'),
    scan: wrap('scan'),
    onChange: (listener) => sync.onChange(listener),
    close: wrap('close'),
  } as TableStore;
}
