import type { TriggerType } from '../../triggers/index.ts';
import { EngineError, type ErrorCode } from '../../errors.ts';

/**
 * A failed action attempt: an EngineError whose code is the refusal the action met or a
 * delivery failure of ../error-codes.ts. `errorType` is what the trigger log's error_type
 * shows: the code, or for a function run that did not end fulfilled the job's status.
 */
export class ActionError extends EngineError {
  readonly errorType: string;
  readonly jobId: string | undefined;
  /**
   * Retrying cannot help (the action's function or table no longer exists): the firing goes
   * to dead letter at once instead of spending its attempts.
   */
  readonly permanent: boolean;
  constructor(
    code: ErrorCode,
    message: string,
    options: { jobId?: string; permanent?: boolean; errorType?: string; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'ActionError';
    this.errorType = options.errorType ?? code;
    this.jobId = options.jobId;
    this.permanent = options.permanent ?? false;
  }
}

/** Codes of targets that vanished (deleted with force, or raced with the firing). */
const TARGET_GONE = new Set<ErrorCode>(['E_FUNCTION_NOT_FOUND', 'E_TABLE_NOT_FOUND']);

/**
 * An engine refusal met while running an action, as a failed attempt: a vanished function or
 * table is permanent, anything else (a refused record, a full table) is worth a retry.
 */
export function actionErrorOf(err: EngineError): ActionError {
  return new ActionError(err.code, err.message, {
    permanent: TARGET_GONE.has(err.code),
    cause: err,
  });
}

export interface ActionOutcome {
  jobId?: string;
}

export interface ActionRequest {
  trigger: { name: string; type: TriggerType };
  action: Record<string, unknown>;
  event: unknown;
  eventType: string;
  triggerLogId: string;
  /** Stable across retries of this firing (webhook deliveries carry it). */
  deliveryId: string;
}

export type ActionExecutor = (request: ActionRequest) => Promise<ActionOutcome>;
