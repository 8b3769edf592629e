/** Refusals about functions, their versions and jobs, and their statuses (docs/errors.md). */
export const FUNCTION_ERRORS = {
  E_FUNCTION_NOT_FOUND: 404,
  E_FUNCTION_NAME_INVALID: 400,
  E_FUNCTION_VERSION_NOT_FOUND: 404,
  E_FUNCTION_VERSION_CONFLICT: 409,
  E_JOB_NOT_FOUND: 404,
  // A nested BaaS.invoke refused before it ran: the guest's call rejects with this status.
  E_FUNCTION_INVOKE_IN_FLIGHT: 429,
} as const;
