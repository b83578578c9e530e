import { customerSegments, InputDataError, type ScoringTable, type TrainingTable, trainingAsOfDay } from '@nextbuy/contracts';

/**
 * What the buy-till-you-die models know of each customer (Fader, Hardie and Lee's notation), in
 * days: `x` repeat orders (orders after the first), `tx` the time from the first order to the
 * last, `T` the time from the first order to the as-of date. `weight` counts customers sharing
 * the same triple once compressed.
 */
export interface CustomerSummaries {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
}

function summaries(count: number, at: (i: number) => { x: number; tx: number; T: number }): CustomerSummaries {
  const out = { x: new Float64Array(count), tx: new Float64Array(count), T: new Float64Array(count), weight: new Float64Array(count).fill(1) };
  for (let i = 0; i < count; i++) {
    const { x, tx, T } = at(i);
    out.x[i] = x;
    out.tx[i] = tx;
    out.T[i] = T;
  }
  return out;
}

/** One summary per customer of a training table (rows of a customer contiguous, in date order), as of its censoring day. */
export function trainingSummaries(table: TrainingTable): CustomerSummaries {
  const asOf = trainingAsOfDay(table);
  const segments = customerSegments(table);
  return summaries(segments.length, (i) => {
    const first = segments[i]!.start;
    const last = segments[i]!.end - 1;
    return { x: last - first, tx: table.orderDay[last]! - table.orderDay[first]!, T: asOf - table.orderDay[first]! };
  });
}

/**
 * Σ log(gap) over every gap between two consecutive orders of a customer in the training table
 * (days; orders are customer-days, so every gap is 1 day or more): what BG/CNBD-k's choice of k
 * reads besides (x, tx, T) (bgcnbd.ts).
 */
export function trainingLogGapSum(table: TrainingTable): number {
  let sum = 0;
  for (const { start, end } of customerSegments(table)) {
    for (let row = start + 1; row < end; row++) sum += Math.log(table.orderDay[row]! - table.orderDay[row - 1]!);
  }
  return sum;
}

/** One summary per scored customer, in `lastRow` order, as of the table's as-of day. */
export function scoringSummaries(table: ScoringTable): CustomerSummaries {
  return summaries(table.lastRow.length, (i) => {
    const last = table.lastRow[i]!;
    const first = i > 0 ? table.lastRow[i - 1]! + 1 : 0;
    return { x: last - first, tx: table.orderDay[last]! - table.orderDay[first]!, T: table.asOfDay - table.orderDay[first]! };
  });
}

/** Customers with the same (x, tx, T) merged into one weighted row: the likelihood is a weighted sum. */
export function compressSummaries(s: CustomerSummaries): CustomerSummaries {
  const groups = new Map<string, number>();
  const rows: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const key = `${s.x[i]},${s.tx[i]},${s.T[i]}`;
    const at = groups.get(key);
    if (at === undefined) {
      groups.set(key, rows.length);
      rows.push(i);
      weights.push(s.weight[i]!);
    } else {
      weights[at]! += s.weight[i]!;
    }
  }
  return {
    x: Float64Array.from(rows, (i) => s.x[i]!),
    tx: Float64Array.from(rows, (i) => s.tx[i]!),
    T: Float64Array.from(rows, (i) => s.T[i]!),
    weight: Float64Array.from(weights),
  };
}

/** Checks summaries as the likelihoods need them, naming the customer (row) and field at fault. */
export function checkSummaries(s: CustomerSummaries, source: string): void {
  const n = s.x.length;
  if (s.tx.length !== n || s.T.length !== n || s.weight.length !== n) throw new InputDataError(`x, tx, T and weight differ in length`, { source });
  for (let i = 0; i < n; i++) {
    const [x, tx, T, w] = [s.x[i]!, s.tx[i]!, s.T[i]!, s.weight[i]!];
    if (!(Number.isInteger(x) && x >= 0)) throw new InputDataError(`repeat orders x = ${x}: must be a whole number >= 0`, { source, line: i, column: 'x' });
    if (!(tx >= 0 && Number.isFinite(tx))) throw new InputDataError(`tx = ${tx}: must be >= 0`, { source, line: i, column: 'tx' });
    if (!(T >= tx && Number.isFinite(T))) throw new InputDataError(`T = ${T} is before the last order (tx = ${tx})`, { source, line: i, column: 'T' });
    if (x === 0 && tx !== 0) throw new InputDataError(`tx = ${tx} with no repeat order: must be 0`, { source, line: i, column: 'tx' });
    if (!(w > 0 && Number.isFinite(w))) throw new InputDataError(`weight = ${w}: must be > 0`, { source, line: i, column: 'weight' });
  }
}
