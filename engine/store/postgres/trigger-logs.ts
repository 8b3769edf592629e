import type { DeliveryLog, TriggerLogFilter, TriggerLogRecord } from '../ports.ts';
import { fromJsonText, toJsonText } from '../rows/json-text.ts';
import { toTriggerLogRecord, type LogRow } from '../rows/trigger-logs.ts';
import { query, type PgPools } from './pool.ts';

function toRecord(row: LogRow): TriggerLogRecord {
  let event: unknown = null;
  try {
    event = fromJsonText(row.event, null);
  } catch {
    // Data that does not parse was set aside at dispatch and never fired; shown as none.
  }
  return toTriggerLogRecord(row, event);
}

const EVENT = 'COALESCE(i.data, t.event)';
const SELECT_LOG = `SELECT t.id, t.trigger, t.triggered_at, ${EVENT} AS event, t.inbox_id,
  t.action_index, t.action, t.event_type, t.lane, t.status, t.attempts, t.error_type, t.error,
  t.job_id, t.duration_ms, t.updated_at
  FROM trigger_logs t LEFT JOIN inbox i ON i.id = t.inbox_id`;

/**
 * The SQL of each filter, with `$` standing for its parameter's number. Event fields are
 * read from the event (WeChat spells the id MsgId or MsgID); cloudfn_json yields NULL for
 * text that jsonb will not take, so one odd event cannot fail the listing.
 */
const FILTERS: Record<Exclude<keyof TriggerLogFilter, 'limit' | 'offset'>, string> = {
  trigger: 't.trigger = $',
  status: 't.status = $',
  since: 't.triggered_at >= $',
  until: 't.triggered_at < $',
  msgId: `COALESCE(cloudfn_json(${EVENT}) ->> 'MsgId', cloudfn_json(${EVENT}) ->> 'MsgID') = $`,
  fromUserName: `cloudfn_json(${EVENT}) ->> 'FromUserName' = $`,
  event: `COALESCE(cloudfn_json(${EVENT}) ->> 'Event', cloudfn_json(${EVENT}) ->> 'event') = $`,
};

type LogPart = Pick<DeliveryLog, 'recordFinished' | 'getLog' | 'listLogs' | 'pruneLogs'>;

/** Log rows deleted per statement by retention. */
const PRUNE_BATCH = 1000;

/** The trigger-log half of the delivery log on PostgreSQL: reads join the event back. */
export function postgresTriggerLogs(db: PgPools): LogPart {
  const { relaxed, where } = db;
  return {
    async recordFinished(record, now) {
      await query(
        relaxed,
        where,
        `INSERT INTO trigger_logs (id, trigger, triggered_at, inbox_id, event, action_index, action,
           event_type, lane, status, attempts, error_type, error, job_id, duration_ms, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          record.id,
          record.trigger,
          record.triggeredAt,
          record.inboxId,
          // One copy of each event: stored here only when no inbox entry holds it.
          record.inboxId === null ? toJsonText(record.event) : null,
          record.actionIndex,
          JSON.stringify(record.action),
          record.eventType,
          record.lane,
          record.status,
          record.attempts,
          record.errorType,
          record.error,
          record.jobId,
          record.durationMs,
          now,
        ],
      );
    },
    async getLog(id) {
      const { rows } = await query<LogRow>(relaxed, where, `${SELECT_LOG} WHERE t.id = $1`, [id]);
      return rows[0] && toRecord(rows[0]);
    },
    async listLogs(filter) {
      const { limit, offset, ...given } = filter;
      const params: unknown[] = [];
      const clauses: string[] = [];
      for (const key of Object.keys(FILTERS) as (keyof typeof FILTERS)[]) {
        const value = given[key];
        if (value === undefined) continue;
        params.push(value);
        clauses.push(FILTERS[key].replaceAll('$', `$${params.length}`));
      }
      const clause = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
      const [count, page] = await Promise.all([
        query<{ n: number }>(
          relaxed,
          where,
          `SELECT count(*)::int AS n FROM trigger_logs t LEFT JOIN inbox i ON i.id = t.inbox_id ${clause}`,
          params,
        ),
        query<LogRow>(
          relaxed,
          where,
          `${SELECT_LOG} ${clause} ORDER BY t.triggered_at DESC, t.seq DESC
           LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
          [...params, limit, offset],
        ),
      ]);
      return { total: count.rows[0]!.n, objects: page.rows.map(toRecord) };
    },
    async pruneLogs(before) {
      // Finished rows past retention, except each trigger action's latest (guards read it).
      let total = 0;
      for (;;) {
        const { rowCount } = await query(
          relaxed,
          where,
          `DELETE FROM trigger_logs WHERE id IN (
             SELECT t.id FROM trigger_logs t
             WHERE t.triggered_at < $1 AND t.status IN ('succeeded', 'dead_letter')
               AND EXISTS (SELECT 1 FROM trigger_logs n
                 WHERE n.trigger = t.trigger AND n.action_index = t.action_index
                   AND (n.triggered_at > t.triggered_at OR (n.triggered_at = t.triggered_at AND n.seq > t.seq)))
             LIMIT $2)`,
          [before, PRUNE_BATCH],
        );
        total += rowCount ?? 0;
        if ((rowCount ?? 0) < PRUNE_BATCH) return total;
      }
    },
  };
}
