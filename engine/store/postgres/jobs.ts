import type { JobOutcome, JobStore, NewJob } from '../ports.ts';
import { toJsonText } from '../rows/json-text.ts';
import { toJobRecord, type JobRow } from '../rows/jobs.ts';
import { query, type PgPools } from './pool.ts';
import { LIVENESS_LOCK_CLASS, ownerAlive } from './liveness.ts';
import { Coalescer } from './coalescer.ts';
import { Hold } from '../hold.ts';
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
 * A write of a job's row: its start (`job`, no outcome: `executing`), its whole row (`job`
 * and `outcome`: a run that ended within the hold), or the end of a row handed over before
 * (`outcome` only: its start went in an earlier batch, or goes in this one).
 */
interface JobWrite {
  id: string;
  job?: NewJob;
  outcome: JobOutcome | null;
}

/**
 * The new rows of a batch. A plain INSERT, not `ON CONFLICT`: an upsert inserts
 * speculatively (one more WAL record per row, and a probe of the primary key first), and
 * no row here can exist already, since an end of a row handed over before is an update
 * (END_MANY). A row the database refuses (the same id twice) fails the batch, which is
 * then tried row by row: only that job fails.
 */
const INSERT_MANY = `INSERT INTO jobs (id, function, version, source, status, created_at, data,
    inbox_id, trigger_name, trigger_log_id, finished_at, duration_ms, cpu_ms, memory_bytes,
    result, error, log, owner)
  SELECT r.*, $18 FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[],
    $6::int8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int8[], $12::float8[],
    $13::float8[], $14::int8[], $15::text[], $16::text[], $17::text[]) AS r`;

/**
 * The ends of rows written before (runs longer than the hold): their start went in an
 * earlier batch (the coalescer sends one batch at a time, in order), so it has landed.
 */
const END_MANY = `UPDATE jobs j SET status = e.status, finished_at = e.finished_at,
    duration_ms = e.duration_ms, cpu_ms = e.cpu_ms, memory_bytes = e.memory_bytes,
    result = e.result, error = e.error, log = e.log
  FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::int8[],
    $7::text[], $8::text[], $9::text[])
    AS e(id, status, finished_at, duration_ms, cpu_ms, memory_bytes, result, error, log)
  WHERE j.id = e.id`;

/**
 * One write per job of a batch: a job's start and its end in the same batch make one new
 * row; an end alone changes the row written before.
 */
function mergeBatch(batch: JobWrite[]): { added: JobWrite[]; ended: JobWrite[] } {
  const rows = new Map<string, JobWrite>();
  for (const w of batch) {
    const before = rows.get(w.id);
    rows.set(w.id, {
      id: w.id,
      job: before?.job ?? w.job,
      outcome: w.outcome ?? before?.outcome ?? null,
    });
  }
  const all = [...rows.values()];
  return { added: all.filter((w) => w.job), ended: all.filter((w) => !w.job) };
}

function insertParams(added: JobWrite[], instanceId: string): unknown[] {
  const col = <V>(pick: (w: JobWrite & { job: NewJob }) => V) =>
    added.map((w) => pick(w as JobWrite & { job: NewJob }));
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
    ...outcomeColumns(added),
    instanceId,
  ];
}

/** The columns an end sets, one array each, in END_MANY's order after id and status. */
function outcomeColumns(writes: JobWrite[]): unknown[][] {
  const col = <V>(pick: (o: JobOutcome | null) => V) => writes.map((w) => pick(w.outcome));
  return [
    col((o) => o?.finishedAt ?? null),
    col((o) => o?.durationMs ?? null),
    col((o) => o?.cpuMs ?? null),
    col((o) => o?.memoryBytes ?? null),
    col((o) => (o ? toJsonText(o.result) : null)),
    col((o) => (o ? toJsonText(o.error) : null)),
    col((o) => (o ? JSON.stringify(o.log) : null)),
  ];
}

function endParams(ended: JobWrite[]): unknown[] {
  return [ended.map((w) => w.id), ended.map((w) => w.outcome!.status), ...outcomeColumns(ended)];
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
 * updates it: the end goes in a later batch than its start (which has then landed), or is
 * merged with it into one new row in the same batch. The `create` call settles when the
 * job's row is first written (its start, or its finished row), so a row the database
 * refuses still fails its run.
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
      const { added, ended } = mergeBatch(batch);
      // Disjoint rows (new ones, and ones written before): the two go together.
      await Promise.all([
        added.length > 0 && query(relaxed, where, INSERT_MANY, insertParams(added, instanceId)),
        ended.length > 0 && query(relaxed, where, END_MANY, endParams(ended)),
      ]);
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
  const held = new Hold<Created>(holdMs, (released) => {
    for (const c of released)
      write({ id: c.job.id, job: c.job, outcome: null }).then(c.resolve, c.reject);
  });
  /** Before a read: the held rows written, and every row on its way landed. */
  const settled = async (): Promise<void> => {
    held.release();
    await Promise.allSettled([...onTheirWay]);
  };
  return {
    create(job) {
      // The same id again: the first goes as is, and the primary key refuses the second.
      if (held.has(job.id)) held.release();
      return new Promise<void>((resolve, reject) => held.add(job.id, { job, resolve, reject }));
    },
    async finish(id, o) {
      const created = held.take(id);
      if (created) {
        // Ended within the hold: its one row, finished; its `create` settles with it.
        const written = write({ id, job: created.job, outcome: o });
        written.then(created.resolve, created.reject);
        return written;
      }
      // Its start was handed over before (or it was started elsewhere): its row changes.
      return write({ id, outcome: o });
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
