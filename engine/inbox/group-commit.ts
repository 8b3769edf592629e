import type { Inbox, InboxEntry } from '../store/index.ts';
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

interface Waiter {
  entry: InboxEntry;
  resolve(isNew: boolean): void;
  reject(err: unknown): void;
}

/** Entries per transaction at most; a larger burst is committed in several. */
const MAX_BATCH = 512;

/**
 * Group commit for the WeChat inbox. Committing each push alone with its own fsync would cap
 * the receiver at one push per fsync. Pushes that arrive in the same event-loop turn are
 * instead queued and committed together, in one transaction, on the next `setImmediate`, and
 * made durable by one `sync` (an fsync off the event loop for SQLite); each `accept`
 * resolves only once its row is on disk, so an answer never goes out before its push is
 * durable. While a sync runs the loop keeps reading and checking pushes; they are committed
 * together when it ends, with the next sync: the batch grows with the load.
 */
export class GroupCommitInbox {
  #inbox: Inbox;
  #queue: Waiter[] = [];
  #scheduled = false;
  /** A sync is running: pushes arriving meanwhile wait for it, then commit as one group. */
  #syncing = false;

  constructor(inbox: Inbox) {
    this.#inbox = inbox;
  }

  /**
   * Resolves to whether the entry was new once it is durable; rejects if the commit failed,
   * or at once (EventNotStorableError) if the entry cannot be serialised: checked here, before
   * it joins a group, so that one bad entry never takes the others' transaction down.
   */
  accept(entry: InboxEntry): Promise<boolean> {
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
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#syncing || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const committed: { waiter: Waiter; isNew: boolean }[] = [];
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      let results: boolean[];
      try {
        results = this.#inbox.acceptMany(batch.map((w) => w.entry));
      } catch {
        // Nothing of the batch was committed (one transaction). Something checked above did
        // not catch made one entry fail: commit each alone, so only that one is refused.
        for (const waiter of batch) {
          try {
            committed.push({ waiter, isNew: this.#inbox.acceptMany([waiter.entry])[0]! });
          } catch (err) {
            waiter.reject(err);
          }
        }
        continue;
      }
      batch.forEach((waiter, i) => committed.push({ waiter, isNew: results[i]! }));
    }
    if (committed.length === 0) return;
    // Committing more groups while this sync runs would make many small commits (measured:
    // a third more CPU per push on the main thread at 1000/s); they wait and go as one.
    this.#syncing = true;
    this.#inbox
      .sync()
      .then(
        () => {
          for (const { waiter, isNew } of committed) waiter.resolve(isNew);
        },
        // Committed but perhaps not on disk: refused, so WeChat retries; if the row did
        // survive, the retry is deduplicated against it (at least once, nothing lost).
        (err: unknown) => {
          for (const { waiter } of committed) waiter.reject(err);
        },
      )
      .finally(() => {
        this.#syncing = false;
        this.#schedule();
      });
  }
}
