import { Cron } from 'croner';
import type { EngineStore, InboxWriter } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import type { TriggerDefinition } from '../triggers/index.ts';
import type { Logger } from '../log.ts';

/**
 * Fires `timer` triggers into the inbox on their cron schedule. Runs missed while the engine
 * was down are not replayed (croner schedules from now). A tick is skipped while the
 * trigger's previous firing is still queued or running, so runs never overlap.
 */
export interface TimerSchedulerDeps {
  store: EngineStore;
  inbox: InboxWriter;
  clock: Clock;
  ids: Ids;
  onAccepted: () => void;
  log: Pick<Logger, 'warn'>;
}

export class TimerScheduler {
  #jobs = new Map<string, Cron>();
  #deps: TimerSchedulerDeps;

  constructor(deps: TimerSchedulerDeps) {
    this.#deps = deps;
  }

  /** Replaces every schedule with those of the given enabled timer triggers. */
  schedule(triggers: TriggerDefinition[]): void {
    this.stop();
    for (const trigger of triggers) {
      if (trigger.type !== 'timer' || !trigger.enabled) continue;
      const { cron, timezone } = trigger.condition;
      const job = new Cron(
        cron,
        { ...(timezone ? { timezone } : {}), protect: true, unref: true },
        (self: Cron) => {
          this.#fire(trigger.name, self.currentRun() ?? new Date(this.#deps.clock.now()));
        },
      );
      this.#jobs.set(trigger.name, job);
    }
  }

  stop(): void {
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }

  #fire(name: string, scheduledAt: Date): void {
    const { store, clock, ids } = this.#deps;
    if (store.queue.hasUnfinished(name)) {
      this.#deps.log.warn(
        { trigger: name },
        'timer tick skipped: the previous run has not finished',
      );
      return;
    }
    const scheduled = new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000);
    this.#deps.inbox
      .accept({
        id: ids.id(),
        source: 'timer',
        key: name,
        dedupKey: scheduled.toISOString(),
        data: {
          scheduledAt: scheduled.toISOString(),
          firedAt: new Date(clock.now()).toISOString(),
        },
        receivedAt: clock.now(),
      })
      .then(
        () => this.#deps.onAccepted(),
        (err: unknown) => this.#deps.log.warn({ err, trigger: name }, 'timer tick not stored'),
      );
  }
}
