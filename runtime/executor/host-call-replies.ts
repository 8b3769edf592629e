/**
 * The JSON texts the executor answers a guest's host call with (runtime/guest/host-call.ts
 * reads them): `{"ok":value}`, `{"error":{name, code, status, message, details?}}`, or
 * `{"pending":id}` when the HostOps answered with a promise.
 */
import { RUNTIME_CODES } from '../errors.ts';

/** A refusal made by the executor itself (no job, bad arguments, no HostOps). */
export function errorReply(code: string, message: string, status = 400): string {
  return JSON.stringify({ error: { name: 'Error', code, status, message } });
}

/** The answer to a host call that succeeded with `result`. */
export function okReply(result: unknown): string {
  return JSON.stringify({ ok: result === undefined ? null : result });
}

/** The answer a guest waits for: it comes later, through `host-reply` entry `id`. */
export function pendingReply(id: number): string {
  return `{"pending":${id}}`;
}

/**
 * A HostOps failure as the guest sees it. An error with a string `code` is a refusal the
 * guest may read (a refused write names its fields in `details`, which MinCloud users read
 * too); anything else is unexpected, and its details (paths, SQL) stay on the host side.
 */
export function failureReply(op: string, thrown: unknown): string {
  const err = thrown as {
    code?: unknown;
    status?: unknown;
    message?: unknown;
    name?: unknown;
    details?: unknown;
  } | null;
  if (typeof err?.code === 'string') {
    return JSON.stringify({
      error: {
        name: typeof err.name === 'string' ? err.name : 'Error',
        code: err.code,
        status: typeof err.status === 'number' ? err.status : 400,
        message: String(err.message),
        ...(err.details !== undefined ? { details: err.details } : {}),
      },
    });
  }
  process.emitWarning(
    `host operation ${op.slice(0, 64)} failed: ${String(err?.message ?? thrown)}`,
  );
  return errorReply(
    RUNTIME_CODES.hostOpFailed,
    `Host operation ${op.slice(0, 64)} failed unexpectedly`,
    500,
  );
}

/** Whether a HostOps answer is a promise to wait for rather than the value itself. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
