import type { TriggerLogRecord } from '../ports.ts';
import type { Action } from '../../triggers/types.ts';
import type { EventType } from '../../../runtime/sandbox.ts';

/** A `trigger_logs` row with its event joined back from the inbox, as both backends read it. */
export interface LogRow {
  id: string;
  trigger: string;
  triggered_at: number;
  /** Its own copy or its inbox entry's data (joined). */
  event: string | null;
  inbox_id: string | null;
  action_index: number;
  action: string;
  event_type: EventType;
  lane: string;
  status: TriggerLogRecord['status'];
  attempts: number;
  error_type: string | null;
  error: string | null;
  job_id: string | null;
  duration_ms: number | null;
  updated_at: number;
}

/**
 * The record of a row whose event the caller has parsed: each backend decides what an event
 * that does not parse becomes.
 */
export const toTriggerLogRecord = (row: LogRow, event: unknown): TriggerLogRecord => ({
  id: row.id,
  trigger: row.trigger,
  triggeredAt: row.triggered_at,
  event,
  inboxId: row.inbox_id,
  actionIndex: row.action_index,
  action: JSON.parse(row.action) as Action,
  eventType: row.event_type,
  lane: row.lane,
  status: row.status,
  attempts: row.attempts,
  errorType: row.error_type,
  error: row.error,
  jobId: row.job_id,
  durationMs: row.duration_ms,
  updatedAt: row.updated_at,
});
