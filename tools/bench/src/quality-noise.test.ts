import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, type GapPrediction } from '@nextbuy/contracts';
import { evaluateCustomers, type BacktestResult } from '@nextbuy/features';
import { createRng } from '@nextbuy/random';
import { marginIntervals } from './quality-noise';
import { judgeColumn, judgeCutoff } from './quality-scoring';

type Toy = Pick<BacktestResult, 'customers' | 'maeHorizonDays' | 'metrics'>;

/**
 * 300 customers with known gaps and 90-day outcomes; each predictor knows the truth with its own
 * `skill` (1: exactly, 0: not at all), the rest of its answer random (equal skills: equal answers). The metrics are those of
 * all customers, scored as runBacktest scores them.
 */
function toyBacktest(skills: Record<string, number>): Toy {
  const n = 300;
  const rng = createRng(7);
  const gapDays = Float64Array.from({ length: n }, () => 5 + 200 * rng());
  const returned = Uint8Array.from(gapDays, (g) => (g < 180 ? 1 : 0));
  const orderedWithin90d = Uint8Array.from(gapDays, (g) => (g < 90 ? 1 : 0));
  const predictions: Record<string, GapPrediction> = {};
  const maeGapDays: Record<string, Float64Array> = {};
  for (const [name, skill] of Object.entries(skills)) {
    // Seeded by the skill alone: two predictors of equal skill answer alike.
    const own = createRng(Math.round(skill * 1000));
    const predictedGapDays = gapDays.map((g) => skill * g + (1 - skill) * (5 + 200 * own()));
    predictions[name] = { predictedGapDays, pOrder90d: Float64Array.from(orderedWithin90d, (y) => skill * y + (1 - skill) * own()) };
    maeGapDays[name] = predictedGapDays;
  }
  const customerIds = Array.from({ length: n }, (_, i) => `c${i}`);
  const customers = {
    customerIds,
    orderCount: new Int32Array(n).fill(2),
    elapsedDays: new Float64Array(n),
    actualGapDays: gapDays,
    returned,
    predictions,
    maeGapDays,
    truth: { customerIds, lastOrderDay: new Int32Array(n), gapDays, returned, orderedWithin90d, returnOffsetDays: gapDays.map((g, i) => (returned[i] ? g : Number.NaN)) },
  };
  const everyone = Array.from({ length: n }, (_, i) => i);
  const scored = { customers, maeHorizonDays: 365 };
  return { ...scored, metrics: Object.fromEntries(Object.keys(skills).map((name) => [name, evaluateCustomers(scored, name, everyone)])) };
}

const intervalsOf = (toy: Toy, seed = 42) => marginIntervals(toy, { seed });

describe("bench:quality's paired bootstrap", () => {
  it('puts the whole interval above 0 where the model is clearly better, around the margin on all customers', () => {
    const toy = toyBacktest({ model: 0.9, baseline_km: 0.2, baseline_bgnbd: 0.3 });
    const intervals = intervalsOf(toy);
    for (const column of METRIC_NAMES) {
      const { margin, bestBaseline } = judgeColumn(toy.metrics, column);
      expect(bestBaseline, column).toBe('baseline_bgnbd');
      expect(intervals[column]!.low, column).toBeGreaterThan(0);
      expect(intervals[column]!.low, column).toBeLessThanOrEqual(margin!);
      expect(intervals[column]!.high, column).toBeGreaterThanOrEqual(margin!);
    }
    expect(judgeCutoff({ dataset: 'toy', cutoff: '2020-01-01', scoredCustomers: 300, returnedCustomers: 0, metrics: toy.metrics, intervals }).map((v) => v.beyondNoise)).toEqual(['won', 'won', 'won', 'won']);
  });

  it('puts the whole interval below 0 where the model is clearly worse', () => {
    const intervals = intervalsOf(toyBacktest({ model: 0.2, baseline_km: 0.9 }));
    for (const column of METRIC_NAMES) expect(intervals[column]!.high, column).toBeLessThan(0);
  });

  it('never calls equal predictions beyond noise: every resample has a margin of 0', () => {
    const toy = toyBacktest({ model: 0.6, baseline_km: 0.6 });
    expect(toy.customers.predictions['model']).toEqual(toy.customers.predictions['baseline_km']);
    const intervals = intervalsOf(toy);
    for (const column of METRIC_NAMES) expect(intervals[column], column).toEqual({ low: 0, high: 0 });
    const verdicts = judgeCutoff({ dataset: 'toy', cutoff: '2020-01-01', scoredCustomers: 300, returnedCustomers: 0, metrics: toy.metrics, intervals });
    expect(verdicts.map((v) => [v.outcome, v.beyondNoise])).toEqual(METRIC_NAMES.map(() => ['tied', null]));
  });

  it('is the same for the same seed, and resamples otherwise for another', () => {
    const toy = toyBacktest({ model: 0.5, baseline_km: 0.45 });
    expect(intervalsOf(toy, 42)).toEqual(intervalsOf(toy, 42));
    expect(intervalsOf(toy, 43)).not.toEqual(intervalsOf(toy, 42));
  });

  it('has no interval for a column without a margin', () => {
    const toy = toyBacktest({ model: 0.9, baseline_km: 0.2 });
    toy.metrics['baseline_km'] = { ...toy.metrics['baseline_km']!, auc_90d: null };
    expect(intervalsOf(toy).auc_90d).toBeNull();
    expect(intervalsOf(toy).brier_90d).not.toBeNull();
  });
});
