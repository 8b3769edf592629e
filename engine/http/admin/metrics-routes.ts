import type Router from '@koa/router';
import { z } from 'zod';
import type { EngineStore } from '../../store/index.ts';
import type { Clock } from '../../clock.ts';
import type { Sandbox } from '../../../runtime/sandbox.ts';
import { parseInput } from '../validate.ts';
import { type Activity, binUpper } from './activity.ts';

/** What the supervised sandbox tells about its executors, when it is one. */
export interface SandboxView {
  executors?: () => readonly { restarts: number }[];
  pathOf?: (name: string, version: number) => string;
}

const metricsQuery = z.strictObject({ window: z.enum(['hour', 'day']).optional() });

const WINDOWS = {
  hour: { minutes: 60, bucketMinutes: 1 },
  day: { minutes: 24 * 60, bucketMinutes: 15 },
} as const;

/** The run time below which `share` of the runs fall, from log-scale bins (the bin's upper edge). */
function percentile(bins: Map<number, number>, share: number): number | null {
  const total = [...bins.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(total * share);
  let seen = 0;
  for (const bin of [...bins.keys()].sort((a, b) => a - b)) {
    seen += bins.get(bin)!;
    if (seen >= rank) return Math.round(binUpper(bin) * 10) / 10;
  }
  return null;
}

/**
 * GET /metrics?window=hour|day: the dashboard's numbers (docs/console.md). Push and job
 * counts and run times come from Activity (since the engine started); dead letters and queue
 * depth from the store; restarts and quarantine from the sandbox.
 */
export function registerMetricsRoutes(
  router: Router,
  deps: { store: EngineStore; clock: Clock; activity: Activity; sandbox: Sandbox & SandboxView },
): void {
  const { store, clock, activity, sandbox } = deps;
  router.get('/metrics', async (ctx) => {
    const { window = 'hour' } = parseInput(metricsQuery, ctx.query, 'E_INVALID_QUERY');
    const { minutes, bucketMinutes } = WINDOWS[window];
    const now = clock.now();
    const lastMinute = Math.floor(now / 60_000);
    const firstMinute = lastMinute - minutes + 1;
    const series = {
      t: [] as number[],
      accepted: [] as number[],
      deduplicated: [] as number[],
      refused: [] as number[],
      jobs: [] as number[],
      failedJobs: [] as number[],
    };
    const jobsByStatus: Record<string, number> = {};
    const bins = new Map<number, number>();
    const totals = { accepted: 0, deduplicated: 0, refused: 0 };
    for (let start = firstMinute; start <= lastMinute; start += bucketMinutes) {
      const bucket = { accepted: 0, deduplicated: 0, refused: 0, jobs: 0, failed: 0 };
      for (let m = start; m < start + bucketMinutes && m <= lastMinute; m++) {
        const c = activity.minute(m);
        if (!c) continue;
        bucket.accepted += c.accepted;
        bucket.deduplicated += c.deduplicated;
        bucket.refused += c.refused;
        for (const [status, n] of Object.entries(c.jobs)) {
          jobsByStatus[status] = (jobsByStatus[status] ?? 0) + n;
          bucket.jobs += n;
          if (status !== 'fulfilled') bucket.failed += n;
        }
        for (const [bin, n] of c.runTimeBins) bins.set(bin, (bins.get(bin) ?? 0) + n);
      }
      series.t.push(start * 60);
      series.accepted.push(bucket.accepted);
      series.deduplicated.push(bucket.deduplicated);
      series.refused.push(bucket.refused);
      series.jobs.push(bucket.jobs);
      series.failedJobs.push(bucket.failed);
      totals.accepted += bucket.accepted;
      totals.deduplicated += bucket.deduplicated;
      totals.refused += bucket.refused;
    }
    const perMinute = (n: number) => Math.round((n / minutes) * 100) / 100;
    const since = firstMinute * 60_000;
    const quarantined = sandbox.pathOf
      ? (await store.functions.list())
          .filter((fn) => sandbox.pathOf!(fn.name, fn.activeVersion) === 'quarantine')
          .map((fn) => fn.name)
      : [];
    ctx.body = {
      window,
      bucketSeconds: bucketMinutes * 60,
      series,
      pushesPerMinute: {
        accepted: perMinute(totals.accepted),
        deduplicated: perMinute(totals.deduplicated),
        refused: perMinute(totals.refused),
      },
      jobsByStatus,
      runTimeMs: { p50: percentile(bins, 0.5), p99: percentile(bins, 0.99) },
      deadLetters: (
        await store.delivery.listLogs({ status: 'dead_letter', since, limit: 1, offset: 0 })
      ).total,
      queueDepth: (await store.delivery.listLogs({ status: 'pending', limit: 1, offset: 0 })).total,
      executorRestarts: (sandbox.executors?.() ?? []).reduce((sum, e) => sum + e.restarts, 0),
      quarantined,
    };
  });
}
