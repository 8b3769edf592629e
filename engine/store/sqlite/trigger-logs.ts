import type { Database, Statement } from 'better-sqlite3';
import type { TriggerLogFilter, TriggerLogRecord, TriggerLogStore } from '../ports.ts';
import { fromJson } from './json-column.ts';
import { writeBehindOf } from './write-behind.ts';

interface LogRow {
  id: string;
  trigger: string;
  triggered_at: number;
  event: string | null;
  inbox_id: string | null;
  action_index: number;
  action: string;
  status: TriggerLogRecord['status'];
  attempts: number;
  error_type: string | null;
  error: string | null;
  job_id: string | null;
  duration_ms: number | null;
  updated_at: number;
}

const toRecord = (row: LogRow): TriggerLogRecord => ({
  id: row.id,
  trigger: row.trigger,
  triggeredAt: row.triggered_at,
  event: fromJson(row.event, null),
  inboxId: row.inbox_id,
  actionIndex: row.action_index,
  action: JSON.parse(row.action) as Record<string, unknown>,
  status: row.status,
  attempts: row.attempts,
  errorType: row.error_type,
  error: row.error,
  jobId: row.job_id,
  durationMs: row.duration_ms,
  updatedAt: row.updated_at,
});

const COLUMNS: Record<string, string> = {
  status: 'status',
  attempts: 'attempts',
  errorType: 'error_type',
  error: 'error',
  jobId: 'job_id',
  durationMs: 'duration_ms',
};

// The SQL of each filter (TriggerLogFilter); values are always bound, never spliced in.
// Event fields are read from the stored event; WeChat spells the id MsgId or MsgID.
const FILTERS: Record<Exclude<keyof TriggerLogFilter, 'limit' | 'offset'>, string> = {
  trigger: 'trigger = @trigger',
  status: 'status = @status',
  since: 'triggered_at >= @since',
  until: 'triggered_at < @until',
  msgId: "COALESCE(json_extract(event, '$.MsgId'), json_extract(event, '$.MsgID')) = @msgId",
  fromUserName: "json_extract(event, '$.FromUserName') = @fromUserName",
  event: "COALESCE(json_extract(event, '$.Event'), json_extract(event, '$.event')) = @event",
};

export function sqliteTriggerLogStore(db: Database): TriggerLogStore {
  const byId = db.prepare<[string], LogRow>('SELECT * FROM trigger_logs WHERE id = ?');
  // Finished rows past retention, keeping each trigger action's latest: `once` reads it.
  const prune = db.prepare(`
    DELETE FROM trigger_logs WHERE triggered_at < @before AND status IN ('succeeded', 'dead_letter')
      AND rowid NOT IN (SELECT MAX(rowid) FROM trigger_logs GROUP BY trigger, action_index)`);
  const insert = db.prepare(`
    INSERT INTO trigger_logs (id, trigger, triggered_at, event, inbox_id, action_index, action, status, attempts,
      error_type, error, job_id, duration_ms, updated_at)
    VALUES (@id, @trigger, @triggeredAt, @event, @inboxId, @actionIndex, @action, @status, @attempts,
      @errorType, @error, @jobId, @durationMs, @updatedAt)`);
  // Log rows are bookkeeping: written behind, in the turn's batch (see write-behind.ts).
  const writes = writeBehindOf(db);
  const updates = new Map<string, Statement>();
  return {
    prune(before) {
      writes.flushFor('trigger_logs');
      return prune.run({ before }).changes;
    },
    insertFinished(record) {
      const row = {
        ...record,
        event: JSON.stringify(record.event),
        action: JSON.stringify(record.action),
      };
      writes.defer(['trigger_logs'], () => insert.run(row));
    },
    get(id) {
      writes.flushFor('trigger_logs');
      const row = byId.get(id);
      return row && toRecord(row);
    },
    list(filter) {
      writes.flushFor('trigger_logs');
      const { limit, offset, ...params } = filter;
      const where = Object.keys(params)
        .filter((k) => params[k as keyof typeof params] !== undefined)
        .map((k) => FILTERS[k as keyof typeof FILTERS]);
      const clause = where.length > 0 ? where.join(' AND ') : '1';
      const total = (
        db.prepare(`SELECT COUNT(*) AS n FROM trigger_logs WHERE ${clause}`).get(params) as {
          n: number;
        }
      ).n;
      const rows = db
        .prepare(
          `SELECT * FROM trigger_logs WHERE ${clause} ORDER BY triggered_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, limit, offset }) as LogRow[];
      return { total, objects: rows.map(toRecord) };
    },
    update(id, patch, now) {
      // Column names come from the fixed COLUMNS map, never from input. One prepared
      // statement per shape of patch (there are a handful), not one per call.
      const keys = Object.keys(patch).filter((k) => k in COLUMNS);
      const shape = keys.join(',');
      let statement = updates.get(shape);
      if (!statement) {
        const sets = keys.map((k) => `${COLUMNS[k]} = @${k}`);
        statement = db.prepare(
          `UPDATE trigger_logs SET ${[...sets, 'updated_at = @now'].join(', ')} WHERE id = @id`,
        );
        updates.set(shape, statement);
      }
      const row: Record<string, unknown> = { id, now };
      for (const k of keys) row[k] = (patch as Record<string, unknown>)[k];
      const prepared = statement;
      writes.defer(['trigger_logs'], () => prepared.run(row));
    },
  };
}
