/**
 * The guest's way to a host operation (the executor's HostOps: data tables). A store that
 * answers at once (SQLite) answers inside the call — `{"ok":…}` or `{"error":…}`, the fast
 * path, one synchronous callback. A store whose answers are promises (PostgreSQL) answers
 * `{"pending":id}` at once, and the executor enters the isolate with `host-reply` when the
 * answer is ready, as it does with a nested call's answer (docs/runtime.md, "Host calls that
 * wait").
 */
import { type ErrorData, fromErrorData } from './errors.ts';
import {
  JSONParse,
  JSONStringify,
  MapPrototypeClear,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  MapPrototypeSize,
  NativeMap,
  NativePromise,
  NativeString,
} from './intrinsics.ts';

/** A host operation's answer: the value itself, or a promise of it when the host must wait. */
export type HostCaller = (op: string, args: unknown) => unknown;

export interface PendingHostCalls {
  /** Settles host call `id` with the host's JSON answer (`{ok}` or `{error}`). */
  settle(id: number, replyJson: string): void;
  /** Forgets every pending call (the job ended). */
  reset(): void;
  /** How many host calls wait for their answer (a callback-style run waits for none). */
  pending(): number;
}

interface Reply {
  ok?: unknown;
  error?: ErrorData;
  pending?: number;
}

type Settle = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * Wraps the host's `hostCall(op, argsJson)`: JSON across the bridge, refusals thrown (or
 * rejected, for a waiting call) as guest Errors.
 */
export function createHostCaller(hostCall: (op: string, argsJson: string) => string): {
  call: HostCaller;
  pendingCalls: PendingHostCalls;
} {
  const waiting = new NativeMap<number, Settle>();
  const call: HostCaller = (op, args) => {
    const argsJson = JSONStringify(args === undefined ? null : args);
    const reply = JSONParse(hostCall(NativeString(op), argsJson)) as Reply;
    if (reply.error !== undefined) throw fromErrorData(reply.error);
    const id = reply.pending;
    if (id === undefined) return reply.ok;
    return new NativePromise((resolve, reject) => {
      MapPrototypeSet(waiting, id, { resolve, reject });
    });
  };
  const pendingCalls: PendingHostCalls = {
    settle(id, replyJson) {
      const entry = MapPrototypeGet(waiting, id);
      if (entry === undefined) return;
      MapPrototypeDelete(waiting, id);
      const reply = JSONParse(replyJson) as Reply;
      if (reply.error !== undefined) entry.reject(fromErrorData(reply.error));
      else entry.resolve(reply.ok);
    },
    reset() {
      MapPrototypeClear(waiting);
    },
    pending: () => MapPrototypeSize(waiting),
  };
  return { call, pendingCalls };
}
