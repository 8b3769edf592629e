import type { TriggerType } from '../../triggers/index.ts';

/** A failed action attempt: `type` lands in the trigger log's error_type. */
export class ActionError extends Error {
  readonly type: string;
  readonly jobId: string | undefined;
  constructor(type: string, message: string, jobId?: string) {
    super(message);
    this.name = 'ActionError';
    this.type = type;
    this.jobId = jobId;
  }
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
