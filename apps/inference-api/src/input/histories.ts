import { customerHistorySchema, customerSegments, historiesToOrderTable, isoToEpochDay, type CustomerHistory } from '@nextbuy/contracts';
import { buildScoringTable } from '@nextbuy/features';
import { BadRecordError } from '../errors';
import { checkHistoryBefore } from './as-of';
import { checkFeaturesFinite, checkOrdersFinite, groupByAsOfDay, type ParseOptions, type ScoringBatch, type ScoringRequest } from './scoring-request';

/** `orders[2].date` from a validation issue's path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}

/** A validated history with its as-of day. */
function historyOf(record: unknown, index: number, defaultAsOfDay: number): { asOfDay: number; item: CustomerHistory; position: number } {
  const parsed = customerHistorySchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRecordError(index + 1, fieldPath(issue.path) || undefined, issue.message);
  }
  const history = parsed.data;
  return { asOfDay: history.as_of_date ? isoToEpochDay(history.as_of_date) : defaultAsOfDay, item: history, position: index };
}

/** The field to blame when a history does not end before its as-of date: its own as-of date, else its latest order's date. */
function lateField(history: CustomerHistory): string {
  if (history.as_of_date) return 'as_of_date';
  let latest = 0;
  history.orders.forEach((order, k) => {
    if (order.date > history.orders[latest]!.date) latest = k;
  });
  return `orders[${latest}].date`;
}

/**
 * Customer histories (`customerHistorySchema`, the batch input line format) to scoring tables,
 * with the features computed by the training code. Every record is scored on its own, even when
 * two records share a customer id: batch transform needs one output line per input line.
 */
export function parseHistories(records: readonly unknown[], options: ParseOptions): ScoringRequest {
  const groups = groupByAsOfDay(records.map((record, i) => historyOf(record, i, options.asOfDay)));
  const batches: ScoringBatch[] = [];
  for (const [asOfDay, { items, positions }] of groups) {
    // Keyed by response position, so that records sharing a customer id stay separate customers.
    const orders = historiesToOrderTable(items.map((history, k) => ({ customer_id: String(positions[k]), orders: history.orders })));
    // A customer's rows are in date order: the last one of each is its latest order.
    customerSegments(orders).forEach(({ end }, k) => {
      const latest = orders.day[end - 1]!;
      if (latest >= asOfDay) checkHistoryBefore(asOfDay, latest, positions[k]! + 1, lateField(items[k]!));
    });
    checkOrdersFinite(orders, (key) => ({ record: Number(key) + 1, field: 'orders' }));
    const table = buildScoringTable(orders, asOfDay);
    checkFeaturesFinite(table, (customer) => ({ record: positions[customer]! + 1, field: 'orders' }));
    batches.push({ table, customerIds: items.map((history) => history.customer_id), positions: Int32Array.from(positions) });
  }
  return { kind: 'history', customers: records.length, batches };
}
