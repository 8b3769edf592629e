import type { JobStore } from '../ports.ts';
import { toJsonText } from '../rows/json-text.ts';
import { toJobRecord, type JobRow } from '../rows/jobs.ts';
import { query, type PgPools } from './pool.ts';
import { LIVENESS_LOCK_CLASS, ownerAlive } from './liveness.ts';

/** A job's columns with its event: its own copy, else its inbox entry's (null once pruned). */
const SELECT_JOB = `SELECT j.id, j.function, j.version, j.source, j.status, j.created_at,
  j.finished_at, j.duration_ms, j.cpu_ms, j.memory_bytes, COALESCE(j.data, i.data) AS data,
  j.inbox_id, j.result, j.error, j.log, j.trigger_name, j.trigger_log_id
  FROM jobs j LEFT JOIN inbox i ON i.id = j.inbox_id`;

const INTERRUPTED_ERROR = JSON.stringify({
  name: 'Error',
  code: 'E_ENGINE_RESTARTED',
  message:
    'The engine stopped while this job ran (a crash or a kill); the job did not finish. Its trigger firing, if any, runs again.',
});

/**
 * Job rows on PostgreSQL. Rows are bookkeeping (relaxed commits). A job's `finish` waits for
 * its `create` to land: they may go out on two connections of the pool. Each row names the
 * store instance that runs it (`owner`), so a process starting ends only the jobs of
 * processes that are gone.
 */
export function postgresJobStore(db: PgPools, instanceId: string): JobStore {
  const { relaxed, where } = db;
  const creating = new Map<string, Promise<unknown>>();
  return {
    async create(job) {
      const insert = query(
        relaxed,
        where,
        `INSERT INTO jobs (id, function, version, source, status, created_at, data, inbox_id, trigger_name, trigger_log_id, owner)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          job.id,
          job.function,
          job.version,
          job.source,
          job.status,
          job.createdAt,
          // One copy of each event: a firing's job names its inbox entry instead.
          job.inboxId === null ? toJsonText(job.data) : null,
          job.inboxId,
          job.triggerName,
          job.triggerLogId,
          instanceId,
        ],
      );
      creating.set(job.id, insert);
      try {
        await insert;
      } finally {
        if (creating.get(job.id) === insert) creating.delete(job.id);
      }
    },
    async finish(id, o) {
      await creating.get(id)?.catch(() => {});
      await query(
        relaxed,
        where,
        `UPDATE jobs SET status = $2, finished_at = $3, duration_ms = $4, cpu_ms = $5,
           memory_bytes = $6, result = $7, error = $8, log = $9 WHERE id = $1`,
        [
          id,
          o.status,
          o.finishedAt,
          o.durationMs,
          o.cpuMs,
          o.memoryBytes,
          toJsonText(o.result),
          toJsonText(o.error),
          JSON.stringify(o.log),
        ],
      );
    },
    async failInterrupted(now) {
      // Several processes share these rows: only the jobs of processes that are gone end
      // here (their liveness lock is not held), and this instance's own (none at a start).
      const { rowCount } = await query(
        relaxed,
        where,
        `UPDATE jobs j SET status = 'execution_failed', finished_at = $1, error = $2
         WHERE j.status IN ('executing', 'waiting')
           AND (j.owner IS NULL OR j.owner = $3 OR NOT ${ownerAlive('j.owner', '$4')})`,
        [now, INTERRUPTED_ERROR, instanceId, LIVENESS_LOCK_CLASS],
      );
      return rowCount ?? 0;
    },
    async pruneBatch(before, limit) {
      // The `limit` oldest rows (by insertion), of which those past retention and finished.
      const { rowCount } = await query(
        relaxed,
        where,
        `DELETE FROM jobs WHERE seq IN (
           SELECT seq FROM (SELECT seq, created_at, status FROM jobs ORDER BY seq LIMIT $2) oldest
           WHERE created_at < $1 AND status NOT IN ('executing', 'waiting'))`,
        [before, limit],
      );
      return rowCount ?? 0;
    },
    async get(id) {
      const { rows } = await query<JobRow>(relaxed, where, `${SELECT_JOB} WHERE j.id = $1`, [id]);
      return rows[0] && toJobRecord(rows[0]);
    },
    async list(filter) {
      const where_ = ['j.function = $1'];
      const params: unknown[] = [filter.function];
      if (filter.status) {
        params.push(filter.status);
        where_.push(`j.status = $${params.length}`);
      }
      if (filter.source) {
        params.push(filter.source);
        where_.push(`j.source = $${params.length}`);
      }
      const clause = where_.join(' AND ');
      const [count, page] = await Promise.all([
        query<{ n: number }>(
          relaxed,
          where,
          `SELECT count(*)::int AS n FROM jobs j WHERE ${clause}`,
          params,
        ),
        query<JobRow>(
          relaxed,
          where,
          `${SELECT_JOB} WHERE ${clause} ORDER BY j.created_at DESC, j.seq DESC
           LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
          [...params, filter.limit, filter.offset],
        ),
      ]);
      return { total: count.rows[0]!.n, objects: page.rows.map(toJobRecord) };
    },
  };
}
