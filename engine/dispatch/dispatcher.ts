import type { EngineStore, NewFiring, PendingInboxEntry } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import { frequencyAllows } from '../triggers/index.ts';
import type { Match, TriggerRegistry } from './trigger-registry.ts';
import { eventTypeOf, firingSourceOf } from './event-sources.ts';
import { assertJsonWithin } from '../limits/errors.ts';
import { MAX_OUTPUT_DEPTH } from '../../runtime/json-limits.ts';
import type { Logger } from '../log.ts';

/**
 * Moves accepted entries from the inbox to the queue: matches them against the triggers
 * (pure), applies frequency rules, and commits "inbox entry dispatched + its firings" in one
 * transaction. Runs after the answer was sent; wakes on accept, and drains leftovers on start.
 *
 * An entry whose dispatch throws (unreadable stored data, a rule that fails on it, a write
 * that fails) is set aside as `dispatch_failed` with its error and logged, and the drain goes
 * on: left pending, it would stay first in line and hold up every entry after it, across
 * restarts. `POST /api/v1/inbox/:id/replay` puts it back.
 */
export class Dispatcher {
  #store: EngineStore;
  #registry: TriggerRegistry;
  #clock: Clock;
  #ids: Ids;
  #onQueued: () => void;
  #log: Pick<Logger, 'error'>;
  #scheduled = false;
  #draining: Promise<void> | undefined;

  constructor(deps: {
    store: EngineStore;
    registry: TriggerRegistry;
    clock: Clock;
    ids: Ids;
    onQueued: () => void;
    log: Pick<Logger, 'error'>;
  }) {
    this.#store = deps.store;
    this.#registry = deps.registry;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#onQueued = deps.onQueued;
    this.#log = deps.log;
  }

  /** Schedules a drain on the next turn; many wakes in a burst coalesce into one drain. */
  wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
    });
  }

  /** Resolves once nothing is being drained (for shutdown). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /**
   * A frequency-limited action is enqueued only if the queue, in the same transaction as the
   * insert, finds it may fire (so a burst cannot slip past `once`). The count starts when
   * the trigger was last saved: saving it again resets `once`.
   */
  #frequencyGuard(m: Match, now: number): Pick<NewFiring, 'guard'> {
    const frequency = m.action.frequency;
    if (frequency === undefined || frequency === 'always') return {};
    const since = this.#registry.stored(m.trigger.name)?.updatedAt ?? 0;
    return {
      guard: {
        since,
        admit: (last) =>
          frequencyAllows(frequency, { lastRunAt: last, everRan: last !== undefined }, now),
      },
    };
  }

  /** Matches one entry and commits it with its firings; returns how many were queued. */
  #dispatchOne(entry: PendingInboxEntry): number {
    if (entry.unreadable !== undefined) throw new Error(entry.unreadable);
    // Sources check depth before they store, but an entry stored by an older version (or
    // written by hand) is not: it would reach the queue's JSON, a function and the IPC.
    assertJsonWithin(entry.data, 'The stored event', { maxDepth: MAX_OUTPUT_DEPTH });
    const now = this.#clock.now();
    const firings: NewFiring[] = [];
    for (const m of this.#registry.match(firingSourceOf(entry), entry.data)) {
      firings.push({
        logId: this.#ids.id(),
        trigger: m.trigger.name,
        actionIndex: m.actionIndex,
        action: m.action as unknown as Record<string, unknown>,
        event: entry.data,
        eventType: eventTypeOf(m.trigger.type),
        ...this.#frequencyGuard(m, now),
      });
    }
    this.#store.queue.dispatch(entry.id, firings, now);
    return firings.length;
  }

  /** A failed dispatch: the entry is set aside (its transaction rolled back), the rest go on. */
  #setAside(entry: PendingInboxEntry, err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.#log.error(
      { err, inboxId: entry.id, source: entry.source, key: entry.key },
      'inbox entry set aside (dispatch_failed): its dispatch failed; replay it once fixed',
    );
    // If even this write fails, the drain stops (the outer catch) and retries at the next wake.
    this.#store.inbox.setAside(entry.id, message.slice(0, 2000), this.#clock.now());
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        const entries = this.#store.inbox.pending(200);
        if (entries.length === 0) return;
        let queued = 0;
        for (const entry of entries) {
          try {
            queued += this.#dispatchOne(entry);
          } catch (err) {
            this.#setAside(entry, err);
          }
        }
        // Most pushes match nothing: the runner's look at the queue is not free.
        if (queued > 0) this.#onQueued();
        // Let the answers of a burst go out between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      this.#log.error({ err }, 'dispatcher failed; pending inbox entries stay for the next wake');
    }
  }
}
