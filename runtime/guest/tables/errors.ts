/**
 * Errors of the guest table SDK (runs inside the isolate: no Node, no engine imports).
 * A refusal is MinCloud's HError: `code` its integer (400, 404, …; 605 for a bad argument),
 * `message` the text, with our stable code (E_…) in `reason`, the HTTP-like `status`, and
 * `details` for refused writes. Like MinCloud, bad arguments to an SDK method are thrown
 * synchronously and host refusals reject the returned promise.
 */
import { HError, INCORRECT_PARAMETER_TYPE, hError } from '../h-error.ts';

export type TableSdkError = HError;

export function sdkError(
  reason: string,
  status: number,
  message: string,
  details?: unknown,
): TableSdkError {
  return hError(reason, status, message, details);
}

/** An invalid SDK argument: MinCloud's HError 605 ("incorrect parameter type"). */
export function badArgument(message: string): TableSdkError {
  return new HError(INCORRECT_PARAMETER_TYPE, message, 'E_TABLE_BAD_ARGS', 400);
}

/** Turns whatever the host bridge threw into an HError (errors cross as data). */
export function fromHostError(thrown: unknown): TableSdkError {
  if (thrown instanceof HError) return thrown;
  const e = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as Record<
    string,
    unknown
  >;
  const reason =
    typeof e.reason === 'string' ? e.reason : typeof e.code === 'string' ? e.code : 'E_TABLE_HOST';
  const status = typeof e.status === 'number' ? e.status : 500;
  const message = typeof e.message === 'string' ? e.message : String(thrown);
  return sdkError(reason, status, message, e.details);
}
