import type { JobOutcome, JobStore, NewJob } from '../ports.ts';
import { toJsonText } from '../rows/json-text.ts';
import { toJobRecord, type JobRow } from '../rows/jobs.ts';
import { query, type PgPools } from './pool.ts';
import { LIVENESS_LOCK_CLASS, ownerAlive } from './liveness.ts';
import { Coalescer } from './coalescer.ts';
import { Hold } from './hold.ts';
import { DatabaseUnavailableError } from './errors.ts';

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
 * A job's row as it is written: at its start (`outcome` null: `executing`), or whole at its
 * end (so a finish needs nothing written before it).
 */
interface JobWrite {
  job: NewJob;
  outcome: JobOutcome | null;
}

/**
 * The rows of one batch in one statement. A row that exists already (its start was written
 * by an earlier batch) takes the outcome of a finishing row ($19 names them), and nothing from
 * a starting one: so a start that would land after its finish cannot undo it.
 */
const WRITE_MANY = `INSERT INTO jobs (id, function, version, source, status, created_at, data,
    inbox_id, trigger_name, trigger_log_id, finished_at, duration_ms, cpu_ms, memory_bytes,
    result, error, log, owner)
  SELECT r.*, $18 FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[],
    $6::int8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int8[], $12::float8[],
    $13::float8[], $14::int8[], $15::text[], $16::text[], $17::text[]) AS r
  ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at,
    duration_ms = EXCLUDED.duration_ms, cpu_ms = EXCLUDED.cpu_ms,
    memory_bytes = EXCLUDED.memory_bytes, result = EXCLUDED.result, error = EXCLUDED.error,
    log = EXCLUDED.log
  WHERE EXCLUDED.id = ANY($19::text[])`;

/** One row per job of a batch: a job's start and end in the same batch make one row. */
function writeParams(batch: JobWrite[], instanceId: string): unknown[] {
  const rows = new Map<string, JobWrite>();
  for (const w of batch) if (!rows.get(w.job.id)?.outcome) rows.set(w.job.id, w);
  const all = [...rows.values()];
  const col = <V>(pick: (w: JobWrite) => V) => all.map(pick);
  return [
    col((w) => w.job.id),
    col((w) => w.job.function),
    col((w) => w.job.version),
    col((w) => w.job.source),
    col((w) => w.outcome?.status ?? w.job.status),
    col((w) => w.job.createdAt),
    // One copy of each event: a firing's job names its inbox entry instead.
    col((w) => (w.job.inboxId === null ? toJsonText(w.job.data) : null)),
    col((w) => w.job.inboxId),
    col((w) => w.job.triggerName),
    col((w) => w.job.triggerLogId),
    col((w) => w.outcome?.finishedAt ?? null),
    col((w) => w.outcome?.durationMs ?? null),
    col((w) => w.outcome?.cpuMs ?? null),
    col((w) => w.outcome?.memoryBytes ?? null),
    col((w) => (w.outcome ? toJsonText(w.outcome.result) : null)),
    col((w) => (w.outcome ? toJsonText(w.outcome.error) : null)),
    col((w) => (w.outcome ? JSON.stringify(w.outcome.log) : null)),
    instanceId,
    all.filter((w) => w.outcome).map((w) => w.job.id),
  ];
}

/** How long a created job's row waits for its run to end, to be written once (as on SQLite). */
export const HOLD_MS = 100;

/** A created job held back, with its `create` call's promise to settle when its row is written. */
interface Created {
  job: NewJob;
  resolve(): void;
  reject(err: unknown): void;
}

/** The job store on PostgreSQL, which holds rows back: `close` writes them. */
export interface PostgresJobStore extends JobStore {
  /** Writes the rows held back and waits for every row on its way. */
  close(): Promise<void>;
}

/**
 * Job rows on PostgreSQL. Rows are bookkeeping (relaxed commits), and those of one turn are
 * one statement (coalescer.ts): the starts and ends of the jobs of a busy process share a
 * round trip instead of taking one each.
 *
 * A created job's row is held in memory for up to HOLD_MS (hold.ts): most runs end well
 * within it, and their row is then written once, finished (one INSERT, where a start and an
 * end were an INSERT and an `ON CONFLICT DO UPDATE`: a non-HOT update, since `status` is in
 * the partial index `jobs_unfinished`, so a second heap tuple and new entries in every
 * index). A run still going at HOLD_MS has its `executing` row written then, and its end
 * writes the whole row again: it goes in a later batch than its start, or merged with it in
 * the same one, so it is never written before the start nor undone by it. The `create`
 * call settles when the job's row is first written (its start, or its finished row), so a
 * row the database refuses still fails its run.
 *
 * What the hold costs: a running job's row is invisible to OTHER processes (their job
 * listings) for at most HOLD_MS; this process's own reads (get, list, failInterrupted) write
 * the held rows first and wait for every row on its way, so they see them. The inbox's
 * retention keeps an entry a job names, but a job of a firing is named by its trigger log
 * row too (written at dispatch, long before), so a held row changes nothing there. A crash
 * loses the held rows with the rest of the unwritten bookkeeping: their firings run again.
 * Each row names the store instance that runs it (`owner`), so a process starting ends only
 * the jobs of processes that are gone.
 */
export function postgresJobStore(
  db: PgPools,
  instanceId: string,
  holdMs = HOLD_MS,
): PostgresJobStore {
  const { relaxed, where } = db;
  const writes = new Coalescer<JobWrite, void>(
    async (batch) => {
      await query(relaxed, where, WRITE_MANY, writeParams(batch, instanceId));
      return batch.map(() => undefined);
    },
    (err) => err instanceof DatabaseUnavailableError,
  );
  /** Rows on their way: this store's reads wait for them (read-your-writes), and close. */
  const onTheirWay = new Set<Promise<void>>();
  const write = (w: JobWrite): Promise<void> => {
    const written = writes.add(w);
    onTheirWay.add(written);
    const done = () => onTheirWay.delete(written);
    written.then(done, done);
    return written;
  };
  // Jobs whose start is written (or on its way) and not ended: their end writes the whole row.
  const running = new Map<string, NewJob>();
  const held = new Hold<Created>(holdMs, (released) => {
    for (const c of released) {
      running.set(c.job.id, c.job);
      write({ job: c.job, outcome: null }).then(c.resolve, (err: unknown) => {
        // Its caller stops at this error: no finish follows.
        running.delete(c.job.id);
        c.reject(err);
      });
    }
  });
  /** Before a read: the held rows written, and every row on its way landed. */
  const settled = async (): Promise<void> => {
    held.release();
    await Promise.allSettled([...onTheirWay]);
  };
  return {
    create(job) {
      // The same id again: the first goes as is (the second then changes nothing, as ever).
      if (held.has(job.id)) held.release();
      return new Promise<void>((resolve, reject) => held.add(job.id, { job, resolve, reject }));
    },
    async finish(id, o) {
      const created = held.take(id);
      if (created) {
        // Ended within the hold: its one row, finished; its `create` settles with it.
        const written = write({ job: created.job, outcome: o });
        written.then(created.resolve, created.reject);
        return written;
      }
      const job = running.get(id);
      running.delete(id);
      if (job) return write({ job, outcome: o });
      // A job this instance did not start (the engine always did): its row changes in place.
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
    close: settled,
    async failInterrupted(now) {
      await settled();
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
      // No release of the held rows: they are of runs started within HOLD_MS, never past
      // retention, and releasing them on every retention pass would write them twice.
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
      await settled();
      const { rows } = await query<JobRow>(relaxed, where, `${SELECT_JOB} WHERE j.id = $1`, [id]);
      return rows[0] && toJobRecord(rows[0]);
    },
    async list(filter) {
      await settled();
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
