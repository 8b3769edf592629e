/** Refusals of the web console's session layer and their statuses (docs/errors.md, "Web console"). */
export const CONSOLE_ERRORS = {
  E_CONSOLE_ORIGIN: 403,
  E_CONSOLE_CSRF: 403,
  E_CONSOLE_NOT_BUILT: 503,
} as const;
