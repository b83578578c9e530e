import { InputDataError, type OrderFeatureTable, type ScoringTable, type TrainingTable } from '@nextbuy/contracts';
import { buildSequences } from '@nextbuy/features';
import type { GapLabels, Windows } from './network';
import { type Preprocessing, scaleFeatures } from './preprocessing';

/**
 * A gap of 0 days has no logarithm. Two orders of a customer fall on different days, so a real
 * gap is at least 1; half a day changes none of them but keeps a 0-day censoring bound (an
 * order on the as-of day) finite.
 */
export const MIN_GAP_DAYS = 0.5;

/**
 * The windows ending at `endRows`, scaled, with one extra channel: 1 on a real step, 0 on
 * padding (every other channel of a padded step is 0 too).
 *
 * Why the channel: windows are left-padded, and after scaling 0 is an ordinary value (the
 * training mean), so padding must be told apart explicitly. With the channel a real step is
 * never all zeros, so tfjs's Masking layer in the saved model masks exactly the padding, and
 * the LSTM (ours, and tfjs's under the mask) skips padded steps: the state stays at its initial
 * zero until the customer's first real order, and a one-order customer is processed exactly
 * as a one-step sequence. Nothing has to be learnt to ignore padding; `start` carries the same
 * information for the hand-written network.
 */
export function buildWindows(table: OrderFeatureTable, endRows: ArrayLike<number>, preprocessing: Preprocessing, source: string): Windows {
  const scaled = scaleFeatures(table, preprocessing, source);
  const L = preprocessing.timeSeriesLength;
  const sequences = buildSequences({ ...table, values: scaled }, endRows, L, 0);
  const F = sequences.nFeatures;
  const D = F + 1;
  const values = new Float32Array(sequences.n * L * D);
  const start = new Int32Array(sequences.n);
  for (let w = 0; w < sequences.n; w++) {
    start[w] = L - sequences.lengths[w]!;
    for (let t = start[w]!; t < L; t++) {
      const from = (w * L + t) * F;
      const to = (w * L + t) * D;
      values.set(sequences.values.subarray(from, from + F), to);
      values[to + F] = 1;
    }
  }
  return { n: sequences.n, values, start };
}

/** Every row of a training table as a window ending at it, labelled with its log gap and censoring flag. */
export function trainingWindows(table: TrainingTable, preprocessing: Preprocessing, source = 'TrainingTable'): { windows: Windows; labels: GapLabels } {
  if (table.gapDays.length !== table.nRows || table.censored.length !== table.nRows) {
    throw new InputDataError(`gapDays/censored have ${table.gapDays.length}/${table.censored.length} entries for ${table.nRows} rows`, { source, column: 'gapDays' });
  }
  const logGap = new Float32Array(table.nRows);
  for (let row = 0; row < table.nRows; row++) {
    const gap = table.gapDays[row]!;
    if (!Number.isFinite(gap) || gap < 0) throw new InputDataError(`gap of row ${row} is ${gap}`, { source, line: row, column: 'gapDays' });
    logGap[row] = Math.log(Math.max(gap, MIN_GAP_DAYS));
  }
  const rows = Int32Array.from({ length: table.nRows }, (_, i) => i);
  return { windows: buildWindows(table, rows, preprocessing, source), labels: { logGap, censored: table.censored } };
}

/** The window ending at each scored customer's last order. */
export function scoringWindows(table: ScoringTable, preprocessing: Preprocessing, source = 'ScoringTable'): Windows {
  table.lastRow.forEach((row, i) => {
    if (!(row >= 0 && row < table.nRows)) throw new InputDataError(`lastRow[${i}] = ${row} is outside 0..${table.nRows - 1}`, { source, column: 'lastRow' });
  });
  return buildWindows(table, table.lastRow, preprocessing, source);
}
