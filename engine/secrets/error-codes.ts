/** Secrets at rest that cannot be opened: the engine's fault or its operator's, hence 500. */
export const SECRETS_ERRORS = {
  E_SECRETS_KEY_MISMATCH: 500,
  E_SECRET_CORRUPT: 500,
} as const;
