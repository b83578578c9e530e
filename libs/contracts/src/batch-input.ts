import { z } from 'zod';
import { epochDayToIso, isoToEpochDay } from './days';
import { customerSegments, type OrderTable } from './orders';

/**
 * One customer's order history: a line of the batch input (JSON Lines, one customer per line,
 * as SageMaker batch transform's SplitType=Line needs) and a request record of the serving API.
 * Self-contained: the server computes the features from it with the training code.
 */
export const customerHistorySchema = z.object({
  customer_id: z.string().min(1),
  /** Score as of this date; default: the request time. */
  as_of_date: z.iso.date().optional(),
  orders: z
    .array(
      z.object({
        date: z.iso.date(),
        total_price: z.number().finite(),
        quantity: z.number().finite(),
        lines: z.number().int().positive().default(1),
        invoices: z.number().int().positive().default(1),
      }),
    )
    .min(1),
});
export type CustomerHistory = z.infer<typeof customerHistorySchema>;

/** The batch input lines of an order table: one JSON line per customer, in table order. */
export function* customerHistoryLines(orders: OrderTable, asOfDate?: string): Generator<string> {
  for (const { customerId, start, end } of customerSegments(orders)) {
    const history: CustomerHistory = { customer_id: customerId, ...(asOfDate ? { as_of_date: asOfDate } : {}), orders: [] };
    for (let i = start; i < end; i++) {
      history.orders.push({
        date: epochDayToIso(orders.day[i]!),
        total_price: Math.round(orders.totalPrice[i]! * 100) / 100,
        quantity: orders.quantity[i]!,
        lines: orders.lines[i]!,
        invoices: orders.invoices[i]!,
      });
    }
    yield JSON.stringify(history);
  }
}

/**
 * An order table from customer histories: orders of one customer sorted by day, same-day
 * entries merged (summed), customers in the given order.
 */
export function historiesToOrderTable(histories: readonly CustomerHistory[]): OrderTable {
  const customerIds: string[] = [];
  const day: number[] = [];
  const totalPrice: number[] = [];
  const quantity: number[] = [];
  const lines: number[] = [];
  const invoices: number[] = [];
  for (const history of histories) {
    const sorted = history.orders.map((o) => ({ ...o, day: isoToEpochDay(o.date) })).sort((a, b) => a.day - b.day);
    for (const order of sorted) {
      const last = day.length - 1;
      if (last >= 0 && customerIds[last] === history.customer_id && day[last] === order.day) {
        totalPrice[last]! += order.total_price;
        quantity[last]! += order.quantity;
        lines[last]! += order.lines;
        invoices[last]! += order.invoices;
        continue;
      }
      customerIds.push(history.customer_id);
      day.push(order.day);
      totalPrice.push(order.total_price);
      quantity.push(order.quantity);
      lines.push(order.lines);
      invoices.push(order.invoices);
    }
  }
  return {
    nRows: day.length,
    customerIds,
    day: Int32Array.from(day),
    totalPrice: Float64Array.from(totalPrice),
    quantity: Float64Array.from(quantity),
    lines: Int32Array.from(lines),
    invoices: Int32Array.from(invoices),
  };
}
