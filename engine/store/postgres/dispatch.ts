import type pg from 'pg';
import type {
  DeliveryLog,
  EntryDispatch,
  EntryDispatchResult,
  FrequencyGuard,
  NewFiring,
} from '../ports.ts';
import { DatabaseUnavailableError } from './errors.ts';
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

/** A firing with the entry it is for: the rows of the batch's one multi-row insert. */
export interface BatchFiring {
  inboxId: string;
  firing: NewFiring;
}

/**
 * The notice of unclaimed items queued: the sender ($11) and the lanes they are in, so a
 * runner that holds enough of those lanes' items already need not claim at once
 * (queueNotice reads it); just the sender if the lanes are many (a wake for any lane).
 */
const QUEUED_NOTICE = `CASE WHEN length(lanes) > 1000 THEN $11 ELSE $11 || ' ' || lanes END`;

/**
 * Writes the firings' log rows and queue items (one multi-row statement each, from arrays),
 * only for entries in `taken` (a CTE before it), and gathers in `woken` the lanes of the
 * unclaimed items written: WAKE_RUNNERS then wakes the job runners naming the sender ($11).
 * An item claimed at dispatch ($12 its owner, $13 its lease; null when not) is written as a
 * claim leaves it and needs nobody woken. The items go in the given order (the queue's seq:
 * oldest first within a run time). The dispatch (below) and the accept of entries dispatched
 * with it (inbox.ts) both end with it.
 */
export const FIRING_ROWS = `
  f AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
      $7::text[], $12::text[], $13::int8[])
      WITH ORDINALITY AS f(id, inbox_id, trigger, action_index, action, event_type, lane, owner,
        lease_until, n)
    WHERE f.inbox_id IN (SELECT id FROM taken)),
  logs AS (
    INSERT INTO trigger_logs (id, trigger, triggered_at, inbox_id, action_index, action,
      event_type, lane, status, attempts, updated_at)
    SELECT id, trigger, $8, inbox_id, action_index, action, event_type, lane, 'pending', 0, $8
    FROM f ORDER BY n),
  items AS (
    INSERT INTO queue (id, trigger, lane, inbox_id, attempts, run_at, owner, lease_until)
    SELECT id, trigger, lane, inbox_id, CASE WHEN owner IS NULL THEN 0 ELSE 1 END, $8, owner,
      lease_until FROM f ORDER BY n
    RETURNING owner, lane),
  woken AS (SELECT string_agg(DISTINCT lane, ' ') AS lanes FROM items WHERE owner IS NULL)`;

/** The wake-up of the job runners when FIRING_ROWS queued an unclaimed item (a column). */
export const WAKE_RUNNERS = `(SELECT pg_notify($9, ${QUEUED_NOTICE}) FROM woken WHERE lanes IS NOT NULL)`;

const INSERT_FIRINGS = `${FIRING_ROWS}
  SELECT (SELECT array_agg(id) FROM taken) AS taken, ${WAKE_RUNNERS} AS woke`;

/** The parameters $1–$13 of FIRING_ROWS and WAKE_RUNNERS ($10: the entries' ids). */
export const firingValues = (
  firings: BatchFiring[],
  now: number,
  entryIds: string[],
  queueChannel: string,
  sender: string,
) => [
  firings.map((b) => b.firing.logId),
  firings.map((b) => b.inboxId),
  firings.map((b) => b.firing.trigger),
  firings.map((b) => b.firing.actionIndex),
  firings.map((b) => JSON.stringify(b.firing.action)),
  firings.map((b) => b.firing.eventType),
  firings.map((b) => b.firing.lane),
  now,
  queueChannel,
  entryIds,
  sender,
  firings.map((b) => b.firing.claimedBy?.owner ?? null),
  firings.map((b) => b.firing.claimedBy?.leaseUntil ?? null),
];

/**
 * Marks the pending entries of $10 dispatched, skipping those another process holds (FOR
 * UPDATE SKIP LOCKED: never waited for; that process dispatches them).
 */
const TAKE_ENTRIES = `taken AS (
    UPDATE inbox SET status = 1 WHERE id IN (
      SELECT id FROM inbox WHERE id = ANY($10::text[]) AND status = 0 FOR UPDATE SKIP LOCKED)
    RETURNING id)`;

/**
 * `dispatch` and `dispatchMany` on PostgreSQL: bookkeeping, relaxed (lost in a server crash,
 * the entries are simply dispatched again). A batch is one transaction. Its entries' rows are
 * taken FOR UPDATE SKIP LOCKED, so of two processes dispatching one entry one goes on and
 * the other finds it taken ([]) at once, never waiting. Without frequency guards the batch is
 * ONE statement (one round trip): the entries marked, the log rows and queue items of those
 * taken written with one multi-row insert each. With guards, a transaction of four: take the
 * entries; the transaction-scoped advisory locks of every guarded trigger action in the
 * batch, taken in one order (hash, then key) so two batches never deadlock; the actions'
 * last firings read after the locks are held (so a burst across processes admits exactly one
 * `once`); the admitted firings' rows. A batch that fails (an entry's rows cannot be stored)
 * is rolled back and its entries are dispatched one by one, so only the bad one fails.
 */
export function postgresDispatch(
  db: PgPools,
  queueChannel: string,
  sender: string,
): Pick<DeliveryLog, 'dispatch' | 'dispatchMany'> {
  const values = (firings: BatchFiring[], now: number, entryIds: string[]) =>
    firingValues(firings, now, entryIds, queueChannel, sender);

  /** One transaction for the batch; resolves to the admitted ids of each entry taken. */
  const dispatchBatch = async (
    entries: EntryDispatch[],
    now: number,
  ): Promise<Map<string, string[]>> => {
    const ids = entries.map((e) => e.inboxId);
    const all = entries.flatMap((e) => e.firings.map((firing) => ({ inboxId: e.inboxId, firing })));
    if (!all.some((b) => b.firing.guard !== undefined)) {
      const { rows } = await query<{ taken: string[] | null }>(
        db.relaxed,
        db.where,
        `WITH ${TAKE_ENTRIES}, ${INSERT_FIRINGS}`,
        values(all, now, ids),
      );
      const taken = new Set(rows[0]?.taken ?? []);
      return new Map(
        entries
          .filter((e) => taken.has(e.inboxId))
          .map((e) => [e.inboxId, e.firings.map((f) => f.logId)]),
      );
    }
    return transaction(db.relaxed, db.where, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `UPDATE inbox SET status = 1 WHERE id IN (
           SELECT id FROM inbox WHERE id = ANY($1::text[]) AND status = 0 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [ids],
      );
      const taken = new Set(rows.map((r) => r.id));
      const mine = all.filter((b) => taken.has(b.inboxId));
      const admitted = await admittedFirings(client, mine, now);
      if (admitted.length > 0)
        await client.query(
          `WITH taken AS (SELECT unnest($10::text[]) AS id), ${INSERT_FIRINGS}`,
          values(admitted, now, [...taken]),
        );
      const result = new Map<string, string[]>([...taken].map((id) => [id, []]));
      for (const b of admitted) result.get(b.inboxId)!.push(b.firing.logId);
      return result;
    });
  };

  const dispatchMany = async (
    entries: EntryDispatch[],
    now: number,
  ): Promise<EntryDispatchResult[]> => {
    if (entries.length === 0) return [];
    try {
      const admitted = await dispatchBatch(entries, now);
      return entries.map((e) => ({ admitted: admitted.get(e.inboxId) ?? [] }));
    } catch (err) {
      // The database is gone: nothing was done, every entry stays pending.
      if (err instanceof DatabaseUnavailableError) throw err;
      if (entries.length === 1) return [{ error: err }];
      // Rolled back as a whole: each alone, so only the entry at fault fails.
      const results: EntryDispatchResult[] = [];
      for (const entry of entries) results.push(...(await dispatchMany([entry], now)));
      return results;
    }
  };

  return {
    dispatchMany,
    async dispatch(inboxId, firings, now) {
      const [result] = await dispatchMany([{ inboxId, firings }], now);
      if ('error' in result!) throw result.error;
      return result!.admitted;
    },
  };
}

/**
 * The firings the frequency guards let through, in the order given, decided under the
 * per-action advisory locks (held until the batch's transaction ends).
 */
async function admittedFirings(
  client: pg.PoolClient,
  firings: BatchFiring[],
  now: number,
): Promise<BatchFiring[]> {
  const guarded = firings.filter((b) => b.firing.guard !== undefined);
  if (guarded.length === 0) return firings;
  const keys = [...new Set(guarded.map((b) => actionKey(b.firing)))];
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
      guarded.map((b) => b.firing.trigger),
      guarded.map((b) => b.firing.actionIndex),
      guarded.map((b) => b.firing.guard!.since),
    ],
  );
  const lastOf = new Map<BatchFiring, number | undefined>();
  for (const row of rows) lastOf.set(guarded[row.n - 1]!, row.last ?? undefined);
  // Firings admitted earlier in this batch count as this action's last.
  const firedNow = new Set<string>();
  return firings.filter((b) => {
    const guard = b.firing.guard;
    if (guard === undefined) return true;
    const key = actionKey(b.firing);
    const last = firedNow.has(key) ? now : lastOf.get(b);
    if (!admits(guard, last, now)) return false;
    firedNow.add(key);
    return true;
  });
}
