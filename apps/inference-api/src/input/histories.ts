import { customerHistorySchema, historiesToOrderTable, isoToEpochDay, type CustomerHistory } from '@nextbuy/contracts';
import { buildScoringTable } from '@nextbuy/features';
import { BadRecordError } from '../errors';
import { checkHistoryBefore } from './as-of';
import { groupByAsOfDay, type ParseOptions, type ScoringBatch, type ScoringRequest } from './scoring-request';

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
  const asOfDay = history.as_of_date ? isoToEpochDay(history.as_of_date) : defaultAsOfDay;
  let lastDay = -Infinity;
  let lastOrder = 0;
  history.orders.forEach((order, k) => {
    const day = isoToEpochDay(order.date);
    if (day > lastDay) [lastDay, lastOrder] = [day, k];
  });
  checkHistoryBefore(asOfDay, lastDay, index + 1, history.as_of_date ? 'as_of_date' : `orders[${lastOrder}].date`);
  return { asOfDay, item: history, position: index };
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
    const table = buildScoringTable(orders, asOfDay);
    batches.push({ table, customerIds: items.map((history) => history.customer_id), positions: Int32Array.from(positions) });
  }
  return { kind: 'history', customers: records.length, batches };
}
