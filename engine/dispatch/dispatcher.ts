import type { DeliveryLog, FrequencyGuard, NewFiring, PendingInboxEntry } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import { eventTypeOf, laneOf, parseDuration } from '../triggers/index.ts';
import type { Match, TriggerRegistry } from './trigger-registry.ts';
import { firingSourceOf } from './event-sources.ts';
import { assertJsonWithin } from '../limits/errors.ts';
import { MAX_OUTPUT_DEPTH } from '../../runtime/json-limits.ts';

interface Logger {
  error(obj: object, msg: string): void;
}

/**
 * Moves accepted entries from the inbox to the queue: matches them against the triggers
 * (pure), decides each firing's lane, eventType and frequency guard (rules live here, not in
 * a store), and has the delivery log commit "entry dispatched + its firings" in one
 * transaction. Runs after the answer was sent; wakes on accept (it subscribes to the
 * intake), and drains leftovers on start.
 *
 * An entry whose dispatch throws (unreadable stored data, a rule that fails on it, a write
 * that fails) is set aside as `dispatch_failed` with its error and logged, and the drain goes
 * on: left pending, it would stay first in line and hold up every entry after it, across
 * restarts. `POST /api/v1/inbox/:id/replay` puts it back.
 */
export class Dispatcher {
  #delivery: DeliveryLog;
  #registry: TriggerRegistry;
  #clock: Clock;
  #ids: Ids;
  #onQueued: () => void;
  #log: Logger;
  #scheduled = false;
  #draining: Promise<void> | undefined;

  constructor(deps: {
    delivery: DeliveryLog;
    registry: TriggerRegistry;
    clock: Clock;
    ids: Ids;
    /** Told of new firings in the queue (the job runner's wake-up). */
    onQueued: () => void;
    log: Logger;
    /** Where new events come in: the dispatcher wakes itself when they do. */
    intake?: { onAccepted(listener: () => void): void };
  }) {
    this.#delivery = deps.delivery;
    this.#registry = deps.registry;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#onQueued = deps.onQueued;
    this.#log = deps.log;
    deps.intake?.onAccepted(() => this.wake());
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
   * A frequency-limited action is enqueued only if the delivery log, in the dispatch's
   * transaction, finds it may fire (so a burst cannot slip past `once`). The count starts
   * when the trigger was last saved: saving it again resets `once`.
   */
  #frequencyGuard(m: Match): FrequencyGuard | undefined {
    const frequency = m.action.frequency;
    if (frequency === undefined || frequency === 'always') return undefined;
    const since = this.#registry.stored(m.trigger.name)?.updatedAt ?? 0;
    return frequency === 'once'
      ? { kind: 'once', since }
      : { kind: 'atMostEvery', ms: parseDuration(frequency.atMostEvery), since };
  }

  /**
   * Matches one entry and has it committed with its firings; resolves to how many were
   * queued. Everything up to the dispatch call runs synchronously, so the dispatches of one
   * batch, started together, reach the store in one synchronous run (SQLite: one commit).
   */
  async #dispatchOne(entry: PendingInboxEntry): Promise<number> {
    if (entry.unreadable !== undefined) throw new Error(entry.unreadable);
    // Sources check depth before they store, but an entry stored by an older version (or
    // written by hand) is not: it would reach the queue's JSON, a function and the IPC.
    assertJsonWithin(entry.data, 'The stored event', { maxDepth: MAX_OUTPUT_DEPTH });
    const now = this.#clock.now();
    const firings: NewFiring[] = [];
    for (const m of this.#registry.match(firingSourceOf(entry), entry.data)) {
      const guard = this.#frequencyGuard(m);
      firings.push({
        logId: this.#ids.id(),
        trigger: m.trigger.name,
        actionIndex: m.actionIndex,
        action: m.action,
        eventType: eventTypeOf(m.trigger.type),
        lane: laneOf(m.action, m.trigger.name, m.actionIndex),
        ...(guard ? { guard } : {}),
      });
    }
    const admitted = await this.#delivery.dispatch(entry.id, firings, now, entry.data);
    return admitted.length;
  }

  /** A failed dispatch: the entry is set aside (its transaction rolled back), the rest go on. */
  async #setAside(entry: PendingInboxEntry, err: unknown): Promise<number> {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.#log.error(
      { err, inboxId: entry.id, source: entry.source, key: entry.key },
      'inbox entry set aside (dispatch_failed): its dispatch failed; replay it once fixed',
    );
    // If even this write fails, the drain stops (the outer catch) and retries at the next wake.
    await this.#delivery.setAside(entry.id, message.slice(0, 2000), this.#clock.now());
    return 0;
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        const entries = await this.#delivery.pending(200);
        if (entries.length === 0) return;
        // Started together: one commit on SQLite, concurrent transactions on PostgreSQL
        // (whose per-action locks order the frequency guards).
        const counts = await Promise.all(
          entries.map((entry) =>
            this.#dispatchOne(entry).catch((err: unknown) => this.#setAside(entry, err)),
          ),
        );
        const queued = counts.reduce((a, b) => a + b, 0);
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
