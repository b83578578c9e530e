/**
 * Orders: one row per (customer, calendar day of the invoice timestamp), the unit every feature
 * and label is computed on. Rows are sorted by customer then day; a customer's rows are contiguous.
 */
export interface OrderTable {
  nRows: number;
  customerIds: readonly string[];
  /** Epoch day of the order (UTC calendar day of the invoice timestamp). */
  day: Int32Array;
  /** sum(Quantity * UnitPrice) of the day's lines. */
  totalPrice: Float64Array;
  /** sum(Quantity) of the day's lines. */
  quantity: Float64Array;
  /** Number of lines. */
  lines: Int32Array;
  /** Number of distinct invoices. */
  invoices: Int32Array;
}
