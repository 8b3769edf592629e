/**
 * Makes the commits of a WAL-mode SQLite database durable with an fsync of its `-wal` file
 * on libuv's thread pool, instead of inside the commit on the event loop.
 *
 * Why: with synchronous=FULL every inbox commit fsynced the log on the main thread (1 to 5 ms
 * here, a third of the engine's main thread at 1000 pushes/s, docs/performance.md); while it
 * ran, no push was read and no answer written. A commit at synchronous=NORMAL writes the same
 * frames to the log without the fsync, and fsync(2) on the log file then flushes them, and
 * every frame written before it (bookkeeping too): exactly what FULL does at each commit,
 * moved off the loop. A push is still answered only once its commit is on disk.
 *
 * Syncs coalesce: while one runs, the commits made meanwhile wait for the next, which starts
 * when it ends and covers them all. The log file is opened once and reopened if SQLite made
 * a new one (its inode changed; SQLite only deletes it when the last connection closes).
 */
import fs from 'node:fs';

export class WalSync {
  readonly #walPath: string;
  #handle: { fd: number; ino: number } | undefined;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #closed = false;
  /** fsyncs started (tests: coalescing). */
  syncs = 0;

  /** The inode of the log file held open (tests: reopened when SQLite made a new one). */
  get inode(): number | undefined {
    return this.#handle?.ino;
  }

  constructor(databasePath: string) {
    this.#walPath = `${databasePath}-wal`;
  }

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    // The running fsync may have begun before the latest commits: they need the next one.
    this.#next ??= this.#running.then(
      () => this.#startNext(),
      () => this.#startNext(),
    );
    return this.#next;
  }

  close(): void {
    this.#closed = true;
    if (this.#handle !== undefined) {
      const { fd } = this.#handle;
      this.#handle = undefined;
      // After the fsyncs in flight: closing the fd under them would fail them.
      const whenIdle = this.#next ?? this.#running ?? Promise.resolve();
      void whenIdle.catch(() => {}).finally(() => fs.close(fd, () => {}));
    }
  }

  #startNext(): Promise<void> {
    this.#next = undefined;
    return this.#start();
  }

  #start(): Promise<void> {
    const running = this.#fsync().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  #fsync(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    let fd: number;
    try {
      fd = this.#fd();
    } catch (err) {
      return Promise.reject(err);
    }
    this.syncs++;
    return new Promise((resolve, reject) =>
      fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** The log's descriptor, reopened when the file at the path is not the one we hold. */
  #fd(): number {
    const ino = fs.statSync(this.#walPath).ino;
    if (this.#handle?.ino === ino) return this.#handle.fd;
    if (this.#handle !== undefined) fs.closeSync(this.#handle.fd);
    const fd = fs.openSync(this.#walPath, 'r+');
    this.#handle = { fd, ino: fs.fstatSync(fd).ino };
    return fd;
  }
}
