import { HORIZON_DAYS, type OrderTable } from '@nextbuy/contracts';

/** Lowest and highest share of order days a cutoff sits at. */
const FIRST_SHARE = 0.6;
const LAST_SHARE = 0.8;
/** Days between cutoffs at least, when the data leaves them little room. */
const MIN_SPACING_DAYS = 14;

/** The day at share `q` of the sorted order days (linear interpolation, then the day it falls in), as defaultCutoffDay does for 0.8. */
function orderDayQuantile(sortedDays: Int32Array, q: number): number {
  const position = q * (sortedDays.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sortedDays.length - 1);
  return Math.floor(sortedDays[below]! + (position - below) * (sortedDays[above]! - sortedDays[below]!));
}

/**
 * `count` rolling-origin cutoffs, evenly spaced from the day at the 60th percentile of order days
 * to the one at the 80th (the trainer's default cutoff), the last moved back so that it leaves
 * HORIZON_DAYS (90) of data after it, and the first so the cutoffs stay at least 14 days apart.
 */
export function rollingCutoffDays(orders: OrderTable, count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`cutoffs must be a whole number from 1 up, got ${count}`);
  if (orders.nRows === 0) throw new RangeError('rollingCutoffDays: no orders');
  const days = Int32Array.from(orders.day).sort();
  const first = days[0]!;
  const last = days[days.length - 1]!;
  const latest = Math.min(orderDayQuantile(days, LAST_SHARE), last - HORIZON_DAYS);
  const earliest = Math.min(orderDayQuantile(days, FIRST_SHARE), latest - MIN_SPACING_DAYS * (count - 1));
  if (earliest <= first) {
    throw new RangeError(`the orders span ${last - first + 1} days: too short for ${count} cutoffs ${MIN_SPACING_DAYS} days apart with ${HORIZON_DAYS} days after the last`);
  }
  if (count === 1) return [latest];
  return Array.from({ length: count }, (_, j) => Math.round(earliest + (j * (latest - earliest)) / (count - 1)));
}
