import type { OrderTable } from '@nextbuy/contracts';
import { customerSegments, validateOrderTable, type CustomerSegment } from '@nextbuy/features';

/** The per-customer features the outlier filter looks at, all log1p: every one is heavy-tailed. */
export const AGGREGATE_NAMES = [
  'log_order_count',
  'log_total_spend',
  'log_mean_order_value',
  'log_total_quantity',
  'log_mean_lines_per_order',
  'log_mean_gap_days',
  'log_span_days',
] as const;

/** One row per customer, in table order; `values` is row-major (customers x AGGREGATE_NAMES). */
export interface CustomerAggregates {
  featureNames: readonly string[];
  customerIds: string[];
  nRows: number;
  nCols: number;
  values: Float64Array;
  /** Each customer's rows of the order table. */
  segments: CustomerSegment[];
}

/** log1p that keeps the sign, so a net-negative total (returns exceeding sales) stays finite. */
function signedLog1p(x: number): number {
  return Math.sign(x) * Math.log1p(Math.abs(x));
}

/**
 * Per-customer aggregates of an order table: order count, total spend, mean order value, total
 * quantity, mean lines per order, mean gap between orders (0 with a single order) and span from
 * first to last order in days. Throws an InputDataError for a table that breaks OrderTable's rules.
 */
export function customerAggregates(orders: OrderTable): CustomerAggregates {
  validateOrderTable(orders);
  const segments = customerSegments(orders);
  const nCols = AGGREGATE_NAMES.length;
  const values = new Float64Array(segments.length * nCols);
  segments.forEach(({ start, end }, c) => {
    let spend = 0;
    let quantity = 0;
    let lines = 0;
    for (let row = start; row < end; row++) {
      spend += orders.totalPrice[row]!;
      quantity += orders.quantity[row]!;
      lines += orders.lines[row]!;
    }
    const count = end - start;
    const span = orders.day[end - 1]! - orders.day[start]!;
    const features = [count, spend, spend / count, quantity, lines / count, count > 1 ? span / (count - 1) : 0, span];
    features.forEach((value, k) => (values[c * nCols + k] = signedLog1p(value)));
  });
  return {
    featureNames: AGGREGATE_NAMES,
    customerIds: segments.map((segment) => segment.customerId),
    nRows: segments.length,
    nCols,
    values,
    segments,
  };
}
