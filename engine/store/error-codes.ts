/** The engine's own database: 503 when it does not answer, so callers (and WeChat) retry. */
export const STORE_ERRORS = {
  E_DATABASE_UNAVAILABLE: 503,
} as const;
