import type { Action } from '../../triggers/types.ts';
import type { EventType } from '../../../runtime/sandbox.ts';
import type { AttemptOutcome, DeliveryLog, Delivery } from '../ports.ts';
import { query, type PgPools } from './pool.ts';
import { Coalescer } from './coalescer.ts';
import { DatabaseUnavailableError } from './errors.ts';

interface ClaimedRow {
  id: string;
  trigger: string;
  action_index: number;
  action: string;
  event_type: EventType;
  lane: string;
  inbox_id: string | null;
  event: string | null;
  attempts: number;
  run_at: number;
  owner: string;
  lease_until: number;
}

function toDelivery(row: ClaimedRow): Delivery {
  let event: unknown = null;
  try {
    event = row.event === null ? null : (JSON.parse(row.event) as unknown);
  } catch {
    // Unreadable stored data was set aside at dispatch; a row older than that shows none.
  }
  return {
    id: row.id,
    trigger: row.trigger,
    actionIndex: row.action_index,
    action: JSON.parse(row.action) as Action,
    eventType: row.event_type,
    lane: row.lane,
    inboxId: row.inbox_id,
    event,
    attempts: row.attempts,
    runAt: row.run_at,
    owner: row.owner,
    leaseUntil: row.lease_until,
  };
}

/**
 * One statement, so one round trip and one transaction. The lanes that have items are
 * found by a skip scan of the (lane, run_at, seq) index (a few dozen lanes: one per function
 * or trigger action); in each lane, the oldest due items (unclaimed, or whose lease has
 * expired: taken over) up to the room its cap leaves, FOR UPDATE SKIP LOCKED (rows another
 * process is claiming are passed over, never waited for nor handed out twice); of those the
 * oldest `limit` are claimed, each claim counting an attempt. The event is joined from the
 * inbox entry, the action and event type from the log row.
 *
 * The picked rows are updated by their row address (ctid: stable, as they are locked by this
 * statement until it commits), a TID scan whatever the planner thinks of the queue's size: a
 * join on the id was planned as a scan of the whole queue, whose dead rows (every item is
 * deleted once run) pile up between vacuums; measured, most claims of a bench run did that.
 */
export const CLAIM = `
WITH RECURSIVE lanes(lane) AS (
  (SELECT lane FROM queue ORDER BY lane LIMIT 1)
  UNION ALL
  SELECT (SELECT q.lane FROM queue q WHERE q.lane > l.lane ORDER BY q.lane LIMIT 1)
  FROM lanes l WHERE l.lane IS NOT NULL
),
picked AS (
  SELECT c.ctid, c.run_at, c.seq FROM lanes l
  CROSS JOIN LATERAL (
    SELECT q.ctid, q.run_at, q.seq FROM queue q
    WHERE q.lane = l.lane AND q.run_at <= $2 AND (q.owner IS NULL OR q.lease_until <= $2)
    ORDER BY q.run_at, q.seq
    LIMIT GREATEST(0, $5::int - COALESCE(
      (SELECT r.n FROM unnest($6::text[], $7::int[]) AS r(lane, n) WHERE r.lane = l.lane), 0))
    FOR UPDATE OF q SKIP LOCKED
  ) c
  WHERE l.lane IS NOT NULL
  ORDER BY c.run_at, c.seq
  LIMIT $3
),
claimed AS (
  UPDATE queue q SET owner = $1, lease_until = $4, attempts = q.attempts + 1
  WHERE q.ctid = ANY(ARRAY(SELECT ctid FROM picked))
  RETURNING q.id, q.trigger, q.lane, q.inbox_id, q.attempts, q.run_at, q.seq, q.owner, q.lease_until
)
SELECT c.id, c.trigger, t.action_index, t.action, t.event_type, c.lane, c.inbox_id,
  COALESCE(i.data, t.event) AS event, c.attempts, c.run_at, c.owner, c.lease_until
FROM claimed c JOIN trigger_logs t ON t.id = c.id LEFT JOIN inbox i ON i.id = c.inbox_id
ORDER BY c.run_at, c.seq`;

/** A `complete` waiting for its turn's statement. */
interface Completion {
  owner: string;
  id: string;
  outcome: AttemptOutcome;
  now: number;
}

/**
 * Completes a batch of attempts in one statement: each item goes only if its owner still
 * holds it (a lease taken over keeps it, and that owner is not returned for it; the batch may
 * hold the same item from its stale owner and its current one), and its log row becomes
 * `succeeded` with the outcome its current owner gave.
 */
const COMPLETE_MANY = `
WITH c AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::float8[], $6::bigint[])
    AS c(id, owner, attempts, job_id, duration_ms, now)),
gone AS (DELETE FROM queue q USING c WHERE q.id = c.id AND q.owner = c.owner
  RETURNING q.id, q.owner)
UPDATE trigger_logs t SET status = 'succeeded', attempts = c.attempts, job_id = c.job_id,
  duration_ms = c.duration_ms, error_type = NULL, error = NULL, updated_at = c.now
FROM gone JOIN c ON c.id = gone.id AND c.owner = gone.owner WHERE t.id = gone.id
RETURNING t.id, gone.owner`;

type ClaimPart = Pick<
  DeliveryLog,
  | 'claim'
  | 'renew'
  | 'unclaim'
  | 'complete'
  | 'retry'
  | 'deadLetter'
  | 'replay'
  | 'releaseAbandoned'
  | 'nextDueAt'
  | 'hasUnfinished'
>;

/** The log row's columns an outcome sets ($3…$7), after the item's id ($1) and owner ($2). */
const outcomeValues = (o: AttemptOutcome, now: number) => [
  o.attempts,
  o.jobId,
  o.durationMs,
  o.errorType ?? null,
  o.error ?? null,
  now,
];
const SET_OUTCOME = `attempts = $3, job_id = $4, duration_ms = $5, error_type = $6, error = $7, updated_at = $8`;

/**
 * The queue half of the delivery log on PostgreSQL. Steps that end an attempt are one
 * statement each (a data-modifying CTE: the queue item and its log row change together),
 * relaxed, and only by the item's owner: a stale owner (its lease was taken over) changes
 * nothing and gets false. Completions, the common outcome, are coalesced: those of one turn
 * are one statement.
 */
export function postgresClaims(db: PgPools, queueChannel: string): ClaimPart {
  const { relaxed, durable, where } = db;
  // Completions of one turn (the runner finishes many attempts at once under load) share a
  // statement: one round trip for all, each still by its owner only.
  const completions = new Coalescer<Completion, boolean>(
    async (batch) => {
      const { rows } = await query<{ id: string; owner: string }>(relaxed, where, COMPLETE_MANY, [
        batch.map((c) => c.id),
        batch.map((c) => c.owner),
        batch.map((c) => c.outcome.attempts),
        batch.map((c) => c.outcome.jobId),
        batch.map((c) => c.outcome.durationMs),
        batch.map((c) => c.now),
      ]);
      // By id and owner: the same item may be completed in one batch by a stale owner too.
      const done = new Set(rows.map((r) => JSON.stringify([r.id, r.owner])));
      return batch.map((c) => done.has(JSON.stringify([c.id, c.owner])));
    },
    (err) => err instanceof DatabaseUnavailableError,
  );
  return {
    async claim(owner, now, limit, lanes, leaseMs) {
      if (limit <= 0) return [];
      const running = lanes ? [...lanes.running] : [];
      const { rows } = await query<ClaimedRow>(relaxed, where, CLAIM, [
        owner,
        now,
        limit,
        now + leaseMs,
        lanes?.perLane ?? limit,
        running.map(([lane]) => lane),
        running.map(([, n]) => n),
      ]);
      return rows.map(toDelivery);
    },
    async renew(owner, ids, now, leaseMs) {
      if (ids.length === 0) return [];
      const { rows } = await query<{ id: string }>(
        relaxed,
        where,
        'UPDATE queue SET lease_until = $3 WHERE owner = $1 AND id = ANY($2::text[]) RETURNING id',
        [owner, ids, now + leaseMs],
      );
      return rows.map((r) => r.id);
    },
    async unclaim(owner, ids) {
      if (ids.length === 0) return;
      // Due again at once for every process: wake them (this one's runner is stopping).
      await query(
        relaxed,
        where,
        `WITH back AS (
           UPDATE queue SET owner = NULL, lease_until = NULL, attempts = attempts - 1
           WHERE owner = $1 AND id = ANY($2::text[]) RETURNING id)
         SELECT pg_notify($3, '') WHERE EXISTS (SELECT 1 FROM back)`,
        [owner, ids, queueChannel],
      );
    },
    complete: (owner, id, outcome, now) => completions.add({ owner, id, outcome, now }),
    async retry(owner, id, runAt, outcome, now) {
      const { rowCount } = await query(
        relaxed,
        where,
        `WITH back AS (UPDATE queue SET owner = NULL, lease_until = NULL, run_at = $9
           WHERE id = $1 AND owner = $2 RETURNING id)
         UPDATE trigger_logs t SET status = 'failed', ${SET_OUTCOME}
         FROM back WHERE t.id = back.id RETURNING t.id, pg_notify($10, '')`,
        [id, owner, ...outcomeValues(outcome, now), runAt, queueChannel],
      );
      return rowCount === 1;
    },
    async deadLetter(owner, id, outcome, now) {
      const { rowCount } = await query(
        relaxed,
        where,
        `WITH gone AS (DELETE FROM queue WHERE id = $1 AND owner = $2 RETURNING id)
         UPDATE trigger_logs t SET status = 'dead_letter', ${SET_OUTCOME}
         FROM gone WHERE t.id = gone.id RETURNING t.id`,
        [id, owner, ...outcomeValues(outcome, now)],
      );
      return rowCount === 1;
    },
    async replay(logId, now) {
      // The log row is locked, so two replays of one firing queue it once (the second finds
      // it queued); the queue's primary key backs that up.
      const { rowCount } = await query(
        durable,
        where,
        `WITH log AS (
           SELECT id, trigger, lane, inbox_id FROM trigger_logs
           WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM queue WHERE id = $1) FOR UPDATE),
         queued AS (
           INSERT INTO queue (id, trigger, lane, inbox_id, attempts, run_at)
           SELECT id, trigger, lane, inbox_id, 0, $2 FROM log
           ON CONFLICT (id) DO NOTHING RETURNING id),
         reopened AS (
           UPDATE trigger_logs t SET status = 'pending', attempts = 0, error_type = NULL,
             error = NULL, updated_at = $2
           FROM queued WHERE t.id = queued.id RETURNING t.id)
         SELECT id, pg_notify($3, '') FROM reopened`,
        [logId, now, queueChannel],
      );
      return rowCount === 1;
    },
    // Several processes share the queue: a dead one's claims are taken over when their
    // leases expire (claim), never released at another's start.
    releaseAbandoned: () => Promise.resolve(0),
    async nextDueAt() {
      const { rows } = await query<{ t: number | null }>(
        relaxed,
        where,
        `SELECT LEAST((SELECT min(run_at) FROM queue WHERE owner IS NULL),
                      (SELECT min(lease_until) FROM queue WHERE owner IS NOT NULL)) AS t`,
      );
      return rows[0]?.t ?? undefined;
    },
    async hasUnfinished(trigger) {
      const { rows } = await query<{ yes: boolean }>(
        relaxed,
        where,
        `SELECT EXISTS (SELECT 1 FROM queue WHERE trigger = $1)
             OR EXISTS (SELECT 1 FROM inbox WHERE source = 'timer' AND key = $1 AND status = 0) AS yes`,
        [trigger],
      );
      return rows[0]?.yes === true;
    },
  };
}
