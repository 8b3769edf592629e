import type { TriggerType } from '../../triggers/index.ts';

/** A failed action attempt: `type` lands in the trigger log's error_type. */
export class ActionError extends Error {
  readonly type: string;
  readonly jobId: string | undefined;
  /**
   * Retrying cannot help (the action's function or table no longer exists): the firing goes
   * to dead letter at once instead of spending its attempts.
   */
  readonly permanent: boolean;
  constructor(
    type: string,
    message: string,
    jobId?: string,
    options: { permanent?: boolean } = {},
  ) {
    super(message);
    this.name = 'ActionError';
    this.type = type;
    this.jobId = jobId;
    this.permanent = options.permanent ?? false;
  }
}

/** Codes of targets that vanished (deleted with force, or raced with the firing). */
const TARGET_GONE = new Set(['E_FUNCTION_NOT_FOUND', 'E_TABLE_NOT_FOUND']);

/**
 * An engine refusal met while running an action, as a failed attempt: a vanished function or
 * table is permanent, anything else (a refused record, a full table) is worth a retry.
 */
export function actionErrorOf(err: { code: string; message: string }): ActionError {
  return new ActionError(err.code, err.message, undefined, {
    permanent: TARGET_GONE.has(err.code),
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
