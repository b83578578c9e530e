import { customerSegments, validateOrderTable, type CustomerSegment, type OrderTable } from '@nextbuy/contracts';

/**
 * The per-customer features the outlier filter looks at, all log1p (every one is heavy-tailed):
 * the size of a customer's typical order, which is what sets wholesale buyers and data errors
 * (a mistyped quantity or price) apart. How often or how long a customer buys is deliberately
 * left out: with order count, mean gap and span among the features, the 1% the forest removed
 * on CDNOW were its most loyal customers (median 14 orders, where 99% of customers have at most
 * 13), the ones whose next order is best predicted and most worth predicting.
 */
export const AGGREGATE_NAMES = ['log_mean_order_value', 'log_mean_quantity_per_order', 'log_mean_lines_per_order'] as const;

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
 * Per-customer aggregates of an order table: mean order value, mean quantity and mean lines per
 * order. Throws an InputDataError for a table that breaks OrderTable's rules.
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
    [spend / count, quantity / count, lines / count].forEach((value, k) => (values[c * nCols + k] = signedLog1p(value)));
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
