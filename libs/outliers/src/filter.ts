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
  /** Every customer's anomaly score s(x, ψ). */
  scores: Float64Array;
  /** Scores above this were removed. */
  threshold: number;
}

/**
 * Fits an Isolation Forest on the customers' aggregates and removes the orders of the customers
 * it flags (wholesale buyers, data errors), to be fitted on training data only.
 */
export function filterOutlierCustomers(orders: OrderTable, options: OutlierFilterOptions = {}): OutlierFilterResult {
  const aggregates = customerAggregates(orders);
  const forest = new IsolationForest({ contamination: 0.01, ...options }).fit(aggregates.values, aggregates.nRows, aggregates.nCols);
  const scores = forest.scoreSamples(aggregates.values, aggregates.nRows);
  const threshold = forest.threshold;
  const removed = new Uint8Array(orders.nRows);
  const outliers: string[] = [];
  aggregates.segments.forEach(({ customerId, start, end }, c) => {
    if (scores[c]! <= threshold) return;
    outliers.push(customerId);
    removed.fill(1, start, end);
  });
  return { kept: selectOrders(orders, (row) => removed[row] === 0), outliers, customerIds: aggregates.customerIds, scores, threshold };
}
