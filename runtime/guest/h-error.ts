/**
 * MinCloud's HError, as functions written for MinCloud test it: `err.code` is MinCloud's
 * integer (400, 401, 403, 404, 500, 605 for a bad SDK argument), `err.message` the text.
 * cloudfn's own stable code (`E_…`, docs/errors.md) stays on `err.reason`, and the HTTP-like
 * status on `err.status`, so no detail is lost. Runs inside the isolate: imports nothing.
 */

/** MinCloud's code for a bad argument to an SDK method ("incorrect parameter type"). */
export const INCORRECT_PARAMETER_TYPE = 605;

// The integers MinCloud's error.md lists for answers of its server; any other 4xx is a 400
// (bad request) and any other status a 500 (server error), as its SDK reports them.
const LISTED_STATUSES: readonly number[] = [400, 401, 402, 403, 404, 500];

/** MinCloud's integer for an HTTP-like status. */
export function minCloudCode(status: number | undefined): number {
  if (status === undefined) return 500;
  if (LISTED_STATUSES.includes(status)) return status;
  return status >= 400 && status < 500 ? 400 : 500;
}

export class HError extends Error {
  code: number;
  reason: string;
  status: number;
  details?: unknown;

  constructor(code: number, message: string, reason: string, status: number, details?: unknown) {
    super(message);
    this.name = 'HError';
    this.code = code;
    this.reason = reason;
    this.status = status;
    if (details !== undefined) this.details = details;
  }
}

/** An HError for a refusal with our `reason` (E_…) and HTTP-like `status`. */
export function hError(reason: string, status: number, message: string, details?: unknown): HError {
  return new HError(minCloudCode(status), message, reason, status, details);
}
