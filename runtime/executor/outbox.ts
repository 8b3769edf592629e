/**
 * What the executor tells the main process about its runs, gathered per turn of its event
 * loop: the outcomes of the runs that ended and the host events they raised travel as ONE
 * IPC message. A message costs a serialisation, a write to the channel and a read and parse
 * on the other side, whatever it carries; per run (an outcome, and a `host-events` message
 * before it for the row it inserted) they were a tenth of the executor's time in the closed
 * loop (docs/performance.md, "At equal durability").
 *
 * Held only briefly: until the end of the turn (`setImmediate`), or before a job is entered
 * once the oldest outcome held is MAX_HOLD_MS old (a job entered synchronously holds the
 * thread, and the outcomes before it must not wait for it), or as soon as another message
 * must go (it must not overtake them), or at MAX_OUTCOMES / MAX_EVENTS. Nothing held is lost
 * that was not lost before: a run's outcome never left before it ended, and a killed
 * executor's runs in flight end `execution_failed` on the main side either way.
 *
 * Before anything is sent, the gate commits the table writes held for quick runs
 * (commit-hold.ts): their `table.change` events join this message, and a run whose writes
 * that commit lost is reported failed. So nothing that leaves can name an uncommitted row.
 */
import type { FromExecutor, HostEvent, RunOutcome } from '../protocol.ts';
import type { InvocationOutcome } from '../sandbox.ts';

/** What the outbox asks before it sends (commit-hold.ts). */
export interface SendGate {
  /** Commits what is held; its events arrive through `event` meanwhile. */
  settle(): void;
  /** The outcome to report for run `jobId` (failed if its writes were lost). */
  judge(jobId: string, outcome: InvocationOutcome): InvocationOutcome;
}

interface Held {
  run: RunOutcome;
  jobId: string;
}

/** Outcomes held at most before they go. */
const MAX_OUTCOMES = 64;
/** Host events held at most before they go (e.g. one `table.change` per insert of a bulk write). */
const MAX_EVENTS = 1000;
/** How long an outcome may wait for others before the next job is entered. */
export const MAX_HOLD_MS = 2;

export class Outbox {
  readonly #send: (message: FromExecutor) => void;
  /** Set once the executor has its HostOps (before, nothing can be held). */
  gate: SendGate | undefined;
  #events: HostEvent[] = [];
  #outcomes: Held[] = [];
  #oldestAt = 0;
  #scheduled = false;
  /** Inside flush: the gate's commit raises events, which must wait for this message. */
  #flushing = false;

  constructor(send: (message: FromExecutor) => void) {
    this.#send = send;
  }

  event(event: HostEvent): void {
    this.#events.push(event);
    if (this.#flushing) return;
    if (this.#events.length >= MAX_EVENTS) this.flush();
    else this.#schedule();
  }

  /** The outcome of run `jobId` (the job id its HostOps calls carried). */
  outcome(outcome: RunOutcome, jobId = ''): void {
    if (this.#outcomes.length === 0) this.#oldestAt = performance.now();
    this.#outcomes.push({ run: outcome, jobId });
    if (this.#outcomes.length >= MAX_OUTCOMES) this.flush();
    else this.#schedule();
  }

  /** Before a job is entered: outcomes held long enough go now rather than wait behind it. */
  beforeRun(): void {
    if (this.#outcomes.length > 0 && performance.now() - this.#oldestAt >= MAX_HOLD_MS)
      this.flush();
  }

  /** Flushes at the end of this turn (held table writes without an outcome yet). */
  later(): void {
    this.#schedule();
  }

  /** Sends what is held, as one message. */
  flush(): void {
    if (this.#flushing) return;
    const gate = this.gate;
    if (gate !== undefined) {
      this.#flushing = true;
      try {
        gate.settle();
      } finally {
        this.#flushing = false;
      }
    }
    if (this.#outcomes.length > 0) {
      const message: FromExecutor = {
        type: 'outcomes',
        events: this.#events,
        outcomes: this.#outcomes.map(({ run, jobId }) =>
          gate === undefined ? run : { id: run.id, outcome: gate.judge(jobId, run.outcome) },
        ),
      };
      this.#events = [];
      this.#outcomes = [];
      this.#send(message);
    } else if (this.#events.length > 0) {
      const events = this.#events;
      this.#events = [];
      this.#send({ type: 'host-events', events });
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.flush();
    });
  }
}
