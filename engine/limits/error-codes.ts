/** A value sent in that nests too deep or is too large (docs/errors.md, "Admin API and engine"). */
export const LIMIT_ERRORS = {
  E_JSON_TOO_DEEP: 400,
  E_JSON_TOO_LARGE: 413,
} as const;
