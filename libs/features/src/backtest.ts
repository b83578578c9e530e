import {
  customerSegments,
  epochDayToIso,
  HORIZON_DAYS,
  orderDaySpan,
  selectOrders,
  validateOrderTable,
  type BacktestMetrics,
  type BacktestReport,
  type FitOptions,
  type GapPrediction,
  type NextPurchaseModel,
  NextBuyError,
  type OrderTable,
  DEFAULT_RETURN_HORIZON_DAYS,
  type ScoringTable,
  type TrainingTable,
} from '@nextbuy/contracts';
import { BtydGapModel } from '@nextbuy/btyd-model';
import { BASELINES } from './baselines';
import { buildScoringTable, buildTrainingTable } from './feature-tables';
import { auc, brier, concordanceIndex, maeDays } from './metrics';

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
  /** Days from the cutoff to that order (0 = on the cutoff day); NaN for customers who did not return. */
  returnOffsetDays: Float64Array;
}

export interface BacktestSplit {
  cutoffDay: number;
  /** Last day with an order in the data: where the truth of customers who never returned is censored. */
  endDay: number;
  /** Whether the data extends at least 90 days past the cutoff (the 90-day metrics need it). */
  coversHorizon: boolean;
  /** Days of data on or after the cutoff (`endDay - cutoffDay + 1`): the longest wait a return can show. */
  windowDays: number;
  /** The orders before the cutoff: all that training and the outlier filter may see. */
  trainOrders: OrderTable;
  /** One entry per customer with an order before the cutoff, in table order. */
  truth: BacktestTruth;
}

/**
 * What a model under test says of the scored customers: its production prediction, and its gaps
 * with the return horizon set to the `mae_days` horizon E (evaluation.md, protocol v3).
 */
export interface BacktestPrediction {
  prediction: GapPrediction;
  maeGapDays: Float64Array;
}

/** A model under test: fitted on the training table, then scoring the scoring table. */
export interface BacktestModel {
  fitPredict(train: TrainingTable, score: ScoringTable, options: { maeHorizonDays: number }): Promise<BacktestPrediction>;
}

/**
 * The BacktestModel of a model type: a fresh model fitted on the training table (with
 * `fitOptions`: its progress), predicting, then disposed. `onFitted` sees the fitted model before
 * it predicts (to read its `describe()` before it is disposed).
 */
export function backtestModel(
  create: () => Promise<NextPurchaseModel> | NextPurchaseModel,
  fitOptions: FitOptions = {},
  onFitted?: (model: NextPurchaseModel) => void,
): BacktestModel {
  return {
    async fitPredict(train, score, { maeHorizonDays }) {
      const model = await create();
      try {
        await model.fit(train, fitOptions);
        onFitted?.(model);
        const prediction = await model.predict(score);
        const { predictedGapDays } = await model.predict(score, { returnHorizonDays: maeHorizonDays });
        return { prediction, maeGapDays: predictedGapDays };
      } finally {
        model.dispose();
      }
    },
  };
}

/**
 * The baselines of the "buy till you die" family (protocol v3), fitted on the training period
 * like a model and predicting the gap as every model does: the median among customers who order
 * within the horizon (E for `mae_days`).
 */
export const BTYD_BASELINES: Readonly<Record<'baseline_bgnbd' | 'baseline_pareto_nbd', BacktestModel>> = {
  baseline_bgnbd: backtestModel(() => new BtydGapModel('bgnbd')),
  baseline_pareto_nbd: backtestModel(() => new BtydGapModel('pareto_nbd')),
};

export interface BacktestOptions {
  /** Epoch day of the cutoff; default `defaultCutoffDay(orders)`. */
  cutoffDay?: number;
  /** The outlier filter, fitted on and applied to the training orders only. */
  filterTraining?: (trainOrders: OrderTable) => OrderTable;
  model?: BacktestModel;
  /** The model's return horizon H; `mae_days` uses E = min(H, days of data after the cutoff). Default 365. */
  returnHorizonDays?: number;
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
  /** Each predictor's gaps for the `mae_days` horizon E, as `mae_days` scored them; keyed like `predictions`. */
  maeGapDays: Record<string, Float64Array>;
  /** What the metrics were scored against (`actualGapDays` and `returned` are its `gapDays` and `returned`). */
  truth: BacktestTruth;
}

export interface BacktestResult extends BacktestReport {
  maeHorizonDays: number;
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
  const offsets: number[] = [];
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
    offsets.push(came ? orders.day[next]! - cutoffDay : Number.NaN);
  }
  return {
    cutoffDay,
    endDay,
    coversHorizon,
    windowDays: endDay - cutoffDay + 1,
    trainOrders: selectOrders(orders, (i) => orders.day[i]! < cutoffDay),
    truth: {
      customerIds,
      lastOrderDay: Int32Array.from(lastOrderDay),
      gapDays: Float64Array.from(gapDays),
      returned: Uint8Array.from(returned),
      orderedWithin90d: coversHorizon ? Uint8Array.from(within) : null,
      returnOffsetDays: Float64Array.from(offsets),
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
  return selectTruth(truth, rows);
}

/** `values` at `rows`, in that order, into `into` (a loop: typed arrays' `from` with a mapping function is several times slower, and bootstraps call this often). */
function gather<T extends Float64Array | Int32Array | Uint8Array>(into: T, values: ArrayLike<number>, rows: ArrayLike<number>): T {
  for (let i = 0; i < rows.length; i++) into[i] = values[rows[i]!]!;
  return into;
}

/** The truth of the customers at `rows` (repeats allowed, as in a bootstrap resample), in that order. */
export function selectTruth(truth: BacktestTruth, rows: ArrayLike<number>): BacktestTruth {
  const n = rows.length;
  const customerIds = new Array<string>(n);
  for (let i = 0; i < n; i++) customerIds[i] = truth.customerIds[rows[i]!]!;
  return {
    customerIds,
    lastOrderDay: gather(new Int32Array(n), truth.lastOrderDay, rows),
    gapDays: gather(new Float64Array(n), truth.gapDays, rows),
    returned: gather(new Uint8Array(n), truth.returned, rows),
    orderedWithin90d: truth.orderedWithin90d && gather(new Uint8Array(n), truth.orderedWithin90d, rows),
    returnOffsetDays: gather(new Float64Array(n), truth.returnOffsetDays, rows),
  };
}

/**
 * The four metrics of one predictor against the truth aligned with it. `mae_days` compares like
 * with like (protocol v3): over customers who returned within `maeHorizonDays` (E) after the
 * cutoff, with `maeGapDays` (the predictor's gaps for E; default its production gaps). The 90-day
 * metrics are null when the data does not cover the horizon or the predictor gives no
 * probability (every `pOrder90d` NaN).
 */
export function evaluate(prediction: GapPrediction, truth: BacktestTruth, mae: { maeHorizonDays: number; maeGapDays?: Float64Array } = { maeHorizonDays: Infinity }): BacktestMetrics {
  const n = truth.customerIds.length;
  if (prediction.predictedGapDays.length !== n || prediction.pOrder90d.length !== n) {
    throw new RangeError(`evaluate: ${prediction.predictedGapDays.length} predicted gaps and ${prediction.pOrder90d.length} probabilities for ${n} customers`);
  }
  const hasProbability = !prediction.pOrder90d.every(Number.isNaN);
  const labels = truth.orderedWithin90d;
  const returnedWithin = new Uint8Array(n);
  for (let i = 0; i < n; i++) returnedWithin[i] = truth.returned[i] && truth.returnOffsetDays[i]! < mae.maeHorizonDays ? 1 : 0;
  return {
    mae_days: maeDays(mae.maeGapDays ?? prediction.predictedGapDays, truth.gapDays, returnedWithin),
    c_index: concordanceIndex(prediction.predictedGapDays, truth.gapDays, truth.returned),
    auc_90d: labels && hasProbability ? auc(prediction.pOrder90d, labels) : null,
    brier_90d: labels && hasProbability ? brier(prediction.pOrder90d, labels) : null,
  };
}

/**
 * The metrics of `predictor` over the scored customers of a backtest at `rows` (repeats allowed:
 * a bootstrap resample), by `evaluate` as runBacktest scored all of them. Pass `truth` when it is
 * already `selectTruth(backtest.customers.truth, rows)` (several predictors on one resample).
 */
export function evaluateCustomers(
  backtest: Pick<BacktestResult, 'customers' | 'maeHorizonDays'>,
  predictor: string,
  rows: ArrayLike<number>,
  truth: BacktestTruth = selectTruth(backtest.customers.truth, rows),
): BacktestMetrics {
  const prediction = backtest.customers.predictions[predictor];
  const maeGapDays = backtest.customers.maeGapDays[predictor];
  if (!prediction || !maeGapDays) throw new RangeError(`evaluateCustomers: no predictor "${predictor}" in this backtest (${Object.keys(backtest.customers.predictions).join(', ')})`);
  const pick = (values: Float64Array) => gather(new Float64Array(rows.length), values, rows);
  return evaluate({ predictedGapDays: pick(prediction.predictedGapDays), pOrder90d: pick(prediction.pOrder90d) }, truth, {
    maeHorizonDays: backtest.maeHorizonDays,
    maeGapDays: pick(maeGapDays),
  });
}

/** A baseline's gaps clipped to [elapsed, elapsed + E]: what it can be held to within the `mae_days` horizon. */
export function clipToHorizon(gaps: Float64Array, elapsedDays: Float64Array, horizonDays: number): Float64Array {
  return gaps.map((gap, i) => Math.min(elapsedDays[i]! + horizonDays, Math.max(elapsedDays[i]!, gap)));
}

const NO_METRICS: BacktestMetrics = { mae_days: null, c_index: null, auc_90d: null, brier_90d: null };

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

  const maeHorizonDays = Math.min(options.returnHorizonDays ?? DEFAULT_RETURN_HORIZON_DAYS, split.windowDays);
  const predictions: Record<string, GapPrediction> = {};
  const maeGaps: Record<string, Float64Array> = {};
  const metrics: Record<string, BacktestMetrics> = {};
  const record = (name: string, prediction: GapPrediction, maeGapDays: Float64Array) => {
    predictions[name] = prediction;
    maeGaps[name] = maeGapDays;
    metrics[name] = evaluate(prediction, truth, { maeHorizonDays, maeGapDays });
  };
  if (options.model) {
    const { prediction, maeGapDays } = await options.model.fitPredict(train, score, { maeHorizonDays });
    record('model', prediction, maeGapDays);
  }
  for (const [name, baseline] of Object.entries(BASELINES)) {
    const prediction = baseline(train, score);
    record(name, prediction, clipToHorizon(prediction.predictedGapDays, score.elapsedDays, maeHorizonDays));
  }
  for (const [name, baseline] of Object.entries(BTYD_BASELINES)) {
    try {
      const { prediction, maeGapDays } = await baseline.fitPredict(train, score, { maeHorizonDays });
      record(name, prediction, maeGapDays);
    } catch (error) {
      // A training period these models cannot be fitted on (no repeat order at all) leaves their row empty, not the backtest undone.
      if (!(error instanceof NextBuyError)) throw error;
      metrics[name] = NO_METRICS;
    }
  }

  let returnedCustomers = 0;
  for (const r of truth.returned) returnedCustomers += r;
  return {
    cutoff: epochDayToIso(cutoffDay),
    scoredCustomers: scoredIds.length,
    returnedCustomers,
    maeHorizonDays,
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
      maeGapDays: maeGaps,
      truth,
    },
  };
}
