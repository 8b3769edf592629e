import type { Database } from 'better-sqlite3';
import type { DeliveryLog } from '../ports.ts';
import { sqliteInboxTable } from './inbox.ts';
import { sqliteQueueTable } from './queue.ts';
import { sqliteTriggerLogTable } from './trigger-logs.ts';

/**
 * The delivery log on one SQLite file, owned by one engine process: the inbox, trigger-log
 * and queue tables behind the asynchronous port. Every method does its work synchronously
 * when called (better-sqlite3 is synchronous) and returns a settled promise, so calls made
 * in one synchronous run share one commit (write-behind.ts), as before the port was async.
 *
 * What each promise means (ports.ts): `accept` resolves once the entries are fsynced;
 * `dispatch`, `dispatchMany`, `claim`, `replay`, `setAside` are committed at the end of the current
 * synchronous run, relaxed; `complete`/`retry`/`deadLetter`/`renew`/`recordFinished` are
 * bookkeeping written behind in the turn's batch. Relaxed commits become durable with the
 * next accept's fsync; a crash loses at most a suffix of them, so delivery runs again.
 */
export function sqliteDeliveryLog(
  db: Database,
  options: { waitForDisk?: boolean } = {},
): DeliveryLog {
  const queue = sqliteQueueTable(db);
  const inbox = sqliteInboxTable(db, {
    ...options,
    writeFirings: (entry, at) => queue.writeAccepted(entry, at),
  });
  const logs = sqliteTriggerLogTable(db);
  return {
    async accept(entries) {
      // Firings given with their entries are written in the group's transaction.
      const results = queue.accepting(() => inbox.acceptMany(entries));
      await inbox.sync();
      return results;
    },
    pending: async (limit) => inbox.pending(limit),
    dispatch: async (inboxId, firings, now, event) => queue.dispatch(inboxId, firings, now, event),
    dispatchMany: async (entries, now) => queue.dispatchMany(entries, now),
    setAside: async (inboxId, error, at) => inbox.setAside(inboxId, error, at),
    replayEntry: async (inboxId) => inbox.replay(inboxId),
    claim: async (owner, now, limit, lanes, leaseMs) =>
      queue.claim(owner, now, limit, lanes, leaseMs),
    renew: async (owner, ids, now, leaseMs) => queue.renew(owner, ids, now, leaseMs),
    unclaim: async (owner, ids) => queue.unclaim(owner, ids),
    complete: async (owner, id, outcome, now) =>
      queue.finish(owner, id, 'succeeded', { ...outcome, errorType: null, error: null }, now),
    retry: async (owner, id, runAt, outcome, now) =>
      queue.finish(owner, id, 'failed', outcome, now, runAt),
    deadLetter: async (owner, id, outcome, now) =>
      queue.finish(owner, id, 'dead_letter', outcome, now),
    replay: async (logId, now) => queue.replay(logId, now),
    releaseAbandoned: async () => queue.releaseAbandoned(),
    nextDueAt: async () => queue.nextDueAt(),
    hasUnfinished: async (trigger) => queue.hasUnfinished(trigger),
    recordFinished: async (record, now) => logs.recordFinished(record, now),
    getLog: async (id) => logs.get(id),
    listLogs: async (filter) => logs.list(filter),
    listEntries: async (query) => inbox.list(query),
    getEntry: async (id) => inbox.get(id),
    pruneLogs: async (before) => logs.prune(before),
    pruneEntries: async (before) => inbox.prune(before),
  };
}
