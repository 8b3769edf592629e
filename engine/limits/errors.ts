import { EngineError } from '../errors.ts';
import { checkJson, MAX_INPUT_DEPTH, type JsonLimits } from '../../runtime/json-limits.ts';
import type { LIMIT_ERRORS } from './error-codes.ts';

export type JsonLimitCode = keyof typeof LIMIT_ERRORS;

/** A value sent in (a body, invoke data, an event) nests deeper or is larger than allowed. */
export class JsonLimitError extends EngineError {
  constructor(code: JsonLimitCode, message: string, details: Record<string, unknown>) {
    super(code, message, { details });
    this.name = 'JsonLimitError';
  }
}

/**
 * Throws a JsonLimitError naming `what` (e.g. "The request body") when the value passes the
 * limits (by default: MAX_INPUT_DEPTH levels).
 */
export function assertJsonWithin(
  value: unknown,
  what: string,
  limits: JsonLimits = { maxDepth: MAX_INPUT_DEPTH },
): void {
  const check = checkJson(value, limits);
  if (check.ok) return;
  throw new JsonLimitError(
    check.reason === 'too_deep' ? 'E_JSON_TOO_DEEP' : 'E_JSON_TOO_LARGE',
    `${what} is ${check.message}.`,
    { path: check.path, limit: check.limit },
  );
}
