/** The answer of GET /api/v1/metrics (engine/http/admin/metrics-routes.ts). */
export interface Metrics {
  window: 'hour' | 'day';
  bucketSeconds: number;
  series: {
    /** Start of each bucket, unix seconds. */
    t: number[];
    accepted: number[];
    deduplicated: number[];
    refused: number[];
    jobs: number[];
    failedJobs: number[];
  };
  pushesPerMinute: { accepted: number; deduplicated: number; refused: number };
  jobsByStatus: Record<string, number>;
  runTimeMs: { p50: number | null; p99: number | null };
  deadLetters: number;
  queueDepth: number;
  executorRestarts: number;
  quarantined: string[];
}
