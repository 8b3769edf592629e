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
 */
import type { FromExecutor, HostEvent, RunOutcome } from '../protocol.ts';

/** Outcomes held at most before they go. */
const MAX_OUTCOMES = 64;
/** Host events held at most before they go (e.g. one `table.change` per insert of a bulk write). */
const MAX_EVENTS = 1000;
/** How long an outcome may wait for others before the next job is entered. */
export const MAX_HOLD_MS = 2;

export class Outbox {
  readonly #send: (message: FromExecutor) => void;
  #events: HostEvent[] = [];
  #outcomes: RunOutcome[] = [];
  #oldestAt = 0;
  #scheduled = false;

  constructor(send: (message: FromExecutor) => void) {
    this.#send = send;
  }

  event(event: HostEvent): void {
    this.#events.push(event);
    if (this.#events.length >= MAX_EVENTS) this.flush();
    else this.#schedule();
  }

  outcome(outcome: RunOutcome): void {
    if (this.#outcomes.length === 0) this.#oldestAt = performance.now();
    this.#outcomes.push(outcome);
    if (this.#outcomes.length >= MAX_OUTCOMES) this.flush();
    else this.#schedule();
  }

  /** Before a job is entered: outcomes held long enough go now rather than wait behind it. */
  beforeRun(): void {
    if (this.#outcomes.length > 0 && performance.now() - this.#oldestAt >= MAX_HOLD_MS)
      this.flush();
  }

  /** Sends what is held, as one message. */
  flush(): void {
    if (this.#outcomes.length > 0) {
      const message: FromExecutor = {
        type: 'outcomes',
        events: this.#events,
        outcomes: this.#outcomes,
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
