import { describe, expect, it } from 'vitest';
import type { BacktestMetrics } from '@nextbuy/contracts';
import { columnsWon, cutoffNotes, datasetTable, describeVerdict, judgeColumn, judgeCutoff, summaryTable, type CutoffResult } from './quality-scoring';

const BOOTSTRAP = { resamples: 200, level: 0.95 };

const m = (mae_days: number | null, c_index: number | null, auc_90d: number | null, brier_90d: number | null): BacktestMetrics => ({ mae_days, c_index, auc_90d, brier_90d });

/** The model best at mae (lower, beyond noise) and auc (higher, within noise), tied on c_index, beaten on brier (beyond noise). */
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
  intervals: {
    mae_days: { low: 1, high: 9 },
    c_index: { low: -0.01, high: 0.01 },
    auc_90d: { low: -0.002, high: 0.02 },
    brier_90d: { low: -0.08, high: -0.02 },
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
    expect(columnsWon([MIXED, allWon])).toMatchObject({ won: 6, tied: 1, total: 8 });
  });

  it('marks every winner of a column in the dataset table, with the model under its type', () => {
    const lines = datasetTable([MIXED], 'xgboost');
    expect(lines[0]).toMatch(/^cutoff\s+predictor\s+mae_days\s+c_index\s+auc_90d\s+brier_90d$/);
    const row = (name: string) => lines.find((l) => l.includes(` ${name} `))!;
    expect(row('xgboost')).toMatch(/40\.00\*\s+0\.8000\*\s+0\.7500\*\s+0\.2000$/);
    expect(row('baseline_recency')).toMatch(/50\.00 \s+0\.8000\*\s+-\s+-$/);
    expect(row('baseline_km')).toMatch(/0\.1500\*$/);
  });

  it('calls a column won or lost beyond noise only when its whole interval is above or below 0', () => {
    const [mae, c, auc, brier] = judgeCutoff(MIXED);
    expect([mae!.beyondNoise, c!.beyondNoise, auc!.beyondNoise, brier!.beyondNoise]).toEqual(['won', null, null, 'lost']);
    const touching: CutoffResult = { ...MIXED, intervals: { ...MIXED.intervals, mae_days: { low: 0, high: 9 }, brier_90d: { low: -0.08, high: 0 } } };
    expect(judgeCutoff(touching).map((v) => v.beyondNoise)).toEqual([null, null, null, null]);
    // No baseline has an AUC: nothing to doubt, the model wins; no model value: it loses.
    const lone: CutoffResult = { ...MIXED, metrics: { model: m(10, 0.9, 0.8, null), baseline_recency: m(20, 0.5, null, 0.3) }, intervals: { ...MIXED.intervals, auc_90d: null, brier_90d: null } };
    expect(judgeCutoff(lone).slice(2).map((v) => v.beyondNoise)).toEqual(['won', 'lost']);
    expect(columnsWon([MIXED, lone])).toMatchObject({ wonBeyondNoise: 3, lostBeyondNoise: 2, total: 8 });
  });

  it('ends the summary with the beyond-noise line, then exactly one `columns won` line', () => {
    const lines = summaryTable([MIXED], BOOTSTRAP);
    expect(lines.at(-1)).toBe('columns won: 2 of 4');
    expect(lines.at(-2)).toBe('beyond noise: won 1, lost 1 of 4 (paired bootstrap over customers, 200 resamples, 95%)');
    expect(lines.filter((l) => l.startsWith('columns won:'))).toHaveLength(1);
    const row = lines.find((l) => l.startsWith('toy'))!;
    expect(row).toMatch(/ won by 5\.00 /);
    expect(row).toContain('~tied with baseline_recency');
    expect(row).toContain('~won by 0.0100');
    expect(row).toMatch(/ lost to baseline_km by 0\.0500$/);
  });

  it("notes each cutoff's margin intervals, and what the model chose when it chose anything", () => {
    const selection = {
      blend_p_order_90d: { criterion: 'least rank sum', candidates: { booster: 2, 'booster 0.5 + bgnbd 0.5': 1 }, chosen: 'booster 0.5 + bgnbd 0.5' },
      blend_wait: { criterion: 'least rank sum', candidates: { bgnbd: 1 }, chosen: 'bgnbd' },
    };
    const lines = cutoffNotes([{ ...MIXED, selection }, { ...MIXED, cutoff: '2020-07-01', intervals: { ...MIXED.intervals, auc_90d: null } }], BOOTSTRAP);
    expect(lines).toEqual([
      '2020-06-01 margin 95%: mae_days +1.00..+9.00, c_index -0.0100..+0.0100, auc_90d -0.0020..+0.0200, brier_90d -0.0800..-0.0200',
      '2020-06-01 chose: blend_p_order_90d = booster 0.5 + bgnbd 0.5; blend_wait = bgnbd',
      '2020-07-01 margin 95%: mae_days +1.00..+9.00, c_index -0.0100..+0.0100, auc_90d -, brier_90d -0.0800..-0.0200',
    ]);
  });
});
