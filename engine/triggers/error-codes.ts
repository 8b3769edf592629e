/** Refusals of trigger definitions and webhook targets, and their statuses (docs/errors.md, "Triggers"). */
export const TRIGGER_ERRORS = {
  E_TRIGGER_INVALID: 400,
  E_TRIGGER_BAD_REGEX: 400,
  E_WEBHOOK_TARGET_FORBIDDEN: 400,
  E_WEBHOOK_TARGET_UNRESOLVED: 502,
} as const;
