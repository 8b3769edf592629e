import type { DeliveryLog, InboxEntry, InboxSummary } from '../ports.ts';
import {
  CODE_OF,
  toInboxSummary,
  toPending,
  type PendingRow,
  type SummaryColumns,
} from '../rows/inbox.ts';
import { query, type PgPools } from './pool.ts';
import type { DeliveryChannels } from './delivery-log.ts';
import { FIRING_ROWS, WAKE_RUNNERS, firingValues, type BatchFiring } from './dispatch.ts';

interface SummaryRow extends SummaryColumns {
  status: number;
}

const toSummary = (row: SummaryRow): InboxSummary => toInboxSummary(row, row.status);

const SUMMARY = 'SELECT id, source, key, received_at, status, dispatch_error, failed_at FROM inbox';

type InboxPart = Pick<
  DeliveryLog,
  'accept' | 'pending' | 'setAside' | 'replayEntry' | 'listEntries' | 'getEntry' | 'pruneEntries'
>;

/** Rows deleted per statement by retention: short transactions, no long locks. */
const PRUNE_BATCH = 1000;

/**
 * The inbox half of the delivery log on PostgreSQL. `accept` is one statement (so one
 * transaction) per group, on a durable connection (synchronous_commit = on): it resolves
 * once the entries are on the server's disk, and NOTIFY (delivered at that commit, naming
 * the sender) wakes the dispatchers of the other processes. Entries given with their
 * firings are stored dispatched with them in that statement: no dispatch round trip, no
 * update of the inbox row (its status index would make it a non-HOT update).
 */
export function postgresInbox(db: PgPools, channels: DeliveryChannels, sender: string): InboxPart {
  const { durable, relaxed, where } = db;
  const inboxChannel = channels.inbox;
  const entryValues = (entries: InboxEntry[]) => [
    entries.map((e) => e.id),
    entries.map((e) => e.source),
    entries.map((e) => e.key),
    entries.map((e) => e.dedupKey),
    entries.map((e) => e.dataJson ?? JSON.stringify(e.data)),
    entries.map((e) => e.receivedAt),
  ];
  /** Entries none of which is dispatched with its accept: the inserts, then one NOTIFY. */
  const acceptPending = async (entries: InboxEntry[]) => {
    // ON CONFLICT DO NOTHING against the unique (source, key, dedup_key) index makes dedup
    // atomic across processes; rows go in the given order, so of two with one dedup key
    // in a group the first is kept.
    const { rows } = await query<{ id: string }>(
      durable,
      where,
      `WITH added AS (
         INSERT INTO inbox (id, source, key, dedup_key, data, received_at)
         SELECT id, source, key, dedup_key, data, received_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
           WITH ORDINALITY AS e(id, source, key, dedup_key, data, received_at, n)
         ORDER BY n
         ON CONFLICT DO NOTHING
         RETURNING id)
       SELECT id, pg_notify($7, $8) FROM added`,
      [...entryValues(entries), inboxChannel, sender],
    );
    return new Set(rows.map((r) => r.id));
  };
  /**
   * Entries some of which carry their firings: those stored dispatched (status 1), with their
   * firings' rows (FIRING_ROWS, $1–$13; $10 the entries' ids) in the same statement; the other processes'
   * dispatchers are woken only if a new entry was stored pending (nothing else is left for them).
   */
  const acceptDispatched = async (entries: InboxEntry[]) => {
    const firings: BatchFiring[] = entries.flatMap((e) =>
      (e.firings ?? []).map((firing) => ({ inboxId: e.id, firing })),
    );
    if (firings.some((b) => b.firing.guard !== undefined))
      throw new Error('a firing dispatched with its accept cannot carry a frequency guard');
    const now = Math.max(...entries.map((e) => e.receivedAt));
    const { rows } = await query<{ added: string[] | null }>(
      durable,
      where,
      `WITH added AS (
         INSERT INTO inbox (id, source, key, dedup_key, data, received_at, status)
         SELECT id, source, key, dedup_key, data, received_at, status
         FROM unnest($10::text[], $14::text[], $15::text[], $16::text[], $17::text[],
           $18::bigint[], $19::int2[])
           WITH ORDINALITY AS e(id, source, key, dedup_key, data, received_at, status, n)
         ORDER BY n
         ON CONFLICT DO NOTHING
         RETURNING id, status),
       taken AS (SELECT id FROM added WHERE status = 1),
       ${FIRING_ROWS}
       SELECT (SELECT array_agg(id) FROM added) AS added, ${WAKE_RUNNERS} AS woke,
         (SELECT pg_notify($20, $11) WHERE EXISTS (SELECT 1 FROM added WHERE status = 0)) AS told`,
      [
        ...firingValues(
          firings,
          now,
          entries.map((e) => e.id),
          channels.queue,
          sender,
        ),
        ...entryValues(entries).slice(1),
        entries.map((e) => (e.firings ? 1 : 0)),
        inboxChannel,
      ],
    );
    return new Set(rows[0]?.added ?? []);
  };
  return {
    async accept(entries: InboxEntry[]) {
      if (entries.length === 0) return [];
      const added = entries.some((e) => e.firings)
        ? await acceptDispatched(entries)
        : await acceptPending(entries);
      return entries.map((e) => added.has(e.id));
    },
    async pending(limit) {
      const { rows } = await query<PendingRow>(
        relaxed,
        where,
        `SELECT id, source, key, dedup_key, data, received_at FROM inbox
         WHERE status = 0 ORDER BY received_at, seq LIMIT $1`,
        [limit],
      );
      return rows.map(toPending);
    },
    async setAside(id, error, at) {
      await query(
        relaxed,
        where,
        'UPDATE inbox SET status = 2, dispatch_error = $2, failed_at = $3 WHERE id = $1 AND status = 0',
        [id, error, at],
      );
    },
    async replayEntry(id) {
      const { rowCount } = await query(
        durable,
        where,
        `WITH back AS (UPDATE inbox SET status = 0, dispatch_error = NULL, failed_at = NULL
           WHERE id = $1 AND status = 2 RETURNING id)
         SELECT id, pg_notify($2, '') FROM back`,
        [id, inboxChannel],
      );
      return rowCount === 1;
    },
    async listEntries({ status, limit, offset }) {
      const filter = status === undefined ? '' : 'WHERE status = $3';
      const params: unknown[] = [limit, offset];
      if (status !== undefined) params.push(CODE_OF[status]);
      const [count, page] = await Promise.all([
        query<{ n: number }>(
          relaxed,
          where,
          `SELECT count(*)::int AS n FROM inbox ${status === undefined ? '' : 'WHERE status = $1'}`,
          status === undefined ? [] : [CODE_OF[status]],
        ),
        query<SummaryRow>(
          relaxed,
          where,
          `${SUMMARY} ${filter} ORDER BY received_at DESC, seq DESC LIMIT $1 OFFSET $2`,
          params,
        ),
      ]);
      return { total: count.rows[0]!.n, objects: page.rows.map(toSummary) };
    },
    async getEntry(id) {
      const { rows } = await query<SummaryRow>(relaxed, where, `${SUMMARY} WHERE id = $1`, [id]);
      return rows[0] && toSummary(rows[0]);
    },
    async pruneEntries(before) {
      // Dispatched entries past retention: dropped when no log row nor job names them; else
      // their event stays (its only copy) and their dedup key goes: the dedup window is the
      // retention either way. In batches: short transactions.
      let total = 0;
      for (;;) {
        const { rows } = await query<{ dropped: number; forgot: number }>(
          relaxed,
          where,
          `WITH old AS (
             SELECT i.id, EXISTS (SELECT 1 FROM trigger_logs t WHERE t.inbox_id = i.id)
                 OR EXISTS (SELECT 1 FROM jobs j WHERE j.inbox_id = i.id) AS named
             FROM inbox i
             WHERE i.status = 1 AND i.received_at < $1
               AND (i.dedup_key IS NOT NULL OR NOT (
                 EXISTS (SELECT 1 FROM trigger_logs t WHERE t.inbox_id = i.id)
                 OR EXISTS (SELECT 1 FROM jobs j WHERE j.inbox_id = i.id)))
             LIMIT $2),
           dropped AS (DELETE FROM inbox WHERE id IN (SELECT id FROM old WHERE NOT named) RETURNING 1),
           forgot AS (UPDATE inbox SET dedup_key = NULL
             WHERE id IN (SELECT id FROM old WHERE named) RETURNING 1)
           SELECT (SELECT count(*)::int FROM dropped) AS dropped,
                  (SELECT count(*)::int FROM forgot) AS forgot`,
          [before, PRUNE_BATCH],
        );
        const done = rows[0]!.dropped + rows[0]!.forgot;
        total += done;
        if (done < PRUNE_BATCH) return total;
      }
    },
  };
}
