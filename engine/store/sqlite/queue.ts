import type { Database } from 'better-sqlite3';
import type { NewFiring, Queue, QueueItem } from '../ports.ts';
import { fromJson } from './json-column.ts';
import { writeBehindOf } from './write-behind.ts';
import { DueIndex, laneOf, type DueEntry } from './due-index.ts';

interface QueueRow {
  id: string;
  trigger_log_id: string;
  trigger: string;
  action_index: number;
  action: string;
  event: string | null;
  event_type: string;
  attempts: number;
  run_at: number;
  lane: string;
}

const toItem = (row: QueueRow): QueueItem => ({
  id: row.id,
  triggerLogId: row.trigger_log_id,
  trigger: row.trigger,
  actionIndex: row.action_index,
  action: JSON.parse(row.action) as Record<string, unknown>,
  event: fromJson(row.event, null),
  eventType: row.event_type,
  attempts: row.attempts,
  runAt: row.run_at,
  lane: row.lane,
});

// The concurrency lane of a queued firing (QueueItem.lane): one per function, whichever
// triggers call it; one per trigger action for table and webhook actions.
const LANE = `CASE WHEN json_extract(q.action, '$.type') = 'function'
  THEN 'function:' || json_extract(q.action, '$.function')
  ELSE 'action:' || q.trigger || '#' || q.action_index END`;

export function sqliteQueue(db: Database): Queue {
  const markDispatched = db.prepare('UPDATE inbox SET dispatched = 1 WHERE id = ?');
  const insertLog = db.prepare(`
    INSERT INTO trigger_logs (id, trigger, triggered_at, event, inbox_id, action_index, action, status, attempts, updated_at)
    VALUES (@logId, @trigger, @now, @event, @inboxId, @actionIndex, @action, 'pending', 0, @now)`);
  const insertItem = db.prepare(`
    INSERT INTO queue (id, trigger_log_id, trigger, action_index, action, event, event_type, attempts, run_at)
    VALUES (@logId, @logId, @trigger, @actionIndex, @action, @event, @eventType, 0, @now)`);
  // Unclaimed items by lane, in memory (due-index.ts); these two statements fill it at start
  // and read the rows a claim takes.
  const unclaimed = db.prepare<[], { rid: number; id: string; run_at: number; lane: string }>(`
    SELECT q.rowid AS rid, q.id, q.run_at, ${LANE} AS lane FROM queue q WHERE q.claimed = 0`);
  const byRowid = db.prepare<[number], QueueRow & { claimed: number }>(
    'SELECT * FROM queue WHERE rowid = ?',
  );
  const lastFired = db.prepare<[string, number, number], { t: number | null }>(
    'SELECT MAX(triggered_at) AS t FROM trigger_logs WHERE trigger = ? AND action_index = ? AND triggered_at >= ?',
  );
  const claim = db.prepare('UPDATE queue SET claimed = 1, attempts = attempts + 1 WHERE id = ?');
  const claimFree = db.prepare(
    'UPDATE queue SET claimed = 1, attempts = attempts + 1 WHERE id = ? AND claimed = 0',
  );
  const remove = db.prepare('DELETE FROM queue WHERE id = ?');
  const retry = db.prepare('UPDATE queue SET claimed = 0, run_at = ? WHERE id = ?');
  const release = db.prepare('UPDATE queue SET claimed = 0 WHERE claimed = 1');
  const logById = db.prepare<
    [string],
    { trigger: string; action_index: number; action: string; event: string | null; status: string }
  >('SELECT trigger, action_index, action, event, status FROM trigger_logs WHERE id = ?');
  const queued = db.prepare('SELECT 1 FROM queue WHERE id = ?');
  const reopenLog = db.prepare(
    `UPDATE trigger_logs SET status = 'pending', attempts = 0, error_type = NULL, error = NULL, updated_at = ? WHERE id = ?`,
  );
  // A timer firing is unfinished from the moment its tick is in the inbox, not only once queued.
  const unfinished = db.prepare(`
    SELECT 1 FROM queue WHERE trigger = @trigger
    UNION ALL SELECT 1 FROM inbox WHERE source = 'timer' AND key = @trigger AND dispatched = 0
    LIMIT 1`);
  // The event.eventType of SPEC §5 for the trigger's type (wechat_message pushes are 'trigger').
  const eventTypeOf = db.prepare<[string], { type: string }>(
    "SELECT CASE type WHEN 'wechat_message' THEN 'trigger' ELSE type END AS type FROM triggers WHERE name = ?",
  );

  // Dispatches share a commit per synchronous run; completions and retries are written behind
  // with the rest of the turn's bookkeeping (see write-behind.ts); reads flush first.
  const writes = writeBehindOf(db);
  const index = new DueIndex();
  /** Claimed items by id, for a retry to put back in the index without a read. */
  const claimed = new Map<string, DueEntry>();
  const loadIndex = () => {
    index.clear();
    for (const r of unclaimed.iterate())
      index.add({ id: r.id, rowid: r.rid, runAt: r.run_at, lane: r.lane });
  };
  loadIndex();

  /** Entries inserted by the dispatch running now; indexed once it has succeeded. */
  let added: DueEntry[] = [];
  const dispatch = db.transaction((inboxId: string | null, firings: NewFiring[], now: number) => {
    if (inboxId !== null) markDispatched.run(inboxId);
    let event: string | undefined;
    let eventOf: unknown;
    for (const f of firings) {
      if (
        f.guard &&
        !f.guard.admit(lastFired.get(f.trigger, f.actionIndex, f.guard.since)?.t ?? undefined)
      )
        continue;
      // The firings of one entry share its event: serialised once for all their rows.
      if (event === undefined || eventOf !== f.event) {
        eventOf = f.event;
        event = JSON.stringify(f.event);
      }
      const row = {
        logId: f.logId,
        trigger: f.trigger,
        actionIndex: f.actionIndex,
        eventType: f.eventType,
        inboxId,
        now,
        action: JSON.stringify(f.action),
        event,
      };
      insertLog.run(row);
      const rowid = Number(insertItem.run(row).lastInsertRowid);
      const lane = laneOf(f.action, f.trigger, f.actionIndex);
      added.push({
        id: f.logId,
        rowid,
        runAt: now,
        lane,
        item: {
          id: f.logId,
          triggerLogId: f.logId,
          trigger: f.trigger,
          actionIndex: f.actionIndex,
          action: f.action,
          event: f.event ?? null,
          eventType: f.eventType,
          attempts: 0,
          runAt: now,
          lane,
        },
      });
    }
  });
  const dispatchIndexed = (inboxId: string | null, firings: NewFiring[], now: number) => {
    added = [];
    dispatch(inboxId, firings, now);
    for (const e of added) index.add(e);
  };

  const claimPicked = db.transaction((picked: DueEntry[]) => {
    const items: QueueItem[] = [];
    for (const entry of picked) {
      index.delete(entry.id);
      let item: QueueItem;
      if (entry.item) {
        // No changes: the row has gone or was taken (a dispatch rolled back after it was
        // indexed).
        if (claimFree.run(entry.id).changes !== 1) continue;
        item = { ...entry.item, attempts: entry.item.attempts + 1 };
      } else {
        const row = byRowid.get(entry.rowid);
        if (!row || row.id !== entry.id || row.claimed !== 0) continue;
        claim.run(row.id);
        item = { ...toItem({ ...row, lane: entry.lane }), attempts: row.attempts + 1 };
      }
      claimed.set(item.id, { ...entry, item });
      items.push(item);
    }
    return items;
  });

  return {
    // A drain of many inbox entries commits once (BEGIN IMMEDIATE: the frequency guards read
    // and the inserts happen under one write lock, even against another process on the same
    // file); each dispatch is a savepoint in it, so still all-or-nothing.
    dispatch: (inboxId, firings, now) => writes.soon(() => dispatchIndexed(inboxId, firings, now)),
    // Claims need no durability (they are released at start), so their commit is relaxed;
    // it is one with the queued bookkeeping before it (a retry that makes an item claimable
    // again lands first) and the job rows the runner creates right after (`soon`).
    claimDue: (now, limit, lanes) => {
      const perLane = lanes?.perLane ?? limit;
      const room = (lane: string) => perLane - (lanes?.running.get(lane) ?? 0);
      const picked = index.pick(now, limit, room);
      // Nothing to take: no transaction (it would commit the deferred writes one by one).
      return picked.length === 0 ? [] : writes.soon(() => claimPicked(picked));
    },
    // The index holds exactly the unclaimed items (a retry is put back as it is deferred).
    nextRunAt: () => index.earliest(),
    complete: (id) => {
      claimed.delete(id);
      index.delete(id);
      writes.defer(['queue'], () => remove.run(id));
    },
    remove: (id) => {
      claimed.delete(id);
      index.delete(id);
      writes.defer(['queue'], () => remove.run(id));
    },
    retryAt: (id, runAt) => {
      const entry = claimed.get(id);
      claimed.delete(id);
      // The row is unclaimed once the deferred write lands; claimDue flushes before it reads.
      if (entry)
        index.add({ ...entry, runAt, ...(entry.item ? { item: { ...entry.item, runAt } } : {}) });
      writes.defer(['queue'], () => retry.run(runAt, id));
    },
    replay: db.transaction((logId: string, now: number) => {
      writes.flush(); // reads both the log and the queue
      const log = logById.get(logId);
      if (!log || queued.get(logId)) return false;
      reopenLog.run(now, logId);
      const { lastInsertRowid } = insertItem.run({
        logId,
        trigger: log.trigger,
        actionIndex: log.action_index,
        action: log.action,
        event: log.event,
        eventType: eventTypeOf.get(log.trigger)?.type ?? 'trigger',
        now,
      });
      const lane = laneOf(
        JSON.parse(log.action) as Record<string, unknown>,
        log.trigger,
        log.action_index,
      );
      index.add({ id: logId, rowid: Number(lastInsertRowid), runAt: now, lane });
      return true;
    }),
    hasUnfinished: (trigger) => {
      writes.flush(); // reads both the queue and the inbox marks dispatches write
      return unfinished.get({ trigger }) !== undefined;
    },
    releaseClaims: () => {
      writes.flushFor('queue');
      const released = release.run().changes;
      claimed.clear();
      loadIndex();
      return released;
    },
  };
}
