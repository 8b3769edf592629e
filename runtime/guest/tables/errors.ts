/**
 * Errors of the guest table SDK (runs inside the isolate: no Node, no engine imports).
 * A refusal is an Error with our stable `code` (E_…), the HTTP-like `status` (400, 404, …)
 * and MinCloud-like `message`; like MinCloud's HError, bad arguments to an SDK method are
 * thrown synchronously (MinCloud's 605) and host refusals reject the returned promise.
 */

export interface TableSdkError extends Error {
  code: string;
  status: number;
  details?: unknown;
}

export function sdkError(
  code: string,
  status: number,
  message: string,
  details?: unknown,
): TableSdkError {
  const err = new Error(message) as TableSdkError;
  err.name = 'TableError';
  err.code = code;
  err.status = status;
  if (details !== undefined) err.details = details;
  return err;
}

/** An invalid SDK argument: MinCloud answers these with HError 605 ("invalid argument"). */
export function badArgument(message: string): TableSdkError {
  return sdkError('E_TABLE_BAD_ARGS', 400, `${message} (MinCloud 605)`);
}

/** Turns whatever the host bridge threw into a TableSdkError (errors cross as data). */
export function fromHostError(thrown: unknown): TableSdkError {
  const e = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as Record<
    string,
    unknown
  >;
  const code = typeof e.code === 'string' ? e.code : 'E_TABLE_HOST';
  const status = typeof e.status === 'number' ? e.status : 500;
  const message = typeof e.message === 'string' ? e.message : String(thrown);
  return sdkError(code, status, message, e.details);
}
