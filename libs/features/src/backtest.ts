import {
  epochDayToIso,
  HORIZON_DAYS,
  type BacktestMetrics,
  type BacktestReport,
  type GapPrediction,
  type NextPurchaseModel,
  type OrderTable,
  type ScoringTable,
  type TrainingTable,
} from '@nextbuy/contracts';
import { BASELINES } from './baselines';
import { buildScoringTable, buildTrainingTable } from './feature-tables';
import { auc, brier, concordanceIndex, maeDays } from './metrics';
import { customerSegments, orderDaySpan, selectOrders, validateOrderTable } from './orders';

/** What happened after the cutoff to each customer scored as of it, aligned by customer. */
export interface BacktestTruth {
  customerIds: readonly string[];
  /** Day of the customer's last order before the cutoff. */
  lastOrderDay: Int32Array;
  /** Days from the last order before the cutoff to the first on or after it; when censored, to the end of the data. */
  gapDays: Float64Array;
  /** 1 when the customer ordered on or after the cutoff. */
  returned: Uint8Array;
  /** 1 when that order came within 90 days after the cutoff; null when the data ends sooner. */
  orderedWithin90d: Uint8Array | null;
}

export interface BacktestSplit {
  cutoffDay: number;
  /** Last day with an order in the data: where the truth of customers who never returned is censored. */
  endDay: number;
  /** Whether the data extends at least 90 days past the cutoff (the 90-day metrics need it). */
  coversHorizon: boolean;
  /** The orders before the cutoff: all that training and the outlier filter may see. */
  trainOrders: OrderTable;
  /** One entry per customer with an order before the cutoff, in table order. */
  truth: BacktestTruth;
}

/** A model under test: fitted on the training table, then scoring the scoring table. */
export interface BacktestModel {
  fitPredict(train: TrainingTable, score: ScoringTable): Promise<GapPrediction>;
}

/** The BacktestModel of a model type: a fresh model fitted on the training table, predicting, then disposed. */
export function backtestModel(create: () => Promise<NextPurchaseModel> | NextPurchaseModel): BacktestModel {
  return {
    async fitPredict(train, score) {
      const model = await create();
      try {
        await model.fit(train);
        return await model.predict(score);
      } finally {
        model.dispose();
      }
    },
  };
}

export interface BacktestOptions {
  /** Epoch day of the cutoff; default `defaultCutoffDay(orders)`. */
  cutoffDay?: number;
  /** The outlier filter, fitted on and applied to the training orders only. */
  filterTraining?: (trainOrders: OrderTable) => OrderTable;
  model?: BacktestModel;
}

/** Per scored customer, what each predictor said and what happened: for the report's charts. */
export interface BacktestCustomers {
  customerIds: readonly string[];
  /** Orders before the cutoff. */
  orderCount: Int32Array;
  elapsedDays: Float64Array;
  /** The actual gap, or its lower bound when `returned` is 0. */
  actualGapDays: Float64Array;
  returned: Uint8Array;
  /** Keyed like `metrics`. */
  predictions: Record<string, GapPrediction>;
}

export interface BacktestResult extends BacktestReport {
  cutoffDay: number;
  endDay: number;
  customers: BacktestCustomers;
}

/** The day at the 80th percentile of order days (linear interpolation, then the day it falls in). */
export function defaultCutoffDay(orders: OrderTable): number {
  if (orders.nRows === 0) throw new RangeError('defaultCutoffDay: no orders');
  const days = Int32Array.from(orders.day).sort();
  const position = 0.8 * (days.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, days.length - 1);
  return Math.floor(days[below]! + (position - below) * (days[above]! - days[below]!));
}

/** Splits orders at the cutoff into what training may see and the truth it is scored on. */
export function backtestSplit(orders: OrderTable, cutoffDay: number): BacktestSplit {
  if (!Number.isInteger(cutoffDay)) throw new RangeError(`cutoffDay must be a whole epoch day, got ${cutoffDay}`);
  validateOrderTable(orders);
  const endDay = orderDaySpan(orders).last;
  const coversHorizon = endDay >= cutoffDay + HORIZON_DAYS;
  const customerIds: string[] = [];
  const lastOrderDay: number[] = [];
  const gapDays: number[] = [];
  const returned: number[] = [];
  const within: number[] = [];
  for (const { customerId, start, end } of customerSegments(orders)) {
    let next = start;
    while (next < end && orders.day[next]! < cutoffDay) next++;
    if (next === start) continue;
    const last = orders.day[next - 1]!;
    const came = next < end;
    customerIds.push(customerId);
    lastOrderDay.push(last);
    gapDays.push((came ? orders.day[next]! : endDay) - last);
    returned.push(came ? 1 : 0);
    within.push(came && orders.day[next]! - cutoffDay < HORIZON_DAYS ? 1 : 0);
  }
  return {
    cutoffDay,
    endDay,
    coversHorizon,
    trainOrders: selectOrders(orders, (i) => orders.day[i]! < cutoffDay),
    truth: {
      customerIds,
      lastOrderDay: Int32Array.from(lastOrderDay),
      gapDays: Float64Array.from(gapDays),
      returned: Uint8Array.from(returned),
      orderedWithin90d: coversHorizon ? Uint8Array.from(within) : null,
    },
  };
}

/** The truth of the given customers, in their order; every one must be in `truth`. */
export function alignTruth(truth: BacktestTruth, customerIds: readonly string[]): BacktestTruth {
  const index = new Map(truth.customerIds.map((id, i) => [id, i]));
  const rows = customerIds.map((id) => {
    const row = index.get(id);
    if (row === undefined) throw new RangeError(`alignTruth: customer "${id}" has no order before the cutoff`);
    return row;
  });
  return {
    customerIds: [...customerIds],
    lastOrderDay: Int32Array.from(rows, (r) => truth.lastOrderDay[r]!),
    gapDays: Float64Array.from(rows, (r) => truth.gapDays[r]!),
    returned: Uint8Array.from(rows, (r) => truth.returned[r]!),
    orderedWithin90d: truth.orderedWithin90d && Uint8Array.from(rows, (r) => truth.orderedWithin90d![r]!),
  };
}

/**
 * The four metrics of one predictor against the truth aligned with it. The 90-day metrics
 * are null when the data does not cover the horizon or the predictor gives no probability
 * (every `pOrder90d` NaN).
 */
export function evaluate(prediction: GapPrediction, truth: BacktestTruth): BacktestMetrics {
  const n = truth.customerIds.length;
  if (prediction.predictedGapDays.length !== n || prediction.pOrder90d.length !== n) {
    throw new RangeError(`evaluate: ${prediction.predictedGapDays.length} predicted gaps and ${prediction.pOrder90d.length} probabilities for ${n} customers`);
  }
  const hasProbability = !prediction.pOrder90d.every(Number.isNaN);
  const labels = truth.orderedWithin90d;
  return {
    mae_days: maeDays(prediction.predictedGapDays, truth.gapDays, truth.returned),
    c_index: concordanceIndex(prediction.predictedGapDays, truth.gapDays, truth.returned),
    auc_90d: labels && hasProbability ? auc(prediction.pOrder90d, labels) : null,
    brier_90d: labels && hasProbability ? brier(prediction.pOrder90d, labels) : null,
  };
}

/**
 * The backtest of evaluation.md: split at the cutoff, filter outliers among the training
 * orders, build the training table (labels censored at the cutoff) and the scoring table as
 * of it, and score the model and every baseline against what happened next.
 */
export async function runBacktest(orders: OrderTable, options: BacktestOptions = {}): Promise<BacktestResult> {
  const cutoffDay = options.cutoffDay ?? defaultCutoffDay(orders);
  const split = backtestSplit(orders, cutoffDay);
  const kept = options.filterTraining ? options.filterTraining(split.trainOrders) : split.trainOrders;
  const train = buildTrainingTable(kept, cutoffDay);
  const score = buildScoringTable(kept, cutoffDay);
  const scoredIds = Array.from(score.lastRow, (row) => score.customerIds[row]!);
  const truth = alignTruth(split.truth, scoredIds);

  const predictions: Record<string, GapPrediction> = {};
  if (options.model) predictions['model'] = await options.model.fitPredict(train, score);
  for (const [name, baseline] of Object.entries(BASELINES)) predictions[name] = baseline(train, score);
  const metrics: Record<string, BacktestMetrics> = {};
  for (const [name, prediction] of Object.entries(predictions)) metrics[name] = evaluate(prediction, truth);

  let returnedCustomers = 0;
  for (const r of truth.returned) returnedCustomers += r;
  return {
    cutoff: epochDayToIso(cutoffDay),
    scoredCustomers: scoredIds.length,
    returnedCustomers,
    metrics,
    cutoffDay,
    endDay: split.endDay,
    customers: {
      customerIds: scoredIds,
      orderCount: Int32Array.from(score.lastRow, (row, i) => row - (i > 0 ? score.lastRow[i - 1]! : -1)),
      elapsedDays: score.elapsedDays,
      actualGapDays: truth.gapDays,
      returned: truth.returned,
      predictions,
    },
  };
}
