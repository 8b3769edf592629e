/**
 * Codes of the HTTP layer and of the admin API's input checks, with the status each is
 * answered with (docs/errors.md, "Admin API and engine"). Imports nothing, so that
 * engine/error-catalogue.ts can gather every area's codes without an import cycle.
 */
export const HTTP_ERRORS = {
  E_UNAUTHORIZED: 401,
  E_ROUTE_NOT_FOUND: 404,
  E_PATH_NOT_CANONICAL: 404,
  E_METHOD_NOT_ALLOWED: 405,
  E_RESPONSE_NOT_JSON: 422,
  E_BAD_JSON: 400,
  E_BODY_TOO_LARGE: 413,
  E_INVALID_BODY: 400,
  E_INVALID_QUERY: 400,
  E_INTERNAL: 500,
} as const;
