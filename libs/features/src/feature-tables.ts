import { customerSegments, validateOrderTable, type CustomerSegment, type OrderFeatureTable, type OrderTable, type ScoringTable, type TrainingTable } from '@nextbuy/contracts';
import { FEATURE_COUNT, FEATURE_NAMES, writeCustomerFeatures } from './order-features';

/** The feature rows of every order before `asOfDay`, and where each customer's rows are. */
function featureRowsBefore(orders: OrderTable, asOfDay: number): { table: OrderFeatureTable; segments: CustomerSegment[] } {
  if (!Number.isInteger(asOfDay)) throw new RangeError(`asOfDay must be a whole epoch day, got ${asOfDay}`);
  validateOrderTable(orders);
  // A customer's days increase, so the orders before asOfDay are a prefix of each customer's rows.
  const segments: CustomerSegment[] = [];
  const sourceStarts: number[] = [];
  let nRows = 0;
  for (const segment of customerSegments(orders)) {
    let end = segment.start;
    while (end < segment.end && orders.day[end]! < asOfDay) end++;
    if (end === segment.start) continue;
    segments.push({ customerId: segment.customerId, start: nRows, end: nRows + end - segment.start });
    sourceStarts.push(segment.start);
    nRows += end - segment.start;
  }
  const values = new Float32Array(nRows * FEATURE_COUNT);
  const customerIds = new Array<string>(nRows);
  const orderDay = new Int32Array(nRows);
  segments.forEach((segment, s) => {
    const sourceStart = sourceStarts[s]!;
    writeCustomerFeatures(orders, sourceStart, sourceStart + segment.end - segment.start, values, segment.start);
    for (let row = segment.start; row < segment.end; row++) {
      customerIds[row] = segment.customerId;
      orderDay[row] = orders.day[sourceStart + row - segment.start]!;
    }
  });
  return { table: { featureNames: FEATURE_NAMES, nRows, values, customerIds, orderDay }, segments };
}

/**
 * Every order before `asOfDay` with its features and the label NextGapDays: the days to the
 * customer's next order or, when that order is not observed before `asOfDay`, the lower bound
 * `asOfDay - day` with `censored = 1`.
 */
export function buildTrainingTable(orders: OrderTable, asOfDay: number): TrainingTable {
  const { table, segments } = featureRowsBefore(orders, asOfDay);
  const gapDays = new Float64Array(table.nRows);
  const censored = new Uint8Array(table.nRows);
  for (const { start, end } of segments) {
    for (let row = start; row < end - 1; row++) gapDays[row] = table.orderDay[row + 1]! - table.orderDay[row]!;
    gapDays[end - 1] = asOfDay - table.orderDay[end - 1]!;
    censored[end - 1] = 1;
  }
  return { ...table, gapDays, censored };
}

/**
 * The order history (features of every order) of each customer with an order before
 * `asOfDay`, the row of their last order and the days elapsed since it.
 */
export function buildScoringTable(orders: OrderTable, asOfDay: number): ScoringTable {
  const { table, segments } = featureRowsBefore(orders, asOfDay);
  const lastRow = Int32Array.from(segments, (segment) => segment.end - 1);
  const elapsedDays = Float64Array.from(lastRow, (row) => asOfDay - table.orderDay[row]!);
  return { ...table, asOfDay, lastRow, elapsedDays };
}
