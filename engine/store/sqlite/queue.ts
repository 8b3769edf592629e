import type { Database } from 'better-sqlite3';
import type {
  AttemptOutcome,
  Delivery,
  EntryDispatch,
  EntryDispatchResult,
  FrequencyGuard,
  InboxEntry,
  LaneCaps,
  NewFiring,
  TriggerLogStatus,
} from '../ports.ts';
import type { Action } from '../../triggers/index.ts';
import type { EventType } from '../../../runtime/sandbox.ts';
import { fromJsonText } from '../rows/json-text.ts';
import { writeBehindOf } from './write-behind.ts';
import { queuedFiringOf } from '../queued-firing.ts';
import { DueIndex, type DueEntry, type QueuedFiring } from './due-index.ts';

/** A queue row with what its trigger log row and inbox entry say of the firing. */
interface FiringRow {
  id: string;
  attempts: number;
  run_at: number;
  owner: string | null;
  trigger: string;
  action_index: number;
  action: string;
  event_type: EventType;
  lane: string;
  inbox_id: string | null;
  event: string | null;
}

const toFiring = (row: FiringRow): QueuedFiring => ({
  id: row.id,
  trigger: row.trigger,
  actionIndex: row.action_index,
  action: JSON.parse(row.action) as Action,
  eventType: row.event_type,
  lane: row.lane,
  inboxId: row.inbox_id,
  event: fromJsonText(row.event, null),
  attempts: row.attempts,
  runAt: row.run_at,
});

/** Whether a frequency guard lets a firing through, given this action's last firing. */
function admits(guard: FrequencyGuard, last: number | null | undefined, now: number): boolean {
  if (last === null || last === undefined) return true;
  // `once`: any firing since the trigger was saved blocks it. `atMostEvery`: a firing in the
  // window (or in the future of `now`, after the clock went back) blocks it.
  return guard.kind === 'atMostEvery' && now - last >= guard.ms;
}

interface Claim {
  entry: DueEntry & { item?: QueuedFiring };
  owner: string;
  leaseUntil: number;
}

/** The queue's side of the delivery log: dispatch, claims, outcomes, replay (one process). */
export interface QueueTable {
  /**
   * Runs `accept` (the inbox's transaction of a group), in which `writeAccepted` writes the
   * firings of new entries given with theirs: indexed for claims once `accept` returned.
   */
  accepting<T>(accept: () => T): T;
  /** Inside `accepting`'s transaction: a new entry's firings, written as `dispatch` would. */
  writeAccepted(entry: InboxEntry, now: number): void;
  dispatch(inboxId: string, firings: NewFiring[], now: number, event?: unknown): string[];
  dispatchMany(entries: EntryDispatch[], now: number): EntryDispatchResult[];
  claim(
    owner: string,
    now: number,
    limit: number,
    lanes: LaneCaps | undefined,
    leaseMs: number,
  ): Delivery[];
  renew(owner: string, ids: string[], now: number, leaseMs: number): string[];
  unclaim(owner: string, ids: string[]): void;
  finish(
    owner: string,
    id: string,
    status: Exclude<TriggerLogStatus, 'pending'>,
    outcome: AttemptOutcome,
    now: number,
    retryAt?: number,
  ): boolean;
  replay(logId: string, now: number): boolean;
  releaseAbandoned(): number;
  nextDueAt(): number | undefined;
  hasUnfinished(trigger: string): boolean;
}

export function sqliteQueueTable(db: Database): QueueTable {
  const markDispatched = db.prepare(
    'UPDATE inbox SET dispatched = 1 WHERE id = ? AND dispatched = 0',
  );
  const lastFired = db.prepare<[string, number, number], { t: number | null }>(
    'SELECT MAX(triggered_at) AS t FROM trigger_logs WHERE trigger = ? AND action_index = ? AND triggered_at >= ?',
  );
  // No copy of the event: the log row names its inbox entry.
  const insertLog = db.prepare(`
    INSERT INTO trigger_logs (id, trigger, triggered_at, inbox_id, action_index, action, event_type,
      lane, status, attempts, updated_at)
    VALUES (@logId, @trigger, @now, @inboxId, @actionIndex, @action, @eventType, @lane, 'pending', 0, @now)`);
  const insertItem = db.prepare('INSERT INTO queue (id, attempts, run_at) VALUES (?, 0, ?)');
  // Claimed at dispatch (NewFiring.claimedBy): written as `claimRow` would leave it.
  const insertClaimed = db.prepare(
    'INSERT INTO queue (id, attempts, run_at, owner, lease_until) VALUES (?, 1, ?, ?, ?)',
  );
  // Unclaimed items by lane, in memory (due-index.ts); these statements fill it at start and
  // read the rows a claim takes when this process did not queue them itself.
  const unclaimed = db.prepare<[], { rid: number; id: string; run_at: number; lane: string }>(`
    SELECT q.rowid AS rid, q.id, q.run_at, l.lane FROM queue q JOIN trigger_logs l ON l.id = q.id
    WHERE q.owner IS NULL`);
  const byRowid = db.prepare<[number], FiringRow>(`
    SELECT q.id, q.attempts, q.run_at, q.owner, l.trigger, l.action_index, l.action, l.event_type,
      l.lane, l.inbox_id, COALESCE(l.event, i.data) AS event
    FROM queue q JOIN trigger_logs l ON l.id = q.id LEFT JOIN inbox i ON i.id = l.inbox_id
    WHERE q.rowid = ?`);
  const claimRow = db.prepare(`
    UPDATE queue SET owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1
    WHERE id = @id AND (owner IS NULL OR lease_until <= @now)`);
  const renewRow = db.prepare('UPDATE queue SET lease_until = ? WHERE id = ? AND owner = ?');
  const unclaimRow = db.prepare(
    'UPDATE queue SET owner = NULL, lease_until = NULL, attempts = attempts - 1 WHERE id = ? AND owner = ?',
  );
  const removeRow = db.prepare('DELETE FROM queue WHERE id = ?');
  const retryRow = db.prepare(
    'UPDATE queue SET owner = NULL, lease_until = NULL, run_at = ? WHERE id = ?',
  );
  const releaseAll = db.prepare(
    'UPDATE queue SET owner = NULL, lease_until = NULL WHERE owner IS NOT NULL',
  );
  const finishLog = db.prepare(`
    UPDATE trigger_logs SET status = @status, attempts = @attempts, error_type = @errorType,
      error = @error, job_id = @jobId, duration_ms = @durationMs, updated_at = @now WHERE id = @id`);
  const logOf = db.prepare<[string], { lane: string }>(
    'SELECT lane FROM trigger_logs WHERE id = ?',
  );
  const queued = db.prepare('SELECT 1 FROM queue WHERE id = ?');
  const reopenLog = db.prepare(
    `UPDATE trigger_logs SET status = 'pending', attempts = 0, error_type = NULL, error = NULL,
      job_id = NULL, duration_ms = NULL, updated_at = ? WHERE id = ?`,
  );
  // A timer firing is unfinished from the moment its tick is in the inbox, not only once
  // queued. CROSS JOIN: walk the (short) queue, not the trigger's whole history of logs.
  const unfinished = db.prepare(`
    SELECT 1 FROM queue q CROSS JOIN trigger_logs l ON l.id = q.id WHERE l.trigger = @trigger
    UNION ALL SELECT 1 FROM inbox WHERE source = 'timer' AND key = @trigger AND dispatched = 0
    LIMIT 1`);

  // Dispatches share a commit per synchronous run; outcomes are written behind with the rest
  // of the turn's bookkeeping (see write-behind.ts); reads flush first.
  const writes = writeBehindOf(db);
  const index = new DueIndex();
  /** Claimed items by id: owner, lease, and the entry to put back in the index on a retry. */
  const claimed = new Map<string, Claim>();
  const loadIndex = () => {
    index.clear();
    for (const r of unclaimed.iterate())
      index.add({ id: r.id, rowid: r.rid, runAt: r.run_at, lane: r.lane });
  };
  loadIndex();

  /** Entries inserted by the dispatch running now; indexed once it has succeeded. */
  let added: DueEntry[] = [];
  /** Of those, the ones claimed at dispatch: held as claims (not indexed) once it has succeeded. */
  let addedClaims: Claim[] = [];
  /** What the dispatch running now inserted, indexed or held as claims: it has succeeded. */
  const keepAdded = () => {
    for (const e of added) index.add(e);
    for (const c of addedClaims) claimed.set(c.entry.id, c);
  };
  /** The firings' rows of an entry being dispatched (in its transaction): the ids admitted. */
  const writeFirings = (
    inboxId: string,
    firings: NewFiring[],
    now: number,
    event: unknown,
  ): string[] => {
    const admitted: string[] = [];
    for (const f of firings) {
      // Read in this transaction, after the inserts of the firings before it: a burst
      // cannot slip several firings past `once` or `atMostEvery`.
      if (
        f.guard &&
        !admits(f.guard, lastFired.get(f.trigger, f.actionIndex, f.guard.since)?.t, now)
      )
        continue;
      insertLog.run({
        logId: f.logId,
        trigger: f.trigger,
        now,
        inboxId,
        actionIndex: f.actionIndex,
        action: JSON.stringify(f.action),
        eventType: f.eventType,
        lane: f.lane,
      });
      const claim = f.claimedBy;
      const rowid = Number(
        (claim
          ? insertClaimed.run(f.logId, now, claim.owner, claim.leaseUntil)
          : insertItem.run(f.logId, now)
        ).lastInsertRowid,
      );
      admitted.push(f.logId);
      const entry: DueEntry = {
        id: f.logId,
        rowid,
        runAt: now,
        lane: f.lane,
        // Handed to the claim from memory when the caller gave the event.
        ...(event === undefined
          ? {}
          : { item: queuedFiringOf(f, inboxId, event, now, claim ? 1 : 0) }),
      };
      if (claim) addedClaims.push({ entry, owner: claim.owner, leaseUntil: claim.leaseUntil });
      else added.push(entry);
    }
    return admitted;
  };
  const dispatch = db.transaction(
    (inboxId: string, firings: NewFiring[], now: number, event: unknown): string[] =>
      // Already dispatched (or set aside): nothing to do, and nothing fires twice.
      markDispatched.run(inboxId).changes === 1 ? writeFirings(inboxId, firings, now, event) : [],
  );

  const claimPicked = db.transaction(
    (picked: DueEntry[], owner: string, now: number, leaseUntil: number) => {
      const items: Delivery[] = [];
      for (const entry of picked) {
        index.delete(entry.id);
        let firing: QueuedFiring;
        if (entry.item) {
          // No change: the row has gone or was taken (a dispatch rolled back after it was indexed).
          if (claimRow.run({ id: entry.id, owner, leaseUntil, now }).changes !== 1) continue;
          firing = { ...entry.item, attempts: entry.item.attempts + 1 };
        } else {
          const row = byRowid.get(entry.rowid);
          if (!row || row.id !== entry.id) continue;
          if (claimRow.run({ id: entry.id, owner, leaseUntil, now }).changes !== 1) continue;
          firing = { ...toFiring(row), attempts: row.attempts + 1 };
        }
        claimed.set(firing.id, { entry: { ...entry, item: firing }, owner, leaseUntil });
        items.push({ ...firing, owner, leaseUntil });
      }
      return items;
    },
  );

  /** Claims whose lease ran out go back in the index: the next claim takes them over. */
  const reclaimExpired = (now: number) => {
    for (const [id, c] of claimed)
      if (c.leaseUntil <= now) {
        claimed.delete(id);
        index.add(c.entry);
      }
  };

  return {
    accepting: (accept) => {
      added = [];
      addedClaims = [];
      try {
        const results = accept();
        keepAdded();
        return results;
      } finally {
        added = [];
        addedClaims = [];
      }
    },
    writeAccepted: (entry, now) => {
      if (entry.firings!.some((f) => f.guard !== undefined))
        throw new Error('a firing dispatched with its accept cannot carry a frequency guard');
      writeFirings(entry.id, entry.firings!, now, entry.data);
    },
    // A drain of many inbox entries commits once (BEGIN IMMEDIATE: the frequency guards read
    // and the inserts happen under one write lock, even against another connection to the
    // file); each dispatch is a savepoint in it, so still all-or-nothing.
    dispatch: (inboxId, firings, now, event) =>
      writes.soon(() => {
        added = [];
        addedClaims = [];
        const admitted = dispatch(inboxId, firings, now, event);
        keepAdded();
        return admitted;
      }),
    // One transaction for the batch, each entry a savepoint in it: an entry that fails is
    // undone alone and reported, the others stay.
    dispatchMany: (entries, now) =>
      writes.soon(() =>
        entries.map((e): EntryDispatchResult => {
          added = [];
          addedClaims = [];
          try {
            const admitted = dispatch(e.inboxId, e.firings, now, e.event);
            keepAdded();
            return { admitted };
          } catch (error) {
            return { error };
          }
        }),
      ),
    // Claims need no durability (they are released at start), so their commit is relaxed;
    // it is one with the queued bookkeeping before it (a retry that makes an item claimable
    // again lands first) and the job rows the runner creates right after (`soon`).
    claim: (owner, now, limit, lanes, leaseMs) => {
      reclaimExpired(now);
      const perLane = lanes?.perLane ?? limit;
      const room = (lane: string) => perLane - (lanes?.running.get(lane) ?? 0);
      const picked = index.pick(now, limit, room);
      // Nothing to take: no transaction (it would commit the deferred writes one by one).
      return picked.length === 0
        ? []
        : writes.soon(() => claimPicked(picked, owner, now, now + leaseMs));
    },
    renew: (owner, ids, now, leaseMs) => {
      const held: string[] = [];
      const leaseUntil = now + leaseMs;
      for (const id of ids) {
        const c = claimed.get(id);
        if (!c || c.owner !== owner) continue;
        c.leaseUntil = leaseUntil;
        held.push(id);
        writes.defer(['queue'], () => renewRow.run(leaseUntil, id, owner));
      }
      return held;
    },
    unclaim: (owner, ids) => {
      for (const id of ids) {
        const c = claimed.get(id);
        if (!c || c.owner !== owner) continue;
        claimed.delete(id);
        const { item, ...entry } = c.entry;
        // Due again as it was, with the attempt its claim counted taken back.
        index.add(item ? { ...entry, item: { ...item, attempts: item.attempts - 1 } } : entry);
        writes.defer(['queue'], () => unclaimRow.run(id, owner));
      }
    },
    finish: (owner, id, status, outcome, now, retryAt) => {
      const c = claimed.get(id);
      // Only the holder of the claim: a taken-over lease makes a late outcome a no-op.
      if (!c || c.owner !== owner) return false;
      claimed.delete(id);
      const log = {
        id,
        status,
        now,
        attempts: outcome.attempts,
        jobId: outcome.jobId,
        durationMs: outcome.durationMs,
        errorType: outcome.errorType ?? null,
        error: outcome.error ?? null,
      };
      if (retryAt === undefined) {
        writes.defer(['trigger_logs', 'queue'], () => {
          finishLog.run(log);
          removeRow.run(id);
        });
      } else {
        // The row is unclaimed once the deferred write lands; a claim flushes before it reads.
        const entry = c.entry;
        index.add({
          ...entry,
          runAt: retryAt,
          ...(entry.item ? { item: { ...entry.item, runAt: retryAt } } : {}),
        });
        writes.defer(['trigger_logs', 'queue'], () => {
          finishLog.run(log);
          retryRow.run(retryAt, id);
        });
      }
      return true;
    },
    replay: db.transaction((logId: string, now: number) => {
      writes.flush(); // reads both the log and the queue
      const log = logOf.get(logId);
      if (!log || queued.get(logId)) return false;
      reopenLog.run(now, logId);
      const { lastInsertRowid } = insertItem.run(logId, now);
      index.add({ id: logId, rowid: Number(lastInsertRowid), runAt: now, lane: log.lane });
      return true;
    }),
    releaseAbandoned: () => {
      writes.flushFor('queue');
      const released = releaseAll.run().changes;
      claimed.clear();
      loadIndex();
      return released;
    },
    nextDueAt: () => {
      let next = index.earliest();
      for (const c of claimed.values())
        if (next === undefined || c.leaseUntil < next) next = c.leaseUntil;
      return next;
    },
    hasUnfinished: (trigger) => {
      writes.flush(); // reads both the queue and the inbox marks dispatches write
      return unfinished.get({ trigger }) !== undefined;
    },
  };
}
