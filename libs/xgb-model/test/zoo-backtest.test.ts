import type { BacktestMetrics, OrderTable } from '@nextbuy/contracts';
import { scenarioOrders } from '@nextbuy/datagen';
import { backtestModel, runBacktest, type BacktestResult } from '@nextbuy/features';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import { beforeAll, describe, expect, it } from 'vitest';
import { XGBoostGapModel } from '../src/index';

/** The baselines of evaluation.md's first protocol; protocol v3 adds the BG/NBD and Pareto/NBD ones. */
const SIMPLE_BASELINES = ['baseline_km', 'baseline_recency', 'baseline_customer_mean'];
const BTYD_BASELINES = ['baseline_bgnbd', 'baseline_pareto_nbd'];
type Column = keyof BacktestMetrics;
const EVERY_COLUMN: Column[] = ['mae_days', 'c_index', 'auc_90d', 'brier_90d'];

/**
 * The backtest of a datagen scenario at its default cutoff, as bench:quality and the trainer run
 * it (1% Isolation Forest filter, seed 42). Seeded end to end: the same figures on every run.
 */
async function backtest(scenario: string): Promise<BacktestResult> {
  return runBacktest(scenarioOrders(scenario), {
    filterTraining: (o: OrderTable) => filterOutlierCustomers(o, { contamination: 0.01, seed: 42 }).kept,
    model: backtestModel(() => new XGBoostGapModel({ seed: 42, nthread: 1 })),
  });
}

/** The model beats each named baseline in each column it reports (lower is better for mae and Brier). */
function expectWins(result: BacktestResult, baselines: readonly string[], columns: readonly Column[]): void {
  const model = result.metrics['model']!;
  for (const name of baselines) {
    const baseline = result.metrics[name]!;
    for (const column of columns) {
      if (baseline[column] === null) continue;
      const lowerIsBetter = column === 'mae_days' || column === 'brier_90d';
      if (lowerIsBetter) expect(model[column], `${column} against ${name}`).toBeLessThan(baseline[column]!);
      else expect(model[column], `${column} against ${name}`).toBeGreaterThan(baseline[column]!);
    }
  }
}

/**
 * Where the model does not beat a baseline yet (issue #14 is open; xgb-model README,
 * "bench:quality"): it is no worse than the baseline by more than `tolerance` in each column, a
 * no-regression floor near today's figures, so a change that widens a gap fails.
 */
function expectWithin(result: BacktestResult, baselines: readonly string[], tolerance: Partial<Record<Column, number>>): void {
  const model = result.metrics['model']!;
  for (const name of baselines) {
    const baseline = result.metrics[name]!;
    for (const [column, slack] of Object.entries(tolerance) as Array<[Column, number]>) {
      if (baseline[column] === null) continue;
      const lowerIsBetter = column === 'mae_days' || column === 'brier_90d';
      if (lowerIsBetter) expect(model[column], `${column} against ${name}`).toBeLessThan(baseline[column]! + slack);
      else expect(model[column], `${column} against ${name}`).toBeGreaterThan(baseline[column]! - slack);
    }
  }
}

describe('the default model on two contrasting customer bases of the zoo', () => {
  let shortSparse: BacktestResult;
  let longBusy: BacktestResult;
  beforeAll(async () => {
    shortSparse = await backtest('short-sparse');
    longBusy = await backtest('long-busy');
    // Two backtests, each with three boosters and two BTYD fits: over a minute on shared cores.
  }, 300_000);

  it('beats the simple baselines in every column on a long history with many orders (long-busy)', () => {
    expectWins(longBusy, SIMPLE_BASELINES, EVERY_COLUMN);
  });

  it('beats the simple baselines in every column on a short history with few orders (short-sparse)', () => {
    expectWins(shortSparse, SIMPLE_BASELINES, EVERY_COLUMN);
  });

  // Known shortfalls (README, "bench:quality"; issue #14): each tolerance is today's gap (the
  // model's figure less the baseline's, on the losing side; 0 where the model wins or ties) plus
  // about twice the run-to-run noise, so it fails if the gap widens and not on a change of seed.
  // The noise is the spread of the model's figures over the seeds 42, 1, 2 of the outlier filter
  // and the model (`npx nx run bench:seed-spread -- --model xgboost --dataset <name>`, libxgboost
  // 1.7.4, 2026-12-04; the baselines move less): short-sparse 0.031 days, 0.0009, 0.0001, 0.0001;
  // long-busy 0.044 days, 0.0002, 0.0000, 0.0001 (before the inner cutoff's choice of model, over
  // five seeds: short-sparse 0.035, 0.0007, 0.0068, 0.0004; long-busy 0.085, 0.0003, 0.0001, 0.0001).
  // short-sparse today: ahead of both on mae_days, of BG/NBD on c_index (Pareto/NBD leads by
  // 0.0006), level with BG/NBD on auc_90d and brier_90d (whose numbers the model picks there).
  it('short-sparse: within 0.1 day, 0.0025, 0.0005 and 0.0005 of BG/NBD and Pareto/NBD (which generated the data)', () => {
    expectWithin(shortSparse, BTYD_BASELINES, { mae_days: 0.1, c_index: 0.0025, auc_90d: 0.0005, brier_90d: 0.0005 });
  });

  // long-busy today, against BG/NBD: 0.025 day, 0.0005 and 0.0001 behind on mae_days, c_index and
  // auc_90d, 0.0018 ahead on brier_90d (level with Pareto/NBD there).
  it('long-busy: within 0.2 day, 0.0015, 0.0006 and 0.0005 of BG/NBD and Pareto/NBD', () => {
    expectWithin(longBusy, BTYD_BASELINES, { mae_days: 0.2, c_index: 0.0015, auc_90d: 0.0006, brier_90d: 0.0005 });
  });
});
