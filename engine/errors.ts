/**
 * The one error base class of the engine. Every refusal the engine makes is an EngineError
 * with a stable `E_…` code (listed in docs/errors.md) and the HTTP status it maps to at the
 * edge. Areas define their own subclasses next to their code (e.g. engine/wechat/errors.ts);
 * the HTTP layer only reads `code`, `status`, `message` and `details`.
 */
export class EngineError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details;
  }

  /** The JSON shape of SPEC §2: `{error: {code, message, ...details}}`. */
  toJSON(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

export class NotFoundError extends EngineError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: 404, details });
    this.name = 'NotFoundError';
  }
}

export class ValidationError extends EngineError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: 400, details });
    this.name = 'ValidationError';
  }
}

export class ConflictError extends EngineError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: 409, details });
    this.name = 'ConflictError';
  }
}
