import type { OrderTable, ScoringTable } from '@nextbuy/contracts';
import { BadRecordError } from '../errors';

/** What a request record is: a customer's order history, a raw transaction, or a feature row. */
export type RecordKind = 'history' | 'transaction' | 'feature_row';

/** Customers scored as of one day, and where each one's prediction goes in the response. */
export interface ScoringBatch {
  /** Its customer ids are internal keys, unique per response position. */
  table: ScoringTable;
  /** The customer id as the request gave it, per scored customer (aligned with `table.lastRow`). */
  customerIds: readonly string[];
  /** The response position of each scored customer. */
  positions: Int32Array;
}

/** A parsed request: the model's input, one batch per as-of day. */
export interface ScoringRequest {
  kind: RecordKind;
  /** Number of response records. */
  customers: number;
  batches: ScoringBatch[];
}

export interface ParseOptions {
  /** The model's features, in its column order. */
  featureNames: readonly string[];
  /** The as-of day of records that do not carry their own. */
  asOfDay: number;
}

/** Groups response positions by as-of day, in first-seen order. */
export function groupByAsOfDay<T>(items: Iterable<{ asOfDay: number; item: T; position: number }>): Map<number, { items: T[]; positions: number[] }> {
  const groups = new Map<number, { items: T[]; positions: number[] }>();
  for (const { asOfDay, item, position } of items) {
    let group = groups.get(asOfDay);
    if (!group) groups.set(asOfDay, (group = { items: [], positions: [] }));
    group.items.push(item);
    group.positions.push(position);
  }
  return groups;
}

/**
 * Refuses features that overflow the models' 32-bit floats (a history's amounts can be any
 * finite double; their sums need not fit): 400 naming the record and field `blame` gives for
 * the customer (index into `table.lastRow`) and feature.
 */
export function checkFeaturesFinite(table: ScoringTable, blame: (customer: number, feature: string) => { record: number; field: string }): void {
  const width = table.featureNames.length;
  let customer = 0;
  for (let row = 0; row < table.nRows; row++) {
    while (row > table.lastRow[customer]!) customer++;
    for (let f = 0; f < width; f++) {
      const value = table.values[row * width + f]!;
      if (value === Infinity || value === -Infinity) {
        const feature = table.featureNames[f]!;
        const { record, field } = blame(customer, feature);
        throw new BadRecordError(record, field, `the amounts are too large: feature ${feature} overflows the 32-bit floats of the model`);
      }
    }
  }
}

/**
 * Refuses orders whose amounts add up beyond what a double holds (each amount is finite, their
 * product or sum need not be): 400 naming the record and field `blame` gives for the customer
 * id of the table and the column (`totalPrice` or `quantity`).
 */
export function checkOrdersFinite(orders: OrderTable, blame: (customerId: string, column: 'totalPrice' | 'quantity') => { record: number; field: string }): void {
  for (let row = 0; row < orders.nRows; row++) {
    for (const column of ['totalPrice', 'quantity'] as const) {
      if (Number.isFinite(orders[column][row]!)) continue;
      const { record, field } = blame(orders.customerIds[row]!, column);
      throw new BadRecordError(record, field, `the amounts are too large: an order's ${column === 'totalPrice' ? 'total price' : 'quantity'} overflows`);
    }
  }
}
