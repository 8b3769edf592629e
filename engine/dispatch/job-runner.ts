import type { EngineStore, QueueItem } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import { backoffDelayMs } from '../triggers/index.ts';
import type { TriggerDefinition } from '../triggers/index.ts';
import { EngineError } from '../errors.ts';
import { ActionError, type ActionExecutor } from './actions/action-error.ts';
import type { Logger } from '../log.ts';

/** How often due items held back by a full lane are looked at again (completions also wake). */
const BLOCKED_RECHECK_MS = 1000;

export interface JobRunnerOptions {
  /** Actions running at once, across all triggers. */
  concurrency: number;
  /**
   * Actions running at once in one lane: one function (whichever triggers call it), or one
   * table or webhook action. Below `concurrency`, so one busy lane cannot take every slot.
   */
  perLane: number;
}

/**
 * Runs queued firings: at least once, with the trigger's retries and exponential back-off,
 * then dead letter. Each attempt leaves the trigger log row up to date.
 */
export class JobRunner {
  #store: EngineStore;
  #clock: Clock;
  #executors: Record<string, ActionExecutor>;
  #log: Pick<Logger, 'warn' | 'error'>;
  #options: JobRunnerOptions;
  #running = new Set<Promise<void>>();
  #lanes = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  #stopped = false;

  constructor(deps: {
    store: EngineStore;
    clock: Clock;
    executors: Record<string, ActionExecutor>;
    log: Pick<Logger, 'warn' | 'error'>;
    options: JobRunnerOptions;
  }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#executors = deps.executors;
    this.#log = deps.log;
    this.#options = deps.options;
  }

  /** Looks for due work on the next turn (coalesced). */
  wake(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#tick();
    });
  }

  /** Stops taking work and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Resolves when nothing is running and nothing is due now (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** True while an attempt runs. */
  busy(): boolean {
    return this.#running.size > 0;
  }

  #tick(): void {
    if (this.#stopped) return;
    const free = this.#options.concurrency - this.#running.size;
    if (free > 0) {
      const lanes = { perLane: this.#options.perLane, running: this.#lanes };
      for (const item of this.#store.queue.claimDue(this.#clock.now(), free, lanes)) {
        this.#lanes.set(item.lane, (this.#lanes.get(item.lane) ?? 0) + 1);
        const run: Promise<void> = this.#attempt(item).finally(() => {
          this.#running.delete(run);
          const left = (this.#lanes.get(item.lane) ?? 1) - 1;
          if (left > 0) this.#lanes.set(item.lane, left);
          else this.#lanes.delete(item.lane);
          this.wake();
        });
        this.#running.add(run);
      }
    }
    this.#armTimer();
  }

  #armTimer(): void {
    clearTimeout(this.#timer);
    const next = this.#store.queue.nextRunAt();
    if (next === undefined || this.#stopped) return;
    // Due but not claimed means every slot or its lane is full: a finishing attempt wakes the
    // runner, so only look again later as a safety net instead of spinning on it.
    const wait = next - this.#clock.now();
    const delay = wait <= 0 ? BLOCKED_RECHECK_MS : Math.min(wait, 60_000);
    this.#timer = setTimeout(() => this.#tick(), delay);
    this.#timer.unref();
  }

  async #attempt(item: QueueItem): Promise<void> {
    const started = this.#clock.now();
    const stored = this.#store.triggers.get(item.trigger);
    const definition = stored?.definition as unknown as TriggerDefinition | undefined;
    const execute = this.#executors[String(item.action.type)];
    try {
      if (!definition)
        throw new ActionError(
          'E_TRIGGER_NOT_FOUND',
          `Trigger "${item.trigger}" was deleted before this firing ran.`,
        );
      if (!execute)
        throw new ActionError(
          'E_ACTION_UNKNOWN',
          `No executor for action type "${String(item.action.type)}".`,
        );
      if (item.attempts > definition.retry.attempts) {
        // The engine stopped (crash, kill) during the last allowed attempt: running it again
        // would exceed what the trigger allows, so it goes to dead letter instead.
        throw new ActionError(
          'E_ATTEMPT_INTERRUPTED',
          `The engine stopped during attempt ${item.attempts - 1} of ${definition.retry.attempts}; replay the firing to run it again.`,
        );
      }
      const outcome = await execute({
        trigger: { name: definition.name, type: definition.type },
        action: item.action,
        event: item.event,
        eventType: item.eventType,
        triggerLogId: item.triggerLogId,
        deliveryId: item.triggerLogId,
      });
      this.#store.triggerLogs.update(
        item.triggerLogId,
        {
          status: 'succeeded',
          attempts: item.attempts,
          errorType: null,
          error: null,
          jobId: outcome.jobId ?? null,
          durationMs: this.#clock.now() - started,
        },
        this.#clock.now(),
      );
      this.#store.queue.complete(item.id);
    } catch (err) {
      this.#fail(item, definition, err, started);
    }
  }

  #fail(
    item: QueueItem,
    definition: TriggerDefinition | undefined,
    err: unknown,
    started: number,
  ): void {
    // A refusal of the engine's own (the action's function was deleted: E_FUNCTION_NOT_FOUND)
    // is an outcome with its code, not a crash of the action.
    const actionError =
      err instanceof ActionError
        ? err
        : err instanceof EngineError
          ? new ActionError(err.code, err.message, { cause: err })
          : undefined;
    if (!actionError) this.#log.error({ err, trigger: item.trigger }, 'action crashed');
    const now = this.#clock.now();
    const attemptsAllowed = definition?.retry.attempts ?? 1;
    const final =
      !definition || actionError?.permanent === true || item.attempts >= attemptsAllowed;
    // An interrupted attempt did not run now: the log keeps the number that did.
    const attempts = Math.min(item.attempts, attemptsAllowed);
    this.#store.triggerLogs.update(
      item.triggerLogId,
      {
        status: final ? 'dead_letter' : 'failed',
        attempts,
        errorType: actionError?.errorType ?? 'E_INTERNAL',
        error: actionError?.message ?? (err as Error).message,
        jobId: actionError?.jobId ?? null,
        durationMs: now - started,
      },
      now,
    );
    if (final) {
      this.#store.queue.remove(item.id);
      // A known cause is a warning with its code and message; a stack only for crashes.
      this.#log.warn(
        {
          trigger: item.trigger,
          log: item.triggerLogId,
          attempts,
          // A function's own error message is its words (it may quote its env values): the
          // log names the job that holds it instead (docs/security.md, "Secrets").
          ...(actionError
            ? {
                code: actionError.errorType,
                ...(actionError.jobId === undefined
                  ? { reason: actionError.message }
                  : { job: actionError.jobId }),
              }
            : {}),
        },
        'firing dead-lettered',
      );
    } else {
      this.#store.queue.retryAt(item.id, now + backoffDelayMs(definition.retry, item.attempts));
    }
  }
}
