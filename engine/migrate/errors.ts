import { EngineError } from '../errors.ts';
import type { MIGRATE_ERRORS } from './error-codes.ts';

export type MigrateCode = keyof typeof MIGRATE_ERRORS;

/** A refusal of `cloudfn migrate`, with what to do about it. */
export class MigrateError extends EngineError {
  readonly hint: string | undefined;

  constructor(
    code: MigrateCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { details: options.details, cause: options.cause });
    this.name = 'MigrateError';
    this.hint = options.hint;
  }
}
