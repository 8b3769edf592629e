/**
 * The HostOps module an executor process loads when the tables are on PostgreSQL
 * (runtime/host-ops.ts): a small pool of its own, the guest SDK's `table.*` operations
 * answered asynchronously (the guest waits without holding the isolate's thread), and each
 * committed change reported to the main process as a `table.change` event (table triggers),
 * as the SQLite module does.
 */
import type { CreateHostOps, HostOps } from '../../../runtime/index.ts';
import { checkTableHostOp, handleTableOp } from '../host-ops.ts';
import { PostgresTableStore } from './table-store.ts';

interface Options {
  url: string;
  poolSize?: number;
}

function optionsOf(options: unknown): Options {
  const o = (options ?? {}) as { url?: unknown; poolSize?: unknown };
  if (typeof o.url !== 'string' || o.url === '')
    throw new TypeError('createHostOps needs options {url: string, poolSize?: number}');
  return {
    url: o.url,
    poolSize: typeof o.poolSize === 'number' ? o.poolSize : undefined,
  };
}

/** Builds the table HostOps for one executor process: options `{url, poolSize?}`. */
export const createHostOps: CreateHostOps = (options, emit): HostOps => {
  const { url, poolSize } = optionsOf(options);
  // Opened on the module's creation; every call waits for it. An open that fails (the
  // database unreachable: E_DATABASE_UNAVAILABLE) is reported by the calls waiting on it,
  // and the next call tries again, so the executor recovers with the database.
  let opening: Promise<PostgresTableStore> | undefined;
  const open = (): Promise<PostgresTableStore> => {
    opening ??= PostgresTableStore.open({ url, poolSize: poolSize ?? 4 }).then(
      (store) => {
        store.onChange((change) => emit('table.change', change));
        return store;
      },
      (err: unknown) => {
        opening = undefined;
        throw err;
      },
    );
    return opening;
  };
  // Not an unhandled rejection while no call waits.
  open().catch(() => {});
  return {
    call(op, args, context) {
      checkTableHostOp(op);
      const forUser = context.userId === undefined ? {} : { userId: context.userId };
      return open().then((store) => handleTableOp(store, op, args, forUser));
    },
    async close() {
      const store = await opening?.catch(() => undefined);
      await store?.close();
    },
  };
};
