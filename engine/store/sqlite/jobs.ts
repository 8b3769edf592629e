import type { Database } from 'better-sqlite3';
import type { JobStore } from '../ports.ts';
import { toJsonText } from '../rows/json-text.ts';
import { toJobRecord, type JobRow } from '../rows/jobs.ts';
import { writeBehindOf } from './write-behind.ts';

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
  // Job rows are bookkeeping: written behind, in the turn's batch (see write-behind.ts).
  const writes = writeBehindOf(db);

  return {
    async create(job) {
      // No copy of an event its inbox entry holds.
      const row = { ...job, data: job.inboxId === null ? toJsonText(job.data) : null };
      writes.defer(['jobs'], () => insert.run(row));
    },
    async finish(id, o) {
      const row = {
        id,
        ...o,
        result: toJsonText(o.result),
        error: toJsonText(o.error),
        log: JSON.stringify(o.log),
      };
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
