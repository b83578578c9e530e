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
 * test calls it a regression: about twice the run-to-run noise, rounded up. The noise is the
 * spread of each column when only the seeds of the outlier filter and the model change
 * (`npx nx run bench:seed-spread -- --model xgboost --dataset cdnow`, libxgboost 1.7.4,
 * 2026-12-04): 0.04 days, 0.0005, 0.0005 and 0.0002 over the seeds 42, 1, 2; before the inner
 * cutoff's choice of model, 0.11, 0.0007, 0.0015 and 0.0003 over 42, 1, 2, 3, 4 (the larger are
 * used). A change that moves a column by more is a real change: if it is an improvement, write
 * the new figure here (and in the README).
 */
const TODAY = { mae_days: 43.71, c_index: 0.8557, auc_90d: 0.8031, brier_90d: 0.1027 };
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

  // The margins over the best reference are thin on c_index (0.0017 today) and brier_90d
  // (0.0013), a few times the noise above; every seed measured cleared them all.
  it('beats the best reference figure in every column at once, and the simple baselines on each of their metrics', () => {
    const model = result.metrics['model']!;
    expect(model.mae_days).toBeLessThanOrEqual(BEST_REFERENCE.mae_days);
    expect(model.c_index).toBeGreaterThanOrEqual(BEST_REFERENCE.c_index);
    expect(model.auc_90d).toBeGreaterThanOrEqual(BEST_REFERENCE.auc_90d);
    expect(model.brier_90d).toBeLessThanOrEqual(BEST_REFERENCE.brier_90d);
    for (const name of ['baseline_km', 'baseline_recency', 'baseline_customer_mean']) expectBeats(model, result.metrics[name]!, name);
  });

  // A known shortfall (README; issue #14): BG/NBD is 0.14 day ahead on mae_days today (0.125 to
  // 0.142 over the seeds measured); the model leads it by 0.0002 on c_index and both BTYD models on
  // the 90-day columns. The floors are today's gap plus about twice the noise above.
  it('beats BG/NBD and Pareto/NBD on auc_90d and brier_90d, and stays within 0.4 day and 0.0015 of them on mae_days and c_index', () => {
    const model = result.metrics['model']!;
    for (const name of ['baseline_bgnbd', 'baseline_pareto_nbd']) {
      const baseline = result.metrics[name]!;
      expect(model.auc_90d, name).toBeGreaterThan(baseline.auc_90d!);
      expect(model.brier_90d, name).toBeLessThan(baseline.brier_90d!);
      expect(model.mae_days, name).toBeLessThan(baseline.mae_days! + 0.4);
      expect(model.c_index, name).toBeGreaterThan(baseline.c_index! - 0.0015);
    }
  });
});

function expectBeats(model: BacktestMetrics, baseline: BacktestMetrics, name: string): void {
  expect(model.mae_days, name).toBeLessThan(baseline.mae_days!);
  expect(model.c_index, name).toBeGreaterThan(baseline.c_index!);
  if (baseline.auc_90d !== null) expect(model.auc_90d, name).toBeGreaterThan(baseline.auc_90d);
  if (baseline.brier_90d !== null) expect(model.brier_90d, name).toBeLessThan(baseline.brier_90d);
}
