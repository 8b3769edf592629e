import type { DeliveryLog } from '../store/index.ts';
import type { Clock } from '../clock.ts';

interface Logger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often old trigger logs are pruned while the engine runs (and once at start). */
export const TRIGGER_LOG_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export interface TriggerLogRetention {
  /** Prunes now; resolves to how many rows were dropped. */
  pruneNow(): Promise<number>;
  stop(): void;
}

/**
 * Keeps `retentionDays` of trigger logs (config.triggerLogRetentionDays, 180 by default like
 * MinCloud's log). Rows still pending or failed (their firing is queued) are kept whatever
 * their age, and so is the latest row of each trigger action, which `once` relies on.
 */
export function startTriggerLogRetention(deps: {
  logs: Pick<DeliveryLog, 'pruneLogs'>;
  clock: Clock;
  retentionDays: number;
  log: Logger;
  intervalMs?: number;
}): TriggerLogRetention {
  const pruneNow = async (): Promise<number> => {
    try {
      const dropped = await deps.logs.pruneLogs(deps.clock.now() - deps.retentionDays * DAY_MS);
      if (dropped > 0)
        deps.log.info({ dropped, retentionDays: deps.retentionDays }, 'trigger logs pruned');
      return dropped;
    } catch (err) {
      // Only delays clean-up (disk full, database busy); the next tick tries again.
      deps.log.error({ err }, 'trigger log pruning failed');
      return 0;
    }
  };
  void pruneNow();
  const timer = setInterval(
    () => void pruneNow(),
    deps.intervalMs ?? TRIGGER_LOG_PRUNE_INTERVAL_MS,
  );
  timer.unref();
  return { pruneNow, stop: () => clearInterval(timer) };
}
