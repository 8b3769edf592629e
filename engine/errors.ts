import { ERROR_STATUS, type CodeWithStatus, type ErrorCode } from './error-catalogue.ts';

export type { ErrorCode } from './error-catalogue.ts';

/**
 * The one error base class of the engine. Every refusal the engine makes is an EngineError
 * with a stable `E_…` code from the catalogues (engine/error-catalogue.ts, each listed in
 * docs/errors.md); the HTTP status comes from the catalogue, never from the throw site.
 * Areas define their own subclasses next to their code (e.g. engine/wechat/errors.ts); the
 * HTTP layer only reads `code`, `status`, `message` and `details`.
 */
export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details;
  }

  /** The JSON shape of SPEC §2: `{error: {code, message, ...details}}`. */
  toJSON(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** A refusal whose catalogued status is 404: the thing named does not exist. */
export class NotFoundError extends EngineError {
  constructor(code: CodeWithStatus<404>, message: string, details?: Record<string, unknown>) {
    super(code, message, { details });
    this.name = 'NotFoundError';
  }
}

/** A refusal whose catalogued status is 400: the input is wrong. */
export class ValidationError extends EngineError {
  constructor(code: CodeWithStatus<400>, message: string, details?: Record<string, unknown>) {
    super(code, message, { details });
    this.name = 'ValidationError';
  }
}

/** A refusal whose catalogued status is 409: the input clashes with what exists. */
export class ConflictError extends EngineError {
  constructor(code: CodeWithStatus<409>, message: string, details?: Record<string, unknown>) {
    super(code, message, { details });
    this.name = 'ConflictError';
  }
}
