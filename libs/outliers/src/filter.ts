import { selectOrders, type OrderTable } from '@nextbuy/contracts';
import { customerAggregates } from './aggregates';
import { IsolationForest, type IsolationForestOptions } from './isolation-forest';

/** The filter's options: the forest's, with a default contamination of 1% of customers. */
export type OutlierFilterOptions = IsolationForestOptions;

export interface OutlierFilterResult {
  /** The orders of the customers kept, in the same order. */
  kept: OrderTable;
  /** Ids of the customers removed, in table order. */
  outliers: string[];
  /** Every customer's id, in table order, aligned with `scores`. */
  customerIds: string[];
  /** Every customer's anomaly score s(x, ψ) (NaN for a lone customer, whom no forest can score). */
  scores: Float64Array;
  /** Scores above this were removed (Infinity when the share is below one customer). */
  threshold: number;
}

/**
 * Fits an Isolation Forest on the customers' aggregates and removes the orders of the customers
 * it flags (wholesale buyers, data errors), to be fitted on training data only.
 *
 * A share of fewer customers than one removes no one. The forest's threshold is the interpolated
 * (1 - contamination) quantile of the scores (numpy's percentile, as scikit-learn), which removes
 * the most anomalous customer of any base under 1 / contamination customers: at 1%, one of ten,
 * ten times the share asked for. And a lone customer is an outlier of nothing (the forest needs two).
 */
export function filterOutlierCustomers(orders: OrderTable, options: OutlierFilterOptions = {}): OutlierFilterResult {
  const aggregates = customerAggregates(orders);
  const settings = { contamination: 0.01, ...options };
  if (aggregates.nRows < 2) {
    return { kept: orders, outliers: [], customerIds: aggregates.customerIds, scores: new Float64Array(aggregates.nRows).fill(Number.NaN), threshold: Number.POSITIVE_INFINITY };
  }
  const forest = new IsolationForest(settings).fit(aggregates.values, aggregates.nRows, aggregates.nCols);
  const scores = forest.scoreSamples(aggregates.values, aggregates.nRows);
  const belowOne = settings.contamination !== 'auto' && aggregates.nRows * settings.contamination < 1;
  const threshold = belowOne ? Number.POSITIVE_INFINITY : forest.threshold;
  const removed = new Uint8Array(orders.nRows);
  const outliers: string[] = [];
  aggregates.segments.forEach(({ customerId, start, end }, c) => {
    if (scores[c]! <= threshold) return;
    outliers.push(customerId);
    removed.fill(1, start, end);
  });
  return { kept: selectOrders(orders, (row) => removed[row] === 0), outliers, customerIds: aggregates.customerIds, scores, threshold };
}
