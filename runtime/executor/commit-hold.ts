/**
 * When the table writes of quick runs are committed (issue 19). The HostOps module (SQLite's)
 * can hold the writes of calls made with `holdWrites` in one transaction; this decides which
 * calls may, and when what is held is committed (`settle`):
 *
 * - before anything leaves the executor for the main process (the outbox calls `settle`
 *   first: outcomes, host events, nested calls, heartbeats), so nothing the main process or
 *   a client learns of can name an uncommitted row; at the end of the turn at the latest (a
 *   held write schedules the outbox's flush);
 * - before a synchronous entry of a version not judged quick (quick-record.ts), or of any
 *   version once the held writes are MAX_HOLD_MS old: the write lock is never left held
 *   while a guest of unknown appetite computes, nor for long while quick ones do;
 * - before anything is entered asynchronously or loaded (those calls never hold).
 *
 * A run whose held writes were lost (their commit failed) is reported `execution_failed`
 * with E_TABLE_COMMIT_FAILED whatever it returned, so its firing is retried.
 */
import { RUNTIME_CODES } from '../errors.ts';
import type { HostOps } from '../host-ops-port.ts';
import type { InvocationOutcome } from '../sandbox.ts';
import { MAX_HOLD_MS } from './outbox.ts';

/** What a function instance asks before and tells after each synchronous entry. */
export interface CommitPolicy {
  /** Before a synchronous entry: commits what should not wait for it; true when its writes may be held. */
  beforeEntry(quick: boolean): boolean;
  /** After an entry that could hold writes: makes sure they are committed by the end of the turn. */
  afterEntry(): void;
}

export class CommitHold implements CommitPolicy {
  readonly #hostOps: HostOps | undefined;
  readonly #flushLater: () => void;
  /** Runs whose held writes were lost, until their outcome is judged: job id → reason. */
  readonly #lost = new Map<string, string>();

  /** `flushLater` schedules the outbox's flush at the end of the turn (which settles first). */
  constructor(hostOps: HostOps | undefined, flushLater: () => void) {
    this.#hostOps = hostOps;
    this.#flushLater = flushLater;
  }

  beforeEntry(quick: boolean): boolean {
    const hostOps = this.#hostOps;
    if (hostOps?.settle === undefined) return false;
    const since = hostOps.heldSince?.();
    if (since !== undefined && (!quick || performance.now() - since >= MAX_HOLD_MS)) this.settle();
    return quick;
  }

  afterEntry(): void {
    if (this.#hostOps?.heldSince?.() !== undefined) this.#flushLater();
  }

  /** Commits what is held; remembers the runs whose writes were lost. */
  settle(): void {
    const settled = this.#hostOps?.settle?.();
    if (settled === undefined) return;
    for (const { jobId, reason } of settled.lost)
      if (!this.#lost.has(jobId)) this.#lost.set(jobId, reason);
  }

  /** The outcome to report for run `jobId`: failed if its held writes were lost. */
  judge(jobId: string, outcome: InvocationOutcome): InvocationOutcome {
    const reason = this.#lost.get(jobId);
    if (reason === undefined) return outcome;
    this.#lost.delete(jobId);
    if (outcome.status !== 'fulfilled') return outcome;
    const { result: _dropped, ...rest } = outcome;
    return {
      ...rest,
      status: 'execution_failed',
      error: {
        name: 'Error',
        code: RUNTIME_CODES.commitFailed,
        message: `The run's table writes were not committed (${reason.slice(0, 500)}); it is reported failed so that it runs again`,
      },
    };
  }
}
