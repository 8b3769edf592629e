import { Cron } from 'croner';
import type { TimerCondition } from './types.ts';

/**
 * Timer conditions through croner: 5 fields (minute precision) or 6 (seconds first),
 * nicknames such as "@hourly", an optional IANA timezone (UTC when absent).
 */

const MIN_INTERVAL_MS = 1000;

export type CronCheck =
  { ok: true } | { ok: false; path: 'condition.cron' | 'condition.timezone'; message: string };

/** Whether a timer condition can be scheduled: a valid pattern and zone that fires again. */
export function checkTimerCondition(condition: TimerCondition, now: Date = new Date()): CronCheck {
  if (condition.timezone !== undefined && !isTimeZone(condition.timezone)) {
    return {
      ok: false,
      path: 'condition.timezone',
      message: `"${condition.timezone}" is not an IANA time zone; use a name such as "Asia/Shanghai" or "UTC"`,
    };
  }
  let runs: Date[];
  try {
    runs = cronOf(condition).nextRuns(2, now);
  } catch (err) {
    const reason = (err as Error).message.replace(/^Cron\w*: /, '');
    return {
      ok: false,
      path: 'condition.cron',
      message: `${reason}. Write 5 fields ("*/5 * * * *") or 6 with seconds first ("*/10 * * * * *")`,
    };
  }
  if (runs.length === 0) {
    return {
      ok: false,
      path: 'condition.cron',
      message: `"${condition.cron}" never fires; check day and month`,
    };
  }
  // croner counts in whole seconds, so this holds by construction; kept as the stated rule.
  if (runs.length === 2 && runs[1]!.getTime() - runs[0]!.getTime() < MIN_INTERVAL_MS) {
    return {
      ok: false,
      path: 'condition.cron',
      message: 'a timer may fire at most once per second',
    };
  }
  return { ok: true };
}

/** The next `count` times the timer fires strictly after `after`. */
export function nextFireTimes(condition: TimerCondition, after: Date, count: number): Date[] {
  return cronOf(condition).nextRuns(count, after);
}

function cronOf(condition: TimerCondition): Cron {
  // No callback: croner only schedules a job given a function, so this never starts a timer.
  return new Cron(condition.cron, {
    mode: '5-or-6-parts',
    paused: true,
    ...(condition.timezone === undefined ? {} : { timezone: condition.timezone }),
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
