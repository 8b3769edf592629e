/** Latency summaries: percentiles by nearest rank over the sorted samples (milliseconds). */

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The value at quantile q (0..1) of ascending `sorted`, by nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Percentiles of the samples (which it sorts in place). */
export function summarise(samples: Float64Array): LatencySummary {
  samples.sort();
  let sum = 0;
  for (const v of samples) sum += v;
  return {
    count: samples.length,
    p50: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    p99: quantile(samples, 0.99),
    max: samples.length ? samples[samples.length - 1]! : Number.NaN,
    mean: samples.length ? sum / samples.length : Number.NaN,
  };
}

/** Quantiles at fixed points (for the distribution chart), from sorted samples. */
export function quantileCurve(sorted: Float64Array, points: number[]): number[] {
  return points.map((q) => quantile(sorted, q));
}

/** The median of a list (the figure reported from several rounds). */
export function median(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}
