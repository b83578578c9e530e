/** A percentile interval: its lower and upper ends. */
export interface PercentileInterval {
  low: number;
  high: number;
}

/**
 * The percentile interval of bootstrap `draws` at coverage `level` (Efron & Tibshirani 1993,
 * 13.3), as order statistics: with k = round(draws x tail), the k-th smallest and the k-th largest
 * (the 5th of each of 200 at 95%). NaN ends when there are no draws.
 */
export function percentileInterval(draws: readonly number[], level: number): PercentileInterval {
  if (draws.length === 0) return { low: NaN, high: NaN };
  const sorted = Float64Array.from(draws).sort();
  const k = Math.max(1, Math.round((sorted.length * (1 - level)) / 2));
  return { low: sorted[k - 1]!, high: sorted[sorted.length - k]! };
}
