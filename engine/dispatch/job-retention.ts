import type { JobStore } from '../store/index.ts';
import type { Clock } from '../clock.ts';

interface Logger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often old jobs are pruned while the engine runs (and once at start). */
export const JOB_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** Rows deleted per statement: a short write, then the event loop gets a turn. */
export const JOB_PRUNE_BATCH = 500;

export interface JobRetention {
  /** Prunes every job past the retention, batch by batch; resolves with how many went. */
  pruneNow(): Promise<number>;
  stop(): void;
}

/**
 * Keeps `retentionDays` of jobs (config.jobRetentionDays, 30 by default). Each run of a
 * function is a row with its data, result and log, so a busy engine would grow without
 * bound. Pruned in batches of JOB_PRUNE_BATCH with a turn of the event loop between them,
 * so a backlog of a million rows never holds the receiver for more than one short delete.
 * A trigger log row may then name a job that no longer exists (`GET /jobs/:id` answers 404).
 */
export function startJobRetention(deps: {
  jobs: JobStore;
  clock: Clock;
  retentionDays: number;
  log: Logger;
  intervalMs?: number;
  batch?: number;
}): JobRetention {
  const batch = deps.batch ?? JOB_PRUNE_BATCH;
  let stopped = false;
  let running: Promise<number> | undefined;

  const prune = async (): Promise<number> => {
    const before = deps.clock.now() - deps.retentionDays * DAY_MS;
    let dropped = 0;
    try {
      for (;;) {
        if (stopped) break;
        const n = await deps.jobs.pruneBatch(before, batch);
        dropped += n;
        // A batch looks at the oldest rows only (jobs.ts): none of them old enough, done.
        if (n === 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      // Only delays clean-up (disk full, database busy, closed); the next tick tries again.
      if (!stopped) deps.log.error({ err }, 'job pruning failed');
    }
    if (dropped > 0)
      deps.log.info({ dropped, retentionDays: deps.retentionDays }, 'old jobs pruned');
    return dropped;
  };
  const pruneNow = (): Promise<number> => {
    running ??= prune().finally(() => {
      running = undefined;
    });
    return running;
  };

  void pruneNow();
  const timer = setInterval(() => void pruneNow(), deps.intervalMs ?? JOB_PRUNE_INTERVAL_MS);
  timer.unref();
  return {
    pruneNow,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
