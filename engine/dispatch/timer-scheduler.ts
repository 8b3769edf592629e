import { Cron } from 'croner';
import type { DeliveryLog } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Intake } from '../inbox/index.ts';
import type { TriggerDefinition } from '../triggers/index.ts';

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * Fires `timer` triggers into the inbox on their cron schedule. Runs missed while the engine
 * was down are not replayed (croner schedules from now). A tick is skipped while the
 * trigger's previous firing is still queued or running, so runs never overlap.
 */
export interface TimerSchedulerDeps {
  delivery: Pick<DeliveryLog, 'hasUnfinished'>;
  intake: Intake;
  clock: Clock;
  log: Logger;
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
          void this.#fire(trigger.name, self.currentRun() ?? new Date(this.#deps.clock.now()));
        },
      );
      this.#jobs.set(trigger.name, job);
    }
  }

  stop(): void {
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }

  async #fire(name: string, scheduledAt: Date): Promise<void> {
    const { delivery, intake, clock, log } = this.#deps;
    try {
      if (await delivery.hasUnfinished(name)) {
        log.warn({ trigger: name }, 'timer tick skipped: the previous run has not finished');
        return;
      }
      const scheduled = new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000);
      // The tick's slot is its dedup key: a tick fired twice (or by two processes) is one entry.
      await intake.accept({
        source: 'timer',
        key: name,
        dedupKey: scheduled.toISOString(),
        data: {
          scheduledAt: scheduled.toISOString(),
          firedAt: new Date(clock.now()).toISOString(),
        },
      });
    } catch (err) {
      log.warn({ err, trigger: name }, 'timer tick not stored');
    }
  }
}
