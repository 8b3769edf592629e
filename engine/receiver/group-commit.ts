import type { Inbox, InboxEntry } from '../store/index.ts';

interface Waiter {
  entry: InboxEntry;
  resolve(isNew: boolean): void;
  reject(err: unknown): void;
}

/** Entries per transaction at most; a larger burst is committed in several. */
const MAX_BATCH = 512;

/**
 * Group commit for the WeChat inbox. With synchronous=FULL every commit costs an fsync, so
 * committing each push alone caps the receiver at one push per fsync. Pushes that arrive in
 * the same event-loop turn are instead queued and committed together, in one transaction, on
 * the next `setImmediate`; each `accept` resolves only once its row is on disk, so an answer
 * never goes out before its push is durable. While a commit blocks the loop, the next pushes
 * wait in the socket buffers and make up the next batch: the batch grows with the load.
 */
export class GroupCommitInbox {
  #inbox: Inbox;
  #queue: Waiter[] = [];
  #scheduled = false;

  constructor(inbox: Inbox) {
    this.#inbox = inbox;
  }

  /** Resolves to whether the entry was new once it is committed; rejects if the commit failed. */
  accept(entry: InboxEntry): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      let results: boolean[];
      try {
        results = this.#inbox.acceptMany(batch.map((w) => w.entry));
      } catch (err) {
        // Nothing of the batch was committed (one transaction): every push in it is refused.
        for (const waiter of batch) waiter.reject(err);
        continue;
      }
      batch.forEach((waiter, i) => waiter.resolve(results[i]!));
    }
  }
}
