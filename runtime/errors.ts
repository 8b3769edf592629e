/**
 * Errors of the functions runtime. Build errors are thrown to the caller (the deploy route);
 * run-time failures travel inside an InvocationOutcome as SerializedError data with one of
 * the RUNTIME_CODES below.
 */
import { EngineError } from '../engine/errors.ts';

/** An upload that esbuild cannot bundle: a syntax error, a missing import, a Node built-in. */
export class FunctionBuildError extends EngineError {
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
} as const;
