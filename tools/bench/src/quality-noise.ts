// bench:quality's noise: how far each column's margin (the model against the best baseline) could
// move had other customers of the same base been scored. A paired bootstrap over the scored
// customers: every resample scores the model and the baseline on the same customers, with the
// backtest's own `evaluate` (features), so a resample is scored exactly as the backtest was.
import { METRIC_COLUMNS, METRIC_NAMES, type MetricColumn } from '@nextbuy/contracts';
import { evaluateCustomers, percentileInterval, selectTruth, type BacktestResult } from '@nextbuy/features';
import { createRng } from '@nextbuy/random';
import { judgeColumn, MODEL_KEY, type MarginInterval } from './quality-scoring';

/** What bench:quality resamples: 200 resamples, a 95% percentile interval. */
export const BOOTSTRAP = { resamples: 200, level: 0.95 } as const;

export interface BootstrapOptions {
  seed: number;
  resamples?: number;
  /** Coverage of the percentile interval, e.g. 0.95. */
  level?: number;
}

/**
 * Per column, the percentile interval of the model's margin over the best baseline (the best on
 * all customers, as `judgeColumn` finds it; model better = positive, as `ColumnVerdict.margin`),
 * from `resamples` draws of the scored customers with replacement, seeded. Null for a column
 * without a margin, or where no resample has one (a metric undefined on every resample).
 */
export function marginIntervals(
  backtest: Pick<BacktestResult, 'customers' | 'maeHorizonDays' | 'metrics'>,
  { seed, resamples = BOOTSTRAP.resamples, level = BOOTSTRAP.level }: BootstrapOptions,
): Record<MetricColumn, MarginInterval | null> {
  const rivals = new Map<MetricColumn, string>();
  for (const column of METRIC_NAMES) {
    const verdict = judgeColumn(backtest.metrics, column);
    if (verdict.margin !== null) rivals.set(column, verdict.bestBaseline!);
  }
  const predictors = [MODEL_KEY, ...new Set(rivals.values())];
  const margins = new Map<MetricColumn, number[]>([...rivals.keys()].map((column) => [column, []]));
  const n = backtest.customers.customerIds.length;
  const rng = createRng(seed);
  const rows = new Int32Array(n);
  for (let b = 0; b < (rivals.size > 0 ? resamples : 0); b++) {
    for (let i = 0; i < n; i++) rows[i] = Math.floor(rng() * n);
    const truth = selectTruth(backtest.customers.truth, rows);
    const metrics = Object.fromEntries(predictors.map((name) => [name, evaluateCustomers(backtest, name, rows, truth)]));
    for (const [column, rival] of rivals) {
      const model = metrics[MODEL_KEY]![column];
      const baseline = metrics[rival]![column];
      if (model === null || baseline === null) continue;
      margins.get(column)!.push(METRIC_COLUMNS[column].lowerIsBetter ? baseline - model : model - baseline);
    }
  }
  const intervals = {} as Record<MetricColumn, MarginInterval | null>;
  for (const column of METRIC_NAMES) {
    const drawn = margins.get(column) ?? [];
    intervals[column] = drawn.length > 0 ? percentileInterval(drawn, level) : null;
  }
  return intervals;
}
