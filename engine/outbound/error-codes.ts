/** Refusals and failures of functions' outgoing HTTP (fetch, BaaS.request) and their statuses. */
export const OUTBOUND_ERRORS = {
  E_OUTBOUND_FORBIDDEN: 400,
  E_OUTBOUND_UNRESOLVED: 502,
  E_OUTBOUND_UNREACHABLE: 502,
  E_OUTBOUND_TIMEOUT: 504,
  E_OUTBOUND_TOO_LARGE: 413,
  E_OUTBOUND_LIMIT: 429,
  E_OUTBOUND_BAD_REQUEST: 400,
  E_OUTBOUND_REDIRECT: 400,
} as const;
