import { describe, expect, it } from 'vitest';
import { orderTable } from '../test/fixtures';
import { baselineCustomerMean, baselineKm, baselineRecency, BASELINES } from './baselines';
import { buildScoringTable, buildTrainingTable } from './feature-tables';

// As of day 100: A ordered every 10 days (mean gap 10, elapsed 10); B has gaps 20 and 40 (mean 30)
// but has waited 50 days; C and D ordered once (elapsed 40 and 0).
const ORDERS = orderTable([
  ['A', 60], ['A', 70], ['A', 80], ['A', 90],
  ['B', -10], ['B', 10], ['B', 50],
  ['C', 60],
  ['D', 99],
]);
const AS_OF = 100;
const train = buildTrainingTable(ORDERS, AS_OF);
const score = buildScoringTable(ORDERS, AS_OF);

describe('baselineRecency', () => {
  it('predicts the wait so far, again, and no probability', () => {
    const { predictedGapDays, pOrder90d } = baselineRecency(train, score);
    expect(Array.from(score.elapsedDays)).toEqual([10, 50, 40, 1]);
    expect(Array.from(predictedGapDays)).toEqual([20, 100, 80, 2]);
    expect(pOrder90d.every(Number.isNaN)).toBe(true);
  });
});

describe('baselineCustomerMean', () => {
  it("predicts the customer's mean gap, never before the as-of date, and the global median for one-order customers", () => {
    // Observed training gaps: 10, 10, 10, 20, 40 -> median 10.
    const { predictedGapDays, pOrder90d } = baselineCustomerMean(train, score);
    expect(Array.from(predictedGapDays)).toEqual([11, 51, 41, 10]);
    expect(pOrder90d.every(Number.isNaN)).toBe(true);
  });
});

describe('baselineKm', () => {
  it('reads the conditional median and 90-day probability off the Kaplan-Meier curve of all training rows', () => {
    // Rows: events 10,10,10,20,40; censored 10 (A), 50 (B), 40 (C), 1 (D). At risk 9.
    // S(1)=1 (censoring only); t=10: 3 events of 8 at risk -> 5/8; t=20: 1 of 4 -> 15/32;
    // t=40: 1 of 3 (C censored at 40 stays at risk) -> 5/16; last event time 40.
    const { predictedGapDays, pOrder90d } = baselineKm(train, score);
    // A, elapsed 10: S(10)=5/8, half is 5/16 -> first reached at 40. P = 1 - S(100)/S(10) = 1 - (5/16)/(5/8) = 0.5.
    expect(predictedGapDays[0]).toBe(40);
    expect(pOrder90d[0]).toBeCloseTo(0.5, 12);
    // B, elapsed 50: S stays 5/16 past 40, the median is beyond the curve -> 2 * 40.
    expect(predictedGapDays[1]).toBe(80);
    expect(pOrder90d[1]).toBe(0);
    // D, elapsed 1: S(1)=1, half first reached at 20 (S=15/32); P = 1 - S(91) = 11/16.
    expect(predictedGapDays[3]).toBe(20);
    expect(pOrder90d[3]).toBeCloseTo(11 / 16, 12);
  });

  it('never predicts a next order before the as-of date', () => {
    const { predictedGapDays } = baselineKm(train, score);
    predictedGapDays.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(score.elapsedDays[i]!));
  });
});

describe('BASELINES', () => {
  it('names the three baselines of evaluation.md', () => {
    expect(Object.keys(BASELINES)).toEqual(['baseline_km', 'baseline_recency', 'baseline_customer_mean']);
  });
});
