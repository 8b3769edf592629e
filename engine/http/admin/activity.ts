import type { Middleware } from 'koa';
import type { Intake } from '../../inbox/index.ts';
import type { FunctionService } from '../../functions/function-service.ts';
import type { Clock } from '../../clock.ts';

/** One line of the live log (GET /api/v1/events). */
export type ActivityEvent =
  | {
      seq: number;
      kind: 'push';
      at: number;
      appId: string;
      outcome: 'accepted' | 'deduplicated' | 'refused';
      code?: string;
    }
  | {
      seq: number;
      kind: 'job';
      at: number;
      jobId: string;
      function: string;
      version: number;
      source: string;
      status: string;
      durationMs: number;
      trigger: string | null;
      triggerLogId: string | null;
    };

type NewEvent = ActivityEvent extends infer E
  ? E extends ActivityEvent
    ? Omit<E, 'seq' | 'at'>
    : never
  : never;

/** Counts of one minute. Run times go into log-scale bins (2^(1/8) apart, about 9 %). */
export interface MinuteCounts {
  accepted: number;
  deduplicated: number;
  refused: number;
  jobs: Record<string, number>;
  runTimeBins: Map<number, number>;
}

const DAY_MINUTES = 24 * 60;
export const binOf = (ms: number) => Math.max(0, Math.ceil(8 * Math.log2(Math.max(ms, 1))));
export const binUpper = (bin: number) => 2 ** (bin / 8);

/**
 * What the engine did lately, in memory: the live log's feed and the dashboard's per-minute
 * counts for the last day. An engine restart starts both afresh (docs/console.md).
 */
export class Activity {
  readonly #listeners = new Set<(event: ActivityEvent) => void>();
  readonly #minutes = new Map<number, MinuteCounts>();
  readonly #clock: Clock;
  #seq = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  emit(event: NewEvent): void {
    const at = this.#clock.now();
    const full = { ...event, seq: ++this.#seq, at } as ActivityEvent;
    this.#count(full);
    for (const listener of this.#listeners) listener(full);
  }

  subscribe(listener: (event: ActivityEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends every subscription (the engine is closing: SSE streams must not hold it open). */
  closeAll(): void {
    for (const listener of [...this.#listeners]) listener({ seq: -1 } as ActivityEvent);
    this.#listeners.clear();
  }

  /** The counts of minute `m` (unix minutes), if anything happened then. */
  minute(m: number): MinuteCounts | undefined {
    return this.#minutes.get(m);
  }

  #count(event: ActivityEvent): void {
    const m = Math.floor(event.at / 60_000);
    let counts = this.#minutes.get(m);
    if (!counts) {
      counts = { accepted: 0, deduplicated: 0, refused: 0, jobs: {}, runTimeBins: new Map() };
      this.#minutes.set(m, counts);
      for (const old of this.#minutes.keys()) if (old <= m - DAY_MINUTES) this.#minutes.delete(old);
    }
    if (event.kind === 'push') counts[event.outcome]++;
    else {
      counts.jobs[event.status] = (counts.jobs[event.status] ?? 0) + 1;
      const bin = binOf(event.durationMs);
      counts.runTimeBins.set(bin, (counts.runTimeBins.get(bin) ?? 0) + 1);
    }
  }
}

/** The intake, telling Activity whether each WeChat push was new or a duplicate. */
export function observedIntake(intake: Intake, activity: Activity): Intake {
  return {
    async accept(event) {
      const accepted = await intake.accept(event);
      if (event.source === 'wechat_message')
        activity.emit({
          kind: 'push',
          appId: event.key,
          outcome: accepted.isNew ? 'accepted' : 'deduplicated',
        });
      return accepted;
    },
  };
}

/** The function service, telling Activity about every finished run. */
export function observedFunctions(functions: FunctionService, activity: Activity): FunctionService {
  return {
    ...functions,
    async run(name, data, context) {
      const result = await functions.run(name, data, context);
      const { job, outcome } = result;
      activity.emit({
        kind: 'job',
        jobId: job.id,
        function: name,
        version: job.version,
        source: job.source,
        status: outcome.status,
        durationMs: outcome.durationMs,
        trigger: job.triggerName,
        triggerLogId: job.triggerLogId,
      });
      return result;
    },
  };
}

/** The receiver's first middleware: a push it refuses (any error answer) is counted as refused. */
export function refusedPushes(activity: Activity): Middleware {
  return async (ctx, next) => {
    const appId = ctx.path.slice('/wechat/'.length);
    const refused = (code: string) =>
      activity.emit({ kind: 'push', appId, outcome: 'refused', code });
    try {
      await next();
    } catch (err) {
      refused((err as { code?: string }).code ?? 'E_INTERNAL');
      throw err;
    }
    if (ctx.status >= 400) refused(`HTTP_${ctx.status}`);
  };
}
