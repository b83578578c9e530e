import { fileURLToPath } from 'node:url';
import { isoToEpochDay, type OrderTable } from '@nextbuy/contracts';
import { generateTransactions } from '@nextbuy/datagen';
import { backtestModel, runBacktest, type BacktestResult } from '@nextbuy/features';
import { CDNOW_MAPPING, ingest, ordersFromTransactions } from '@nextbuy/ingestion';
import { filterOutlierCustomers } from '@nextbuy/outliers';
import { beforeAll, describe, expect, it } from 'vitest';
import { LstmGapModel } from '../src/index';

const CDNOW = fileURLToPath(new URL('../../../data/cdnow/CDNOW_master.txt', import.meta.url));
/** evaluation.md's reference LSTM(32), 3 orders, censored log-normal likelihood, on CDNOW. */
const REFERENCE_LSTM = { mae_days: 432.3, c_index: 0.848 };

/** The trainer's backtest with the default LSTM: the 1% outlier filter, fit on the training table, predict as of the cutoff. */
function backtest(orders: OrderTable, cutoffDay?: number): Promise<BacktestResult> {
  return runBacktest(orders, {
    ...(cutoffDay === undefined ? {} : { cutoffDay }),
    filterTraining: (o) => filterOutlierCustomers(o, { contamination: 0.01, seed: 42 }).kept,
    model: backtestModel(() => LstmGapModel.create({})),
  });
}

describe('the default LSTM in the CDNOW backtest', () => {
  let result: BacktestResult;
  beforeAll(async () => {
    result = await backtest((await ingest(CDNOW, { mapping: CDNOW_MAPPING })).orders);
  }, 120_000);

  it('beats the reference LSTM on mae_days and c_index, and Kaplan-Meier on auc_90d and brier_90d', () => {
    const { model, baseline_km } = result.metrics;
    expect(result.cutoff).toBe('1997-12-12');
    expect(model!.mae_days).toBeLessThan(REFERENCE_LSTM.mae_days);
    expect(model!.c_index).toBeGreaterThan(REFERENCE_LSTM.c_index);
    expect(model!.auc_90d).toBeGreaterThan(baseline_km!.auc_90d!);
    expect(model!.brier_90d).toBeLessThan(baseline_km!.brier_90d!);
  });
});

describe('the default LSTM in a backtest on generated data', () => {
  let result: BacktestResult;
  beforeAll(async () => {
    // 200,000 lines give ~1,350 scored customers; the data end 2011-12-31, so a 2011-08-01 cutoff covers 90 days.
    const { orders } = ordersFromTransactions(generateTransactions({ rows: 200_000, seed: 7 }));
    result = await backtest(orders, isoToEpochDay('2011-08-01'));
  }, 120_000);

  it('ranks returns and predicts 90-day orders better than the Kaplan-Meier baseline', () => {
    expect(result.scoredCustomers).toBeGreaterThan(1_000);
    const { model, baseline_km } = result.metrics;
    expect(model!.c_index).toBeGreaterThan(baseline_km!.c_index!);
    expect(model!.auc_90d).toBeGreaterThan(baseline_km!.auc_90d!);
  });
});
