import { InputDataError } from './errors';

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


/** One customer's contiguous rows `[start, end)` of an OrderTable. */
export interface CustomerSegment {
  customerId: string;
  start: number;
  end: number;
}

const SOURCE = 'OrderTable';

/**
 * Checks what every feature relies on: column lengths agree, a customer's rows are contiguous
 * and their days strictly increase (same-day orders are merged upstream), amounts are finite.
 * Throws an InputDataError naming the row and field at fault.
 */
export function validateOrderTable(orders: OrderTable): void {
  const n = orders.nRows;
  const columns = { customerIds: orders.customerIds, day: orders.day, totalPrice: orders.totalPrice, quantity: orders.quantity, lines: orders.lines, invoices: orders.invoices };
  for (const [name, column] of Object.entries(columns)) {
    if (column.length !== n) throw new InputDataError(`has ${column.length} values for ${n} rows`, { source: SOURCE, column: name });
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const id = orders.customerIds[i]!;
    const where = (column: string) => ({ source: SOURCE, column });
    if (id === '') throw new InputDataError(`row ${i}: empty customer id`, where('customerIds'));
    if (!Number.isFinite(orders.totalPrice[i]!)) throw new InputDataError(`row ${i}: TotalPrice is not a finite number`, where('totalPrice'));
    if (!Number.isFinite(orders.quantity[i]!)) throw new InputDataError(`row ${i}: Quantity is not a finite number`, where('quantity'));
    if (i > 0 && id === orders.customerIds[i - 1]) {
      if (orders.day[i]! <= orders.day[i - 1]!) {
        throw new InputDataError(`row ${i}: customer "${id}" has day ${orders.day[i]} after day ${orders.day[i - 1]}; rows must be one per customer-day in date order`, where('day'));
      }
    } else {
      if (seen.has(id)) throw new InputDataError(`row ${i}: customer "${id}" appears again after other customers; rows must be sorted by customer`, where('customerIds'));
      seen.add(id);
    }
  }
}

/**
 * The contiguous row ranges of each customer, in table order: the one per-customer scan of every
 * table whose customer's rows are contiguous (orders, training and scoring tables).
 */
export function customerSegments(table: { nRows: number; customerIds: readonly string[] }): CustomerSegment[] {
  const segments: CustomerSegment[] = [];
  for (let start = 0; start < table.nRows; ) {
    const customerId = table.customerIds[start]!;
    let end = start + 1;
    while (end < table.nRows && table.customerIds[end] === customerId) end++;
    segments.push({ customerId, start, end });
    start = end;
  }
  return segments;
}

/** The rows for which `keep(row)` holds, as a new OrderTable in the same order. */
export function selectOrders(orders: OrderTable, keep: (row: number) => boolean): OrderTable {
  const rows: number[] = [];
  for (let i = 0; i < orders.nRows; i++) if (keep(i)) rows.push(i);
  return {
    nRows: rows.length,
    customerIds: rows.map((i) => orders.customerIds[i]!),
    day: Int32Array.from(rows, (i) => orders.day[i]!),
    totalPrice: Float64Array.from(rows, (i) => orders.totalPrice[i]!),
    quantity: Float64Array.from(rows, (i) => orders.quantity[i]!),
    lines: Int32Array.from(rows, (i) => orders.lines[i]!),
    invoices: Int32Array.from(rows, (i) => orders.invoices[i]!),
  };
}

/** The first and last order day of a non-empty order table. */
export function orderDaySpan(orders: OrderTable): { first: number; last: number } {
  if (orders.nRows === 0) throw new RangeError('orderDaySpan: no orders');
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < orders.nRows; i++) {
    first = Math.min(first, orders.day[i]!);
    last = Math.max(last, orders.day[i]!);
  }
  return { first, last };
}
