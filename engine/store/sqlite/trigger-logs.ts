import type { Database } from 'better-sqlite3';
import type { FinishedFiring, TriggerLogFilter, TriggerLogRecord } from '../ports.ts';
import { fromJsonText, toJsonText } from '../rows/json-text.ts';
import { toTriggerLogRecord, type LogRow } from '../rows/trigger-logs.ts';
import { writeBehindOf } from './write-behind.ts';

/**
 * A log row with its event joined back from the inbox (`l` the log, `i` the inbox): rows
 * written before migration 5 keep their own copy, which comes first.
 */
export const LOG_WITH_EVENT = `SELECT l.id, l.trigger, l.triggered_at, COALESCE(l.event, i.data) AS event,
  l.inbox_id, l.action_index, l.action, l.event_type, l.lane, l.status, l.attempts, l.error_type,
  l.error, l.job_id, l.duration_ms, l.updated_at
  FROM trigger_logs l LEFT JOIN inbox i ON i.id = l.inbox_id`;

export const toLogRecord = (row: LogRow): TriggerLogRecord =>
  toTriggerLogRecord(row, fromJsonText(row.event, null));

// The SQL of each filter (TriggerLogFilter); values are always bound, never spliced in.
// Event fields are read from the event; WeChat spells the id MsgId or MsgID.
const EVENT = 'COALESCE(l.event, i.data)';
const FILTERS: Record<Exclude<keyof TriggerLogFilter, 'limit' | 'offset'>, string> = {
  trigger: 'l.trigger = @trigger',
  status: 'l.status = @status',
  since: 'l.triggered_at >= @since',
  until: 'l.triggered_at < @until',
  msgId: `COALESCE(json_extract(${EVENT}, '$.MsgId'), json_extract(${EVENT}, '$.MsgID')) = @msgId`,
  fromUserName: `json_extract(${EVENT}, '$.FromUserName') = @fromUserName`,
  event: `COALESCE(json_extract(${EVENT}, '$.Event'), json_extract(${EVENT}, '$.event')) = @event`,
};

/** The trigger-log table's reads, finished rows and retention (the delivery log's side). */
export interface TriggerLogTable {
  get(id: string): TriggerLogRecord | undefined;
  list(filter: TriggerLogFilter): { total: number; objects: TriggerLogRecord[] };
  recordFinished(record: FinishedFiring, now: number): void;
  prune(before: number): number;
}

export function sqliteTriggerLogTable(db: Database): TriggerLogTable {
  const byId = db.prepare<[string], LogRow>(`${LOG_WITH_EVENT} WHERE l.id = ?`);
  // Finished rows past retention, keeping each trigger action's latest: frequency guards read it.
  const prune = db.prepare(`
    DELETE FROM trigger_logs WHERE triggered_at < @before AND status IN ('succeeded', 'dead_letter')
      AND rowid NOT IN (SELECT MAX(rowid) FROM trigger_logs GROUP BY trigger, action_index)`);
  const insert = db.prepare(`
    INSERT INTO trigger_logs (id, trigger, triggered_at, event, inbox_id, action_index, action,
      event_type, lane, status, attempts, error_type, error, job_id, duration_ms, updated_at)
    VALUES (@id, @trigger, @triggeredAt, @event, @inboxId, @actionIndex, @action,
      @eventType, @lane, @status, @attempts, @errorType, @error, @jobId, @durationMs, @now)`);
  // Log rows are bookkeeping: written behind, in the turn's batch (see write-behind.ts).
  const writes = writeBehindOf(db);
  return {
    prune(before) {
      writes.flushFor('trigger_logs');
      return prune.run({ before }).changes;
    },
    recordFinished(record, now) {
      const row = {
        ...record,
        now,
        // No copy when the inbox holds the event.
        event: record.inboxId === null ? toJsonText(record.event) : null,
        action: JSON.stringify(record.action),
      };
      writes.defer(['trigger_logs'], () => insert.run(row));
    },
    get(id) {
      writes.flushFor('trigger_logs');
      const row = byId.get(id);
      return row && toLogRecord(row);
    },
    list(filter) {
      writes.flushFor('trigger_logs');
      const { limit, offset, ...params } = filter;
      const where = Object.keys(params)
        .filter((k) => params[k as keyof typeof params] !== undefined)
        .map((k) => FILTERS[k as keyof typeof FILTERS]);
      const clause = where.length > 0 ? where.join(' AND ') : '1';
      // The join is only needed when an event field is filtered on.
      const needsEvent =
        params.msgId !== undefined ||
        params.fromUserName !== undefined ||
        params.event !== undefined;
      const from = needsEvent
        ? 'trigger_logs l LEFT JOIN inbox i ON i.id = l.inbox_id'
        : 'trigger_logs l';
      const total = (
        db.prepare(`SELECT COUNT(*) AS n FROM ${from} WHERE ${clause}`).get(params) as {
          n: number;
        }
      ).n;
      const rows = db
        .prepare(
          `${LOG_WITH_EVENT} WHERE ${clause} ORDER BY l.triggered_at DESC, l.rowid DESC LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, limit, offset }) as LogRow[];
      return { total, objects: rows.map(toLogRecord) };
    },
  };
}
