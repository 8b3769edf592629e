import type pg from 'pg';
import type { DeliveryLog, FrequencyGuard, NewFiring } from '../ports.ts';
import { query, transaction, type PgPools } from './pool.ts';

/** Whether a guarded firing may go, given its action's last firing (at or after `since`). */
export function admits(
  guard: FrequencyGuard,
  lastFiredAt: number | undefined,
  now: number,
): boolean {
  if (lastFiredAt === undefined) return true;
  if (guard.kind === 'once') return false;
  // A last firing in the future of `now` (the clock went back) blocks too.
  return now - lastFiredAt >= guard.ms;
}

const actionKey = (f: Pick<NewFiring, 'trigger' | 'actionIndex'>) =>
  `${f.trigger}#${f.actionIndex}`;

/** Writes the admitted firings' log rows and queue items; $11 is the entry taken (or not). */
const INSERT_FIRINGS = `
  logs AS (
    INSERT INTO trigger_logs (id, trigger, triggered_at, inbox_id, action_index, action,
      event_type, lane, status, attempts, updated_at)
    SELECT f.id, f.trigger, $9, $10, f.action_index, f.action, f.event_type, f.lane, 'pending', 0, $9
    FROM taken, unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])
      AS f(id, trigger, action_index, action, event_type, lane)),
  items AS (
    INSERT INTO queue (id, trigger, lane, inbox_id, attempts, run_at)
    SELECT f.id, f.trigger, f.lane, $10, 0, $9
    FROM taken, unnest($1::text[], $2::text[], $6::text[]) AS f(id, trigger, lane))
  SELECT taken.id, CASE WHEN cardinality($1::text[]) > 0 THEN pg_notify($7, $8) END AS woke
  FROM taken`;

/**
 * `dispatch` on PostgreSQL: bookkeeping, relaxed (lost in a server crash, the entry is
 * simply dispatched again). The entry's row is taken FOR UPDATE SKIP LOCKED, so of two
 * processes dispatching it one goes on and the other returns [] at once, never waiting.
 * Without frequency guards it is one statement (one round trip, one transaction): the entry
 * marked dispatched, the log rows and queue items written only if it was taken. With guards,
 * a transaction: they are decided under a transaction-scoped advisory lock per trigger
 * action (taken in one order: no deadlock), read after the lock is held, so a burst across
 * processes admits exactly one `once`.
 */
export function postgresDispatch(db: PgPools, queueChannel: string): DeliveryLog['dispatch'] {
  const values = (firings: NewFiring[], inboxId: string, now: number) => [
    firings.map((f) => f.logId),
    firings.map((f) => f.trigger),
    firings.map((f) => f.actionIndex),
    firings.map((f) => JSON.stringify(f.action)),
    firings.map((f) => f.eventType),
    firings.map((f) => f.lane),
    queueChannel,
    '',
    now,
    inboxId,
  ];
  return async (inboxId, firings, now) => {
    if (!firings.some((f) => f.guard !== undefined)) {
      const { rows } = await query(
        db.relaxed,
        db.where,
        `WITH ${TAKE_ENTRY}, ${INSERT_FIRINGS}`,
        values(firings, inboxId, now),
      );
      return rows.length === 1 ? firings.map((f) => f.logId) : [];
    }
    return transaction(db.relaxed, db.where, async (client) => {
      const taken = await client.query(
        `UPDATE inbox SET status = 1 WHERE id = (
           SELECT id FROM inbox WHERE id = $1 AND status = 0 FOR UPDATE SKIP LOCKED) RETURNING id`,
        [inboxId],
      );
      if (taken.rowCount !== 1) return [];
      const admitted = await admittedFirings(client, firings, now);
      if (admitted.length > 0)
        await client.query(
          `WITH taken AS (SELECT $10::text AS id), ${INSERT_FIRINGS}`,
          values(admitted, inboxId, now),
        );
      return admitted.map((f) => f.logId);
    });
  };
}

/** Marks the entry ($10) dispatched if it is pending and no other process holds it. */
const TAKE_ENTRY = `taken AS (
    UPDATE inbox SET status = 1 WHERE id = (
      SELECT id FROM inbox WHERE id = $10 AND status = 0 FOR UPDATE SKIP LOCKED)
    RETURNING id)`;

/** The firings the frequency guards let through, decided under the per-action locks. */
async function admittedFirings(
  client: pg.PoolClient,
  firings: NewFiring[],
  now: number,
): Promise<NewFiring[]> {
  const guarded = firings.filter((f) => f.guard !== undefined);
  if (guarded.length === 0) return firings;
  const keys = [...new Set(guarded.map(actionKey))];
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':guard'), hashtext(k))
     FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY hashtext(k), k) ordered`,
    [keys],
  );
  const { rows } = await client.query<{ n: number; last: number | null }>(
    `SELECT g.n, (SELECT max(t.triggered_at) FROM trigger_logs t
       WHERE t.trigger = g.trigger AND t.action_index = g.action_index AND t.triggered_at >= g.since) AS last
     FROM unnest($1::text[], $2::int[], $3::bigint[]) WITH ORDINALITY AS g(trigger, action_index, since, n)`,
    [
      guarded.map((f) => f.trigger),
      guarded.map((f) => f.actionIndex),
      guarded.map((f) => f.guard!.since),
    ],
  );
  const lastOf = new Map<NewFiring, number | undefined>();
  for (const row of rows) lastOf.set(guarded[row.n - 1]!, row.last ?? undefined);
  // Firings admitted earlier in this dispatch count as this action's last.
  const firedNow = new Set<string>();
  return firings.filter((f) => {
    if (f.guard === undefined) return true;
    const key = actionKey(f);
    const last = firedNow.has(key) ? now : lastOf.get(f);
    if (!admits(f.guard, last, now)) return false;
    firedNow.add(key);
    return true;
  });
}
