/**
 * HostOps without I/O that answer either at once (the SQLite store's way) or with an already
 * settled promise (a store that waits, PostgreSQL's way, minus the wait): the difference is
 * the bridge's own cost of a host call that waits. Options `{async: boolean}`.
 */
import type { CreateHostOps } from '../../runtime/host-ops.ts';

export const createHostOps: CreateHostOps = (options) => {
  const async = (options as { async?: unknown } | null)?.async === true;
  return {
    call: () => (async ? Promise.resolve(0) : 0),
    close: () => undefined,
  };
};
