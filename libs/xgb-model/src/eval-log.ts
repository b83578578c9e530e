/** Per-round metrics like Python's `evals_result`: `log[dataName][metricName][round]`. */
export type EvalsLog = Record<string, Record<string, number[]>>;

/** One `name-metric:value` entry of an evaluation line. */
export interface EvalScore {
  data: string;
  metric: string;
  value: number;
}

// XGBoost prints non-finite metrics through iostreams: `nan`, `inf`, `-inf`.
function parseMetricValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan' || lower === '-nan') return Number.NaN;
  if (lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/**
 * Parses XGBoosterEvalOneIter's result, `[3]\ttrain-rmse:0.12\tvalid-aft-nloglik:1.5`.
 * The data name ends at the first '-' (metric names contain dashes, data names may not),
 * exactly as Python XGBoost splits it.
 */
export function parseEvalResult(text: string): EvalScore[] {
  return text
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((entry) => {
      const colon = entry.lastIndexOf(':');
      const dash = entry.indexOf('-');
      if (colon < 0 || dash < 0 || dash > colon) throw new SyntaxError(`unexpected evaluation entry "${entry}" in "${text}"`);
      return { data: entry.slice(0, dash), metric: entry.slice(dash + 1, colon), value: parseMetricValue(entry.slice(colon + 1)) };
    });
}

/** Appends one round's scores to an evaluation log, in place. */
export function appendScores(log: EvalsLog, scores: readonly EvalScore[]): void {
  for (const { data, metric, value } of scores) {
    const metrics = (log[data] ??= {});
    (metrics[metric] ??= []).push(value);
  }
}
