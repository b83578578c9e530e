/**
 * Columnar tables passed between the feature, model and serving code. Rows of one customer
 * are contiguous and in date order; `values` is row-major (`nRows x featureNames.length`),
 * with NaN for a missing value. Days are whole days since 1970-01-01 (UTC).
 */
export interface OrderFeatureTable {
  featureNames: readonly string[];
  nRows: number;
  values: Float32Array;
  /** Customer id of each row. */
  customerIds: readonly string[];
  /** Day of each row's order. */
  orderDay: Int32Array;
}

/** Order rows with their right-censored label `NextGapDays`. */
export interface TrainingTable extends OrderFeatureTable {
  /** Observed gap to the next order or, when censored, its lower bound. */
  gapDays: Float64Array;
  /** 1 when the next order was not observed before the as-of date. */
  censored: Uint8Array;
}

/**
 * The day a training table's labels are censored at: the latest `orderDay + gapDays` (a
 * censored row ends there, an observed gap ends earlier, at the next order).
 */
export function trainingAsOfDay(table: TrainingTable): number {
  let asOf = -Infinity;
  for (let row = 0; row < table.nRows; row++) asOf = Math.max(asOf, table.orderDay[row]! + table.gapDays[row]!);
  return asOf;
}

/** The day of a training table's first order (Infinity for an empty table). */
export function trainingFirstDay(table: TrainingTable): number {
  let first = Infinity;
  for (let row = 0; row < table.nRows; row++) first = Math.min(first, table.orderDay[row]!);
  return first;
}

/** The order history of the customers to score as of a date. */
export interface ScoringTable extends OrderFeatureTable {
  asOfDay: number;
  /** Row index of each scored customer's last order (one entry per customer). */
  lastRow: Int32Array;
  /** `asOfDay - orderDay[lastRow[i]]`: days without an order so far. */
  elapsedDays: Float64Array;
}

/** What every model returns for a ScoringTable, aligned with `lastRow`. */
export interface GapPrediction {
  /** Median gap from the last order, given it exceeds the elapsed days. */
  predictedGapDays: Float64Array;
  /** Probability of an order within 90 days after the as-of date. */
  pOrder90d: Float64Array;
}
