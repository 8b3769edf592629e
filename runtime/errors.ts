/**
 * Errors of the functions runtime. Build errors are thrown to the caller (the deploy route);
 * run-time failures travel inside an InvocationOutcome as SerializedError data with one of
 * the RUNTIME_CODES below.
 *
 * The runtime imports nothing from the engine, so it has its own base: a RuntimeError has the
 * shape of the engine's errors (`code`, `status`, `details`, the same JSON), and the engine's
 * HTTP edge answers it the same way (engine/http/errors.ts).
 */

/** A refusal of the runtime's: a stable `E_…` code (docs/errors.md) and the HTTP status it maps to. */
export class RuntimeError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'RuntimeError';
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details;
  }

  /** The JSON shape of SPEC §2: `{error: {code, message, ...details}}`. */
  toJSON(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** An upload that esbuild cannot bundle: a syntax error, a missing import, a Node built-in. */
export class FunctionBuildError extends RuntimeError {
  constructor(
    message: string,
    details: { line?: number; column?: number; file?: string; frame?: string },
  ) {
    super('E_FUNCTION_BUILD', message, { details });
    this.name = 'FunctionBuildError';
  }
}

/** The stable codes a run-time failure carries in `outcome.error.code`. */
export const RUNTIME_CODES = {
  timeout: 'E_FUNCTION_TIMEOUT',
  memory: 'E_FUNCTION_MEMORY',
  resultTooLarge: 'E_FUNCTION_RESULT_TOO_LARGE',
  resultTooDeep: 'E_FUNCTION_RESULT_TOO_DEEP',
  resultInvalid: 'E_FUNCTION_RESULT_INVALID',
  argumentTooLarge: 'E_FUNCTION_ARGUMENT_TOO_LARGE',
  busy: 'E_FUNCTION_BUSY',
  executorCrashed: 'E_EXECUTOR_CRASHED',
  invokeDepth: 'E_FUNCTION_INVOKE_DEPTH',
  invokeLimit: 'E_FUNCTION_INVOKE_LIMIT',
  invokeUnavailable: 'E_FUNCTION_INVOKE_UNAVAILABLE',
  noMain: 'E_FUNCTION_NO_MAIN',
  load: 'E_FUNCTION_LOAD',
  crashed: 'E_FUNCTION_CRASHED',
  require: 'E_FUNCTION_REQUIRE',
  hostOpFailed: 'E_HOST_OP_FAILED',
  sandboxClosed: 'E_SANDBOX_CLOSED',
  tooManyTimers: 'E_TOO_MANY_TIMERS',
  commitFailed: 'E_TABLE_COMMIT_FAILED',
} as const;
