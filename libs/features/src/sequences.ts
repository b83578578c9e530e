import type { OrderFeatureTable } from '@nextbuy/contracts';

/** Windows of order features for a sequence model, row-major `[n, length, nFeatures]`. */
export interface SequenceBatch {
  n: number;
  length: number;
  nFeatures: number;
  /** Left-padded: a customer's most recent order is always the last step. */
  values: Float32Array;
  /** Real (unpadded) steps of each window, 1..length. */
  lengths: Int32Array;
}

/**
 * The last `length` orders of the customer up to and including each row of `endRows`. Only
 * rows of the same customer at or before the end row are read, so a window never sees the
 * future. Missing steps and NaN features are filled with `padValue`.
 */
export function buildSequences(table: OrderFeatureTable, endRows: ArrayLike<number>, length: number, padValue = 0): SequenceBatch {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`sequence length must be a positive integer, got ${length}`);
  const nFeatures = table.featureNames.length;
  const n = endRows.length;
  const values = new Float32Array(n * length * nFeatures).fill(padValue);
  const lengths = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const end = endRows[i]!;
    if (end < 0 || end >= table.nRows) throw new RangeError(`row ${end} is outside the table (0..${table.nRows - 1})`);
    const customer = table.customerIds[end];
    let steps = 1;
    while (steps < length && end - steps >= 0 && table.customerIds[end - steps] === customer) steps++;
    lengths[i] = steps;
    for (let s = 0; s < steps; s++) {
      const source = (end - steps + 1 + s) * nFeatures;
      const target = (i * length + (length - steps + s)) * nFeatures;
      for (let f = 0; f < nFeatures; f++) {
        const v = table.values[source + f]!;
        values[target + f] = Number.isNaN(v) ? padValue : v;
      }
    }
  }
  return { n, length, nFeatures, values, lengths };
}
