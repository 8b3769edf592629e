import type { DeliveryLog } from '../store/index.ts';
import type { Clock } from '../clock.ts';

interface Logger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often the inbox is pruned while the engine runs (and once at start). */
export const INBOX_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export interface InboxRetention {
  /** Prunes now; resolves to how many entries were dropped. */
  pruneNow(): Promise<number>;
  stop(): void;
}

/**
 * Keeps the inbox to `retentionDays` of dispatched entries: prunes at start, then hourly.
 * A pruned entry takes its dedup key with it, so a push is recognised as a retry for the
 * whole window (WeChat retries within ~15 s; the window is days) and across restarts,
 * since the keys live in the inbox itself. Entries not yet dispatched are never pruned, nor
 * are those a trigger log or a job still shows (they hold the only copy of the event).
 */
export function startInboxRetention(deps: {
  delivery: Pick<DeliveryLog, 'pruneEntries'>;
  clock: Clock;
  retentionDays: number;
  log: Logger;
  intervalMs?: number;
}): InboxRetention {
  const pruneNow = async (): Promise<number> => {
    try {
      const dropped = await deps.delivery.pruneEntries(
        deps.clock.now() - deps.retentionDays * DAY_MS,
      );
      if (dropped > 0)
        deps.log.info({ dropped, retentionDays: deps.retentionDays }, 'inbox pruned');
      return dropped;
    } catch (err) {
      // A failed prune (disk full, locked) only delays clean-up; the next tick retries.
      deps.log.error({ err }, 'inbox pruning failed');
      return 0;
    }
  };
  void pruneNow();
  const timer = setInterval(() => void pruneNow(), deps.intervalMs ?? INBOX_PRUNE_INTERVAL_MS);
  timer.unref();
  return { pruneNow, stop: () => clearInterval(timer) };
}
