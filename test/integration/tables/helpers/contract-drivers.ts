/**
 * The three ways the TableStore contract is run: the SqliteTableStore itself, the REST API
 * on a real koa server, and the guest SDK in a real isolate. Each driver maps the port's
 * methods onto its route and turns refusals back into errors with `code` and `status`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncTableStore } from '../../../../engine/tables/async-adapter.ts';
import { SqliteTableStore } from '../../../../engine/tables/sqlite/table-store.ts';
import type {
  BulkResult,
  ListResult,
  StoredRecord,
  SyncTableStore,
  TableSchema,
  TableStore,
} from '../../../../engine/tables/table-store.ts';
import type { ContractSubject, TableStoreDriver } from '../../../contract/table-store.contract.ts';
import { type GuestIsolate, createGuestIsolate } from './guest-isolate.ts';
import { type RestServer, startRestServer } from './rest-server.ts';

export function tempStore(): { store: SqliteTableStore; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-contract-'));
  const store = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
  return {
    store,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openDirect(): Promise<ContractSubject> {
  const { store, cleanup } = tempStore();
  return { store, events: store, close: cleanup };
}

export async function openRest(): Promise<ContractSubject> {
  const { store, cleanup } = tempStore();
  const rest = await startRestServer(asyncTableStore(store));
  return {
    store: restDriver(rest),
    events: store,
    supportsCreatedBy: false,
    close: async () => {
      await rest.close();
      cleanup();
    },
  };
}

/** The port's methods mapped onto the REST routes of a running server. */
export function restDriver(rest: RestServer): TableStoreDriver {
  const t = (ref: string | number) => encodeURIComponent(String(ref));
  const qs = (params: Record<string, unknown>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      q.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    const text = q.toString();
    return text ? `?${text}` : '';
  };
  async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await rest.request(method, url, body);
    if (res.status >= 400) {
      const error = (res.body as { error: Record<string, unknown> }).error;
      // SPEC §2 spreads an error's details into `error`: keep them as `details` like the store does.
      throw Object.assign(new Error(String(error.message)), {
        code: error.code,
        status: res.status,
        details: error,
      });
    }
    return res.body as T;
  }
  const table = (raw: Record<string, unknown>): TableSchema => ({
    ...(raw as unknown as TableSchema),
    created_at: Date.parse(raw.created_at as string) / 1000,
    updated_at: Date.parse(raw.updated_at as string) / 1000,
  });
  const driver: TableStoreDriver = {
    createTable: async (def) => table(await call('POST', '/tables', def)),
    listTables: async () =>
      (await call<{ objects: Record<string, unknown>[] }>('GET', '/tables?limit=1000')).objects.map(
        table,
      ),
    getTable: async (ref) => table(await call('GET', `/tables/${t(ref)}`)),
    dropTable: async (ref) => void (await call('DELETE', `/tables/${t(ref)}`)),
    addFields: async (ref, fields) =>
      table(await call('POST', `/tables/${t(ref)}/fields`, { fields })),
    createRecord: (ref, data) => call<StoredRecord>('POST', `/tables/${t(ref)}/records`, data),
    createMany: (ref, items) => call<BulkResult>('POST', `/tables/${t(ref)}/records`, items),
    getRecord: (ref, id, o = {}) =>
      call<StoredRecord>(
        'GET',
        `/tables/${t(ref)}/records/${encodeURIComponent(id)}${qs({ keys: o.keys?.join(',') })}`,
      ),
    updateRecord: (ref, id, update) =>
      call<StoredRecord>('PUT', `/tables/${t(ref)}/records/${encodeURIComponent(id)}`, update),
    updateWhere: (ref, where, update, o = {}) =>
      call<BulkResult>('PUT', `/tables/${t(ref)}/records${qs({ where, ...o })}`, update),
    deleteRecord: async (ref, id) =>
      void (await call('DELETE', `/tables/${t(ref)}/records/${encodeURIComponent(id)}`)),
    deleteWhere: (ref, where, o = {}) =>
      call<BulkResult>('DELETE', `/tables/${t(ref)}/records${qs({ where, ...o })}`),
    find: async (ref, o = {}) => {
      const list = await call<ListResult>(
        'GET',
        `/tables/${t(ref)}/records${qs({ where: o.where, limit: o.limit, offset: o.offset, order_by: o.orderBy?.join(','), keys: o.keys?.join(',') })}`,
      );
      // The REST list always counts (SPEC §2); withCount is an SDK/port option.
      if (o.withCount === false) delete list.meta.total_count;
      return list;
    },
    count: async (ref, where) =>
      (await call<ListResult>('GET', `/tables/${t(ref)}/records${qs({ where, limit: 0 })}`)).meta
        .total_count!,
  };
  return driver;
}

/** Guest snippets: `T` is the TableObject, `q(where)` a Query carrying a wire document. */
const PREAMBLE = `const a = $args; const T = new BaaS.TableObject(a.table);
  const q = (where) => { const query = new BaaS.Query(); query.queryObject = where || {}; return query; };`;

/** The port's record methods as guest SDK calls in `guest`; tables straight on `store`. */
export function isolateDriver(
  store: SyncTableStore | TableStore,
  guest: GuestIsolate,
): TableStoreDriver {
  // The SDK rejects with MinCloud's HError (integer `code`); the port's contract speaks of
  // our stable code, which the HError keeps in `reason`.
  const run = <T>(body: string, args: Record<string, unknown>) =>
    guest.run<T>(PREAMBLE + body, args).catch((err: { code?: unknown; reason?: unknown }) => {
      if (typeof err.reason === 'string') err.code = err.reason;
      throw err;
    });
  const driver: TableStoreDriver = {
    createTable: (def) => store.createTable(def),
    listTables: () => store.listTables(),
    getTable: (ref) => store.getTable(ref),
    dropTable: (ref) => store.dropTable(ref),
    addFields: (ref, fields) => store.addFields(ref, fields),
    createRecord: (table, data) =>
      run(`return (await T.create().set(a.data).save()).data;`, { table, data }),
    createMany: (table, items) =>
      run(`return (await T.createMany(a.items)).data;`, { table, items }),
    getRecord: (table, id, o = {}) =>
      run(`if (a.keys) T.select(a.keys); return (await T.get(a.id)).data;`, {
        table,
        id,
        keys: o.keys,
      }),
    updateRecord: (table, id, update) =>
      run(`const r = T.getWithoutData(a.id); r.set(a.update); return (await r.update()).data;`, {
        table,
        id,
        update,
      }),
    updateWhere: (table, where, update, o = {}) =>
      run(
        `if (a.limit !== undefined) T.limit(a.limit); if (a.offset !== undefined) T.offset(a.offset);
         const r = T.getWithoutData(q(a.where)); r.set(a.update); return (await r.update()).data;`,
        { table, where, update, ...o },
      ),
    deleteRecord: async (table, id) => void (await run(`await T.delete(a.id);`, { table, id })),
    deleteWhere: (table, where, o = {}) =>
      run(
        `if (a.limit !== undefined) T.limit(a.limit); if (a.offset !== undefined) T.offset(a.offset);
         return (await T.delete(q(a.where))).data;`,
        { table, where, ...o },
      ),
    find: (table, o = {}) =>
      run(
        `T.setQuery(q(a.where));
         if (a.limit !== undefined) T.limit(a.limit); if (a.offset !== undefined) T.offset(a.offset);
         if (a.orderBy) T.orderBy(a.orderBy); if (a.keys) T.select(a.keys);
         return (await T.find({ withCount: a.withCount !== false })).data;`,
        { table, ...o },
      ),
    count: (table, where) => run(`return await T.setQuery(q(a.where)).count();`, { table, where }),
  };
  return driver;
}

export async function openIsolate(): Promise<ContractSubject> {
  const { store, cleanup } = tempStore();
  const guest = await createGuestIsolate(store);
  return {
    store: isolateDriver(store, guest),
    events: store,
    supportsCreatedBy: false,
    close: () => {
      guest.dispose();
      cleanup();
    },
  };
}
