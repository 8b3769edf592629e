import type {
  Action,
  FunctionAction,
  TableAction,
  TriggerType,
  WebhookAction,
} from '../../triggers/index.ts';
import type { EventType } from '../../../runtime/sandbox.ts';

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

export interface ActionRequest<A extends Action = Action> {
  trigger: { name: string; type: TriggerType };
  action: A;
  event: unknown;
  eventType: EventType;
  triggerLogId: string;
  /** Stable across retries of this firing (webhook deliveries carry it). */
  deliveryId: string;
  /** The inbox entry holding the event: a job that runs on it names it instead of copying it. */
  inboxId: string | null;
}

/** Runs one kind of action (`A`: FunctionAction, TableAction, WebhookAction). */
export type ActionExecutor<A extends Action = Action> = (
  request: ActionRequest<A>,
) => Promise<ActionOutcome>;

/** An executor per action type (the job runner hands each action to its own). */
export interface ActionExecutors {
  function: ActionExecutor<FunctionAction>;
  table: ActionExecutor<TableAction>;
  webhook: ActionExecutor<WebhookAction>;
}

/** Hands the request to the executor of its action's type. */
export function executeAction(
  executors: ActionExecutors,
  request: ActionRequest,
): Promise<ActionOutcome> {
  const { action } = request;
  switch (action.type) {
    case 'function':
      return executors.function({ ...request, action });
    case 'table':
      return executors.table({ ...request, action });
    case 'webhook':
      return executors.webhook({ ...request, action });
    default: {
      // Queued by another version of the engine: the types above are all this one knows.
      const queued: { type?: unknown } = action;
      return Promise.reject(
        new ActionError(
          'E_ACTION_UNKNOWN',
          `No executor for action type "${String(queued.type)}".`,
        ),
      );
    }
  }
}
