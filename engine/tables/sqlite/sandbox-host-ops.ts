/**
 * The HostOps module an executor process loads (runtime/host-ops-port.ts): it opens its own
 * connection to the tables file, answers the guest SDK's `table.*` operations, and reports
 * each committed change to the main process as a `table.change` event (for table triggers).
 * The calls of runs the executor judges quick hold their writes in one transaction shared
 * with the next quick runs' (`holdWrites`), committed when the executor settles.
 */
import type { CreateHostOps, HostOps } from '../../../runtime/index.ts';
import { asyncTableStore } from '../async-adapter.ts';
import { checkTableHostOp, handleTableOp } from '../host-ops.ts';
import { SqliteTableStore } from './table-store.ts';

function dbPathOf(options: unknown): string {
  const dbPath = (options as { dbPath?: unknown } | null)?.dbPath;
  if (typeof dbPath !== 'string' || dbPath === '')
    throw new TypeError('createHostOps needs options {dbPath: string}');
  return dbPath;
}

/** Builds the table HostOps for one executor process: options `{dbPath}`. */
export const createHostOps: CreateHostOps = (options, emit): HostOps => {
  const store = new SqliteTableStore({ path: dbPathOf(options) });
  // Runs for a user check record ACLs through the port (answers as promises); the others
  // keep the synchronous fast path.
  const port = asyncTableStore(store);
  const unsubscribe = store.onChange((change) => emit('table.change', change));
  return {
    call(op, args, context) {
      checkTableHostOp(op);
      // A run for a user reads before it writes, in later microtasks: never held.
      if (context.userId !== undefined)
        return handleTableOp(port, op, args, { userId: context.userId });
      if (context.holdWrites === true)
        return store.holdingWritesOf(context.jobId, () => handleTableOp(store, op, args));
      return handleTableOp(store, op, args);
    },
    settle: () => ({ lost: store.settleHeld() }),
    heldSince: () => store.heldSince,
    close() {
      unsubscribe();
      store.close();
    },
  };
};
