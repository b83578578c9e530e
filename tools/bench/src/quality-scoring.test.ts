import { describe, expect, it } from 'vitest';
import type { BacktestMetrics } from '@nextbuy/contracts';
import { columnsWon, datasetTable, describeVerdict, judgeColumn, judgeCutoff, summaryTable, type CutoffResult } from './quality-scoring';

const m = (mae_days: number | null, c_index: number | null, auc_90d: number | null, brier_90d: number | null): BacktestMetrics => ({ mae_days, c_index, auc_90d, brier_90d });

/** The model best at mae (lower) and auc (higher), tied on c_index, beaten on brier. */
const MIXED: CutoffResult = {
  dataset: 'toy',
  cutoff: '2020-06-01',
  scoredCustomers: 10,
  returnedCustomers: 4,
  metrics: {
    model: m(40, 0.8, 0.75, 0.2),
    baseline_km: m(120, 0.6, 0.7, 0.15),
    baseline_recency: m(50, 0.8, null, null),
    baseline_bgnbd: m(45, 0.79, 0.74, 0.18),
  },
};

describe('bench:quality judging', () => {
  it('lower wins for mae_days and brier_90d, higher for c_index and auc_90d', () => {
    const [mae, c, auc, brier] = judgeCutoff(MIXED);
    expect(mae).toMatchObject({ outcome: 'won', winners: ['model'], bestBaseline: 'baseline_bgnbd', margin: 5 });
    expect(c).toMatchObject({ outcome: 'tied', winners: ['model', 'baseline_recency'] });
    expect(auc!.outcome).toBe('won');
    expect(auc!.margin).toBeCloseTo(0.01, 12);
    expect(brier).toMatchObject({ outcome: 'lost', winners: ['baseline_km'], bestBaseline: 'baseline_km' });
    expect(brier!.margin).toBeCloseTo(-0.05, 12);
  });

  it('null metrics do not compete, and a model without a value loses the column', () => {
    const onlyRecency = { model: m(10, 0.9, null, null), baseline_recency: m(20, 0.5, null, 0.3) };
    expect(judgeColumn(onlyRecency, 'auc_90d')).toMatchObject({ outcome: 'lost', winners: [], bestBaseline: null, margin: null });
    expect(judgeColumn(onlyRecency, 'brier_90d')).toMatchObject({ outcome: 'lost', winners: ['baseline_recency'], modelValue: null });
    expect(describeVerdict(judgeColumn(onlyRecency, 'brier_90d'))).toBe('lost (model has no value)');
  });

  it('counts only strict wins: W of datasets x cutoffs x 4, ties reported apart', () => {
    const allWon: CutoffResult = { ...MIXED, cutoff: '2020-07-01', metrics: { model: m(1, 0.99, 0.99, 0.01), baseline_km: m(2, 0.5, 0.5, 0.5) } };
    expect(columnsWon([MIXED, allWon])).toEqual({ won: 6, tied: 1, total: 8 });
  });

  it('marks every winner of a column in the dataset table, with the model under its type', () => {
    const lines = datasetTable([MIXED], 'xgboost');
    expect(lines[0]).toMatch(/^cutoff\s+predictor\s+mae_days\s+c_index\s+auc_90d\s+brier_90d$/);
    const row = (name: string) => lines.find((l) => l.includes(` ${name} `))!;
    expect(row('xgboost')).toMatch(/40\.00\*\s+0\.8000\*\s+0\.7500\*\s+0\.2000$/);
    expect(row('baseline_recency')).toMatch(/50\.00 \s+0\.8000\*\s+-\s+-$/);
    expect(row('baseline_km')).toMatch(/0\.1500\*$/);
  });

  it('ends the summary with exactly one `columns won` line', () => {
    const lines = summaryTable([MIXED]);
    expect(lines.at(-1)).toBe('columns won: 2 of 4');
    expect(lines.filter((l) => l.startsWith('columns won:'))).toHaveLength(1);
    const row = lines.find((l) => l.startsWith('toy'))!;
    expect(row).toContain('won by 5.00');
    expect(row).toContain('tied with baseline_recency');
    expect(row).toContain('lost to baseline_km by 0.0500');
  });
});
