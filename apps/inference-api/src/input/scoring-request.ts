import type { ScoringTable } from '@nextbuy/contracts';

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
