import type { DeliveryLog, InboxEntry } from '../store/index.ts';
import { ValidationError } from '../errors.ts';
import { assertJsonWithin } from '../limits/errors.ts';
import { MAX_OUTPUT_DEPTH } from '../../runtime/json-limits.ts';

/**
 * An event that cannot be stored as JSON (nested deeper than JSON.stringify's stack allows, a
 * cycle, a BigInt): refused alone, before its group's transaction, so it cannot fail the
 * others committed with it (issue 12, item 4).
 */
export class EventNotStorableError extends ValidationError {
  constructor(source: InboxEntry['source'], reason: string) {
    super('E_EVENT_NOT_STORABLE', `The event cannot be stored as JSON: ${reason}.`, {
      source,
    });
    this.name = 'EventNotStorableError';
  }
}

/**
 * Serialises an entry's data once, as the inbox stores it (the inbox then writes this text
 * instead of serialising again), or says why it cannot be.
 */
function serialise(data: unknown): { json: string } | { fault: string } {
  let text: unknown;
  try {
    text = JSON.stringify(data);
  } catch (err) {
    return {
      fault: err instanceof RangeError ? 'it is nested too deeply' : (err as Error).message,
    };
  }
  return typeof text === 'string' ? { json: text } : { fault: 'it is not a JSON value' };
}

/** What became of an entry: new or a repeat, and whether its firings went in with it. */
export interface Committed {
  isNew: boolean;
  /** The entry was new and stored dispatched with its `firings` (never when it had none). */
  dispatched: boolean;
}

interface Waiter {
  entry: InboxEntry;
  resolve(committed: Committed): void;
  reject(err: unknown): void;
}

/** Entries per transaction at most; a larger burst is committed in several. */
const MAX_BATCH = 512;

/**
 * Group commit for the inbox. Committing each event alone with its own fsync would cap the
 * receiver at one event per fsync (or per round trip, on a network database). Events that
 * arrive in the same event-loop turn are instead queued and accepted together, in one
 * transaction, on the next `setImmediate`; each `accept` resolves only once its row is
 * durable, so an answer never goes out before its event is. While a commit runs (SQLite: its
 * fsync, off the event loop) the loop keeps reading and checking events; they are committed
 * together when it ends: the batch grows with the load.
 */
export class GroupCommit {
  #delivery: Pick<DeliveryLog, 'accept'>;
  #queue: Waiter[] = [];
  #scheduled = false;
  /** A commit is running: events arriving meanwhile wait for it, then commit as one group. */
  #committing = false;

  constructor(delivery: Pick<DeliveryLog, 'accept'>) {
    this.#delivery = delivery;
  }

  /**
   * Resolves to whether the entry was new (and dispatched with its firings, if it has them)
   * once it is durable; rejects if the commit failed,
   * or at once (EventNotStorableError) if the entry cannot be serialised: checked here, before
   * it joins a group, so that one bad entry never takes the others' transaction down.
   */
  accept(entry: InboxEntry): Promise<Committed> {
    // The last guard before JSON.stringify and everything downstream: sources check their
    // own, tighter limits first (request bodies, records); refused alone, here.
    try {
      assertJsonWithin(entry.data, 'The event', { maxDepth: MAX_OUTPUT_DEPTH });
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const serialised = serialise(entry.data);
    if ('fault' in serialised)
      return Promise.reject(new EventNotStorableError(entry.source, serialised.fault));
    entry = { ...entry, dataJson: serialised.json };
    return new Promise<Committed>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#committing || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    // Committing more groups while one runs would make many small commits (measured: a
    // third more CPU per push on the main thread at 1000/s); they wait and go as one.
    this.#committing = true;
    try {
      const batches: Waiter[][] = [];
      while (this.#queue.length > 0) batches.push(this.#queue.splice(0, MAX_BATCH));
      await Promise.all(batches.map((batch) => this.#commit(batch)));
    } finally {
      this.#committing = false;
      this.#schedule();
    }
  }

  async #commit(batch: Waiter[]): Promise<void> {
    let results: boolean[];
    try {
      results = await this.#delivery.accept(batch.map((w) => w.entry));
    } catch {
      // Nothing of the batch was committed (one transaction), or it is not known to be on
      // disk. Something checked above did not catch made one entry fail: accept each alone,
      // so only that one is refused (an entry that did land is deduplicated against itself:
      // its id is its key when it has no dedup key). Alone it goes without its firings: if
      // they were at fault, the entry is still taken and its dispatch fails on its own later
      // (set aside, replayable), not the push.
      await Promise.all(
        batch.map(async (waiter) => {
          const { firings: _dispatchedLater, ...plain } = waiter.entry;
          try {
            const [isNew] = await this.#delivery.accept([plain]);
            waiter.resolve({ isNew: isNew!, dispatched: false });
          } catch (err) {
            waiter.reject(err);
          }
        }),
      );
      return;
    }
    batch.forEach((waiter, i) =>
      waiter.resolve({
        isNew: results[i]!,
        dispatched: results[i]! && waiter.entry.firings !== undefined,
      }),
    );
  }
}
