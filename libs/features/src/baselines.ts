import { type GapPrediction, HORIZON_DAYS, type ScoringTable, type TrainingTable } from '@nextbuy/contracts';
import { conditionalKaplanMeier, kaplanMeier } from './kaplan-meier';

/** A baseline predictor: same inputs and output as a model's fit-then-predict. */
export type Baseline = (train: TrainingTable, score: ScoringTable) => GapPrediction;


/**
 * Kaplan-Meier estimate of the gap over every training row (censored rows included),
 * conditioned on the gap exceeding each customer's elapsed days: its median and its
 * probability of an order within 90 days.
 */
export function baselineKm(train: TrainingTable, score: ScoringTable): GapPrediction {
  const curve = kaplanMeier(train.gapDays, train.censored);
  const n = score.lastRow.length;
  const predictedGapDays = new Float64Array(n);
  const pOrder90d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const { medianGap, pWithin } = conditionalKaplanMeier(curve, score.elapsedDays[i]!, HORIZON_DAYS);
    predictedGapDays[i] = medianGap;
    pOrder90d[i] = pWithin;
  }
  return { predictedGapDays, pOrder90d };
}

/** The wait so far, again: `2 * max(elapsed, 1)`; no probability (NaN). */
export function baselineRecency(_train: TrainingTable, score: ScoringTable): GapPrediction {
  return {
    predictedGapDays: Float64Array.from(score.elapsedDays, (elapsed) => 2 * Math.max(elapsed, 1)),
    pOrder90d: new Float64Array(score.lastRow.length).fill(NaN),
  };
}

/** Median of the observed (uncensored) training gaps; NaN when there is none. */
function medianObservedGap(train: TrainingTable): number {
  const observed = train.gapDays.filter((_, i) => !train.censored[i]).sort();
  if (observed.length === 0) return NaN;
  const mid = observed.length >> 1;
  return observed.length % 2 ? observed[mid]! : (observed[mid - 1]! + observed[mid]!) / 2;
}

/**
 * `max(customer's mean gap, elapsed + 1)`, with the median observed training gap standing in
 * for the mean gap of customers with a single order; no probability (NaN).
 */
export function baselineCustomerMean(train: TrainingTable, score: ScoringTable): GapPrediction {
  const globalMedian = medianObservedGap(train);
  const n = score.lastRow.length;
  const predictedGapDays = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const last = score.lastRow[i]!;
    const first = i > 0 ? score.lastRow[i - 1]! + 1 : 0;
    const meanGap = last > first ? (score.orderDay[last]! - score.orderDay[first]!) / (last - first) : globalMedian;
    const floor = score.elapsedDays[i]! + 1;
    predictedGapDays[i] = Number.isNaN(meanGap) ? floor : Math.max(meanGap, floor);
  }
  return { predictedGapDays, pOrder90d: new Float64Array(n).fill(NaN) };
}

/** The baselines of evaluation.md, by the names their metrics are reported under. */
export const BASELINES: Readonly<Record<'baseline_km' | 'baseline_recency' | 'baseline_customer_mean', Baseline>> = {
  baseline_km: baselineKm,
  baseline_recency: baselineRecency,
  baseline_customer_mean: baselineCustomerMean,
};
