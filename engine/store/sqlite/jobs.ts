import type { Database } from 'better-sqlite3';
import type { JobStore } from '../ports.ts';
import { toJsonText } from '../rows/json-text.ts';
import { toJobRecord, type JobRow } from '../rows/jobs.ts';
import { writeBehindOf } from './write-behind.ts';
import { Hold } from '../hold.ts';

/** How long a created job's row waits for its run to end, to be written once. */
export const HOLD_MS = 100;

export function sqliteJobStore(db: Database): JobStore {
  const insert = db.prepare(`
    INSERT INTO jobs (id, function, version, source, status, created_at, data, inbox_id, trigger_name, trigger_log_id)
    VALUES (@id, @function, @version, @source, @status, @createdAt, @data, @inboxId, @triggerName, @triggerLogId)`);
  // A job's event is its own copy (direct runs, rows older than migration 5) or its inbox entry's.
  const WITH_EVENT = `SELECT j.id, j.function, j.version, j.source, j.status, j.created_at,
    j.finished_at, j.duration_ms, j.cpu_ms, j.memory_bytes, COALESCE(j.data, i.data) AS data,
    j.inbox_id, j.result, j.error, j.log, j.trigger_name, j.trigger_log_id
    FROM jobs j LEFT JOIN inbox i ON i.id = j.inbox_id`;
  const finish = db.prepare(`
    UPDATE jobs SET status = @status, finished_at = @finishedAt, duration_ms = @durationMs, cpu_ms = @cpuMs,
      memory_bytes = @memoryBytes, result = @result, error = @error, log = @log WHERE id = @id`);
  const byId = db.prepare<[string], JobRow>(`${WITH_EVENT} WHERE j.id = ?`);
  const failInterrupted = db.prepare(`
    UPDATE jobs SET status = 'execution_failed', finished_at = @now, error = @error
    WHERE status IN ('executing', 'waiting')`);
  const interruptedError = JSON.stringify({
    name: 'Error',
    code: 'E_ENGINE_RESTARTED',
    message:
      'The engine stopped while this job ran (a crash or a kill); the job did not finish. Its trigger firing, if any, runs again.',
  });
  // Jobs are inserted in creation order, so the lowest rowids are the oldest: a batch looks
  // at the first `limit` rows only (no index on created_at needed, no full scan when nothing
  // is old enough) and deletes those past the retention and finished.
  const pruneOldest = db.prepare(`
    DELETE FROM jobs WHERE rowid IN (
      SELECT rowid FROM (SELECT rowid, created_at, status FROM jobs ORDER BY rowid LIMIT @limit)
      WHERE created_at < @before AND status NOT IN ('executing', 'waiting'))`);
  const insertEnded = db.prepare(`
    INSERT INTO jobs (id, function, version, source, status, created_at, data, inbox_id, trigger_name,
      trigger_log_id, finished_at, duration_ms, cpu_ms, memory_bytes, result, error, log)
    VALUES (@id, @function, @version, @source, @status, @createdAt, @data, @inboxId, @triggerName,
      @triggerLogId, @finishedAt, @durationMs, @cpuMs, @memoryBytes, @result, @error, @log)`);
  // Job rows are bookkeeping: written behind, in the turn's batch (see write-behind.ts).
  const writes = writeBehindOf(db);

  // A created job's row is held back for up to HOLD_MS: most runs end well within it, and
  // their row is then written once, finished (one INSERT, no UPDATE of the row, one commit
  // fewer per batch of runs). A run still going at HOLD_MS gets its `executing` row then.
  // Reads of the jobs table (and full flushes, and close) take the held rows first
  // (write-behind.ts `holdFor`), so the admin API answers as before. What a crash can lose
  // grows from a turn's job rows to HOLD_MS's: runs that go again (at least once).
  type CreatedRow = Parameters<JobStore['create']>[0] & { data: string | null };
  const held = new Hold<CreatedRow>(HOLD_MS, (rows) => {
    for (const row of rows) writes.defer(['jobs'], () => insert.run(row));
  });
  writes.holdFor('jobs', () => held.release());

  return {
    async create(job) {
      // No copy of an event its inbox entry holds.
      const row = { ...job, data: job.inboxId === null ? toJsonText(job.data) : null };
      // The same id again is written as is (and refused by the primary key, as ever).
      if (held.has(job.id)) held.release();
      held.add(job.id, row);
    },
    async finish(id, o) {
      const ended = {
        ...o,
        result: toJsonText(o.result),
        error: toJsonText(o.error),
        log: JSON.stringify(o.log),
      };
      const created = held.take(id);
      if (created !== undefined) {
        const row = { ...created, ...ended };
        writes.defer(['jobs'], () => insertEnded.run(row));
        return;
      }
      const row = { id, ...ended };
      writes.defer(['jobs'], () => finish.run(row));
    },
    async failInterrupted(now) {
      writes.flush();
      return failInterrupted.run({ now, error: interruptedError }).changes;
    },
    async pruneBatch(before, limit) {
      writes.flushFor('jobs');
      return pruneOldest.run({ before, limit }).changes;
    },
    async get(id) {
      writes.flushFor('jobs');
      const row = byId.get(id);
      return row && toJobRecord(row);
    },
    async list(filter) {
      writes.flushFor('jobs');
      const where = ['j.function = @function'];
      if (filter.status) where.push('j.status = @status');
      if (filter.source) where.push('j.source = @source');
      const clause = where.join(' AND ');
      const params = { function: filter.function, status: filter.status, source: filter.source };
      const total = (
        db.prepare(`SELECT COUNT(*) AS n FROM jobs j WHERE ${clause}`).get(params) as { n: number }
      ).n;
      const rows = db
        .prepare(
          `${WITH_EVENT} WHERE ${clause} ORDER BY j.created_at DESC, j.rowid DESC LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, limit: filter.limit, offset: filter.offset }) as JobRow[];
      return { total, objects: rows.map(toJobRecord) };
    },
  };
}
