import { fileURLToPath } from 'node:url';
import type { BacktestMetrics, OrderTable } from '@nextbuy/contracts';
import { backtestModel, runBacktest, type BacktestResult } from '@nextbuy/features';
import { CDNOW_MAPPING, ingest } from '@nextbuy/ingestion';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import { beforeAll, describe, expect, it } from 'vitest';
import { XGBoostGapModel } from '../src/index';
import { expectNoRegression } from './no-regression';

const CDNOW = fileURLToPath(new URL('../../../data/cdnow/CDNOW_master.txt', import.meta.url));

/** evaluation.md's reference figures on CDNOW (its default cutoff, 1% of customers filtered as outliers). */
const REFERENCE_AFT = { mae_days: 64.4, c_index: 0.851, auc_90d: 0.792, brier_90d: 0.165 };
const BEST_REFERENCE = { mae_days: 50.2, c_index: 0.854, auc_90d: 0.799, brier_90d: 0.104 };

/**
 * Today's figures of this backtest (the README's table), and how far they may move before the
 * test calls it a regression. The tolerance is twice the run-to-run noise, rounded up: the spread
 * of each column over the seeds 42, 1, 2, 3, 4 of the outlier filter and the model
 * (`npx nx run bench:seed-spread -- --model xgboost --dataset cdnow`, libxgboost 1.7.4, 2026-12-04)
 * was 0.11 days, 0.0007, 0.0015 and 0.0003. A change that moves a column by more is a real change:
 * if it is an improvement, write the new figure here (and in the README).
 */
const TODAY = { mae_days: 44.56, c_index: 0.855, auc_90d: 0.8006, brier_90d: 0.1033 };
const TOLERANCE = { mae_days: 0.25, c_index: 0.0015, auc_90d: 0.003, brier_90d: 0.0008 };

/**
 * The backtest of evaluation.md with the trainer's outlier filter and the default model. Only
 * nthread is set: the machine's cores are shared, and XGBoost's result does not depend on it.
 */
describe('the default model in the CDNOW backtest', () => {
  let result: BacktestResult;
  beforeAll(async () => {
    const { orders } = await ingest(CDNOW, { mapping: CDNOW_MAPPING });
    result = await runBacktest(orders, {
      filterTraining: (o: OrderTable) => filterOutlierCustomers(o, { contamination: 0.01, seed: 42 }).kept,
      model: backtestModel(() => new XGBoostGapModel({ nthread: 1 })),
    });
    // Three boosters on about a million landmark rows and two BTYD fits: minutes on shared cores.
  }, 300_000);

  it('scores the reference population', () => {
    expect(result.cutoff).toBe('1997-12-12');
    expect(Math.abs(result.scoredCustomers - 23_266)).toBeLessThanOrEqual(5);
  });

  it('reaches the reference XGBoost survival:aft (normal, scale 1.0) on all four metrics', () => {
    const model = result.metrics['model']!;
    expect(model.mae_days).toBeLessThanOrEqual(REFERENCE_AFT.mae_days);
    expect(model.c_index).toBeGreaterThanOrEqual(REFERENCE_AFT.c_index);
    expect(model.auc_90d).toBeGreaterThanOrEqual(REFERENCE_AFT.auc_90d);
    expect(model.brier_90d).toBeLessThanOrEqual(REFERENCE_AFT.brier_90d);
  });

  it('stays within the measured noise of today\'s figures in every column (no regression)', () => {
    expectNoRegression(result.metrics['model']!, TODAY, TOLERANCE);
  });

  // The margins over the best reference are thin on c_index (0.001 today) and brier_90d (0.0007),
  // about the size of the noise above; every one of the five seeds measured cleared them all.
  it('beats the best reference figure in every column at once, and the simple baselines on each of their metrics', () => {
    const model = result.metrics['model']!;
    expect(model.mae_days).toBeLessThanOrEqual(BEST_REFERENCE.mae_days);
    expect(model.c_index).toBeGreaterThanOrEqual(BEST_REFERENCE.c_index);
    expect(model.auc_90d).toBeGreaterThanOrEqual(BEST_REFERENCE.auc_90d);
    expect(model.brier_90d).toBeLessThanOrEqual(BEST_REFERENCE.brier_90d);
    for (const name of ['baseline_km', 'baseline_recency', 'baseline_customer_mean']) expectBeats(model, result.metrics[name]!, name);
  });

  // A known shortfall (README; issue #14): BG/NBD is 1.0 day ahead on mae_days and 0.0005 on c_index
  // today. Floors near those figures fail if the gap widens (their slack, 0.5 day and 0.0015 past
  // today's gap, is about the tolerance above); the 90-day columns must still win.
  it('beats BG/NBD and Pareto/NBD on auc_90d and brier_90d, and stays within 1.5 days and 0.002 of them on mae_days and c_index', () => {
    const model = result.metrics['model']!;
    for (const name of ['baseline_bgnbd', 'baseline_pareto_nbd']) {
      const baseline = result.metrics[name]!;
      expect(model.auc_90d, name).toBeGreaterThan(baseline.auc_90d!);
      expect(model.brier_90d, name).toBeLessThan(baseline.brier_90d!);
      expect(model.mae_days, name).toBeLessThan(baseline.mae_days! + 1.5);
      expect(model.c_index, name).toBeGreaterThan(baseline.c_index! - 0.002);
    }
  });
});

function expectBeats(model: BacktestMetrics, baseline: BacktestMetrics, name: string): void {
  expect(model.mae_days, name).toBeLessThan(baseline.mae_days!);
  expect(model.c_index, name).toBeGreaterThan(baseline.c_index!);
  if (baseline.auc_90d !== null) expect(model.auc_90d, name).toBeGreaterThan(baseline.auc_90d);
  if (baseline.brier_90d !== null) expect(model.brier_90d, name).toBeLessThan(baseline.brier_90d);
}
