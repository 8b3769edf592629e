interface Waiter<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/** Items per statement at most; a larger burst goes in several. */
const MAX_BATCH = 500;

/**
 * Calls made in the same event-loop turn go to the database together: `run` gets them as one
 * batch (one statement, one round trip) on the next `setImmediate`, and each call resolves
 * with its own result. While a batch is in flight the calls arriving meanwhile wait and go
 * as the next one, so the batch grows with the load (as the inbox's group commit does). If
 * a batch fails, its items are run one by one, so only an item at fault fails (unless
 * `whole(err)` says the failure is not of any item, such as a lost connection: then all fail).
 */
export class Coalescer<T, R> {
  #run: (items: T[]) => Promise<R[]>;
  #whole: (err: unknown) => boolean;
  #queue: Waiter<T, R>[] = [];
  #scheduled = false;
  #running = false;

  constructor(run: (items: T[]) => Promise<R[]>, whole: (err: unknown) => boolean) {
    this.#run = run;
    this.#whole = whole;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    this.#running = true;
    try {
      while (this.#queue.length > 0) await this.#send(this.#queue.splice(0, MAX_BATCH));
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }

  async #send(batch: Waiter<T, R>[]): Promise<void> {
    try {
      const results = await this.#run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1 || this.#whole(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of batch) {
        try {
          const [result] = await this.#run([w.item]);
          w.resolve(result!);
        } catch (itemErr) {
          w.reject(itemErr);
        }
      }
    }
  }
}
