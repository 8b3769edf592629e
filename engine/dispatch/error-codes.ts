/**
 * Codes of trigger administration, incoming webhooks and trigger delivery, with their
 * statuses (docs/errors.md, "Triggers").
 */
export const DISPATCH_ERRORS = {
  E_TRIGGER_NOT_FOUND: 404,
  E_TRIGGER_EXISTS: 409,
  E_TRIGGER_NOT_WEBHOOK: 409,
  E_TRIGGER_LOG_NOT_FOUND: 404,
  E_TRIGGER_LOG_NOT_REPLAYABLE: 409,
  E_TRIGGER_REFERENCE_MISSING: 400,
  E_IN_USE: 409,
  E_INBOX_ENTRY_NOT_FOUND: 404,
  E_INBOX_ENTRY_NOT_REPLAYABLE: 409,
  E_HOOK_NOT_FOUND: 404,
  E_HOOK_DISABLED: 409,
  E_HOOK_RATE_LIMITED: 429,
  // Failed action attempts (ActionError): they end in a trigger log's error_type and are never
  // an HTTP answer; the status says whose fault it was (the target's 502, the engine's 500).
  E_WEBHOOK_STATUS: 502,
  E_WEBHOOK_UNREACHABLE: 502,
  E_FUNCTION_RUN_FAILED: 502,
  E_ATTEMPT_INTERRUPTED: 500,
  E_ACTION_UNKNOWN: 500,
} as const;
