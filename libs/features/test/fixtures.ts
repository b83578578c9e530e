import { isoToEpochDay, type OrderTable } from '@nextbuy/contracts';

/** One order for a test table: customer, day (epoch day or YYYY-MM-DD), TotalPrice, Quantity. */
export type OrderRow = [customerId: string, day: number | string, totalPrice?: number, quantity?: number];

/** An OrderTable from rows already sorted by customer then day. */
export function orderTable(rows: readonly OrderRow[]): OrderTable {
  return {
    nRows: rows.length,
    customerIds: rows.map((r) => r[0]),
    day: Int32Array.from(rows, (r) => (typeof r[1] === 'string' ? isoToEpochDay(r[1]) : r[1])),
    totalPrice: Float64Array.from(rows, (r) => r[2] ?? 10),
    quantity: Float64Array.from(rows, (r) => r[3] ?? 1),
    lines: Int32Array.from(rows, () => 1),
    invoices: Int32Array.from(rows, () => 1),
  };
}

