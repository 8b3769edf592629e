import type { JobRecord } from '../ports.ts';
import { fromJsonText } from './json-text.ts';

/** A `jobs` row, as both backends read it (JSON kept as text). */
export interface JobRow {
  id: string;
  function: string;
  version: number;
  source: string;
  status: JobRecord['status'];
  created_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  cpu_ms: number | null;
  memory_bytes: number | null;
  /** Its own data, or its inbox entry's (joined). */
  data: string | null;
  inbox_id: string | null;
  result: string | null;
  error: string | null;
  log: string | null;
  trigger_name: string | null;
  trigger_log_id: string | null;
}

export const toJobRecord = (row: JobRow): JobRecord => ({
  id: row.id,
  function: row.function,
  version: row.version,
  source: row.source,
  status: row.status,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
  durationMs: row.duration_ms,
  cpuMs: row.cpu_ms,
  memoryBytes: row.memory_bytes,
  data: fromJsonText(row.data, null),
  inboxId: row.inbox_id,
  result: fromJsonText(row.result, null),
  error: fromJsonText(row.error, null),
  log: fromJsonText(row.log, []),
  triggerName: row.trigger_name,
  triggerLogId: row.trigger_log_id,
});
