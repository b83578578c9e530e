import type { BacktestMetrics } from '@nextbuy/contracts';
import { expect } from 'vitest';

/** The model's figures are no worse than `today` by more than `tolerance` in any column (lower is better for mae and Brier). */
export function expectNoRegression(model: BacktestMetrics, today: BacktestMetrics, tolerance: BacktestMetrics): void {
  expect(model.mae_days, 'mae_days').toBeLessThanOrEqual(today.mae_days! + tolerance.mae_days!);
  expect(model.c_index, 'c_index').toBeGreaterThanOrEqual(today.c_index! - tolerance.c_index!);
  expect(model.auc_90d, 'auc_90d').toBeGreaterThanOrEqual(today.auc_90d! - tolerance.auc_90d!);
  expect(model.brier_90d, 'brier_90d').toBeLessThanOrEqual(today.brier_90d! + tolerance.brier_90d!);
}
