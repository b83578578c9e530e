import { InputDataError, type OrderFeatureTable, type ScoringTable, type TrainingTable, trainingAsOfDay } from '@nextbuy/contracts';

/**
 * Landmarking: a customer is scored at `elapsed = asOf - lastOrder > 0` days without an order,
 * while a training row describes the moment of its order (elapsed 0). A landmark row looks at
 * an order again `e` days later, when the customer had not ordered since, and asks how much
 * longer the wait is: the residual gap `gap - e`, censored exactly as the gap was. It adds one
 * feature, the elapsed days `e`, and uses nothing but the training table itself, so it knows no
 * more than the table does.
 */

const DAYS_PER_YEAR = 365.25;

/**
 * The phase of an epoch day in the year, in radians, for the season of a question (the landmark's
 * day, or the as-of date): epoch day 0 is January 1 (1970), and a 365.25-day year keeps a date's
 * phase within a day across leap years, so sin and cos of it put December 31 next to January 1.
 */
export function yearPhase(epochDay: number): number {
  const inYear = ((epochDay % DAYS_PER_YEAR) + DAYS_PER_YEAR) % DAYS_PER_YEAR;
  return (2 * Math.PI * inYear) / DAYS_PER_YEAR;
}

/** The feature a landmark row (and a scored customer) adds to its order's features. */
export const ELAPSED_FEATURE = 'ElapsedDays';

/** Landmark rows of a training table; `gapDays` and `censored` are those of the residual wait. */
export interface LandmarkTable extends TrainingTable {
  /** Row of the training table each landmark row looks at again. */
  sourceRow: Int32Array;
  /** Days from the order to the landmark (also the last feature, `ElapsedDays`). */
  elapsedDays: Float64Array;
  /** The training table's as-of day: its last day of information (see `trainingAsOfDay`). */
  asOfDay: number;
}

/**
 * A geometric grid of landmark days: 1, then each day `growth` times the last (rounded to whole
 * days, at least one day apart), up to `maxDays`: 1, 2, 3, 5, 8, 12, ... for growth 1.5. Dense
 * just after an order, where busy customers are scored, and sparse over long silences, so every
 * elapsed time that is scored lies near a landmark at a cost that grows with log(maxDays).
 */
export function geometricLandmarkDays(growth: number, maxDays: number): number[] {
  if (!(growth > 1) || !Number.isFinite(growth)) throw new RangeError(`landmark growth must be a finite number above 1, got ${growth}`);
  if (!Number.isInteger(maxDays) || maxDays < 1) throw new RangeError(`the last landmark must be a whole number of days >= 1, got ${maxDays}`);
  const days: number[] = [];
  for (let day = 1; day <= maxDays; day = Math.max(day + 1, Math.round(day * growth))) days.push(day);
  return days;
}

function checkLandmarkDays(days: readonly number[]): void {
  if (days.length === 0) throw new RangeError('landmark days: give at least one');
  for (const day of days) {
    if (!Number.isInteger(day) || day < 0) throw new RangeError(`landmark days must be whole days >= 0, got ${day}`);
  }
}

/** Checks the parts of a training table landmarking reads, naming the row and column at fault. */
function checkTrainingTable(table: TrainingTable): void {
  const where = (column: string, line?: number) => ({ source: 'TrainingTable', column, line });
  if (table.featureNames.includes(ELAPSED_FEATURE)) throw new InputDataError(`already has a feature named ${ELAPSED_FEATURE}`, where('featureNames'));
  const expected = table.nRows * table.featureNames.length;
  if (table.values.length !== expected) {
    throw new InputDataError(`has ${table.values.length} values, expected ${table.nRows} rows x ${table.featureNames.length} features`, where('values'));
  }
  for (const [column, length] of [['gapDays', table.gapDays.length], ['censored', table.censored.length], ['orderDay', table.orderDay.length], ['customerIds', table.customerIds.length]] as const) {
    if (length !== table.nRows) throw new InputDataError(`has ${length} entries for ${table.nRows} rows`, where(column));
  }
  for (let row = 0; row < table.nRows; row++) {
    const gap = table.gapDays[row]!;
    if (!(gap >= 0 && Number.isFinite(gap))) throw new InputDataError(`gap of row ${row} is ${gap}`, where('gapDays', row));
  }
}

/**
 * One row per (order, landmark `e` of `landmarkDays`) where the customer had not ordered again
 * before day `orderDay + e`, and that day is before the as-of day (a censored gap must exceed
 * `e`). Its features are the order's plus `ElapsedDays = e`; its label is `gapDays - e` with the
 * order's censoring flag.
 */
export function landmarkTable(table: TrainingTable, landmarkDays: readonly number[]): LandmarkTable {
  checkLandmarkDays(landmarkDays);
  checkTrainingTable(table);
  const ncol = table.featureNames.length;
  const sourceRows: number[] = [];
  const elapsed: number[] = [];
  for (let row = 0; row < table.nRows; row++) {
    const gap = table.gapDays[row]!;
    for (const e of landmarkDays) {
      if (table.censored[row] ? gap > e : gap >= e) {
        sourceRows.push(row);
        elapsed.push(e);
      }
    }
  }
  const nRows = sourceRows.length;
  const width = ncol + 1;
  const values = new Float32Array(nRows * width);
  const gapDays = new Float64Array(nRows);
  const censored = new Uint8Array(nRows);
  const customerIds = new Array<string>(nRows);
  const orderDay = new Int32Array(nRows);
  sourceRows.forEach((row, i) => {
    values.set(table.values.subarray(row * ncol, (row + 1) * ncol), i * width);
    values[i * width + ncol] = elapsed[i]!;
    gapDays[i] = table.gapDays[row]! - elapsed[i]!;
    censored[i] = table.censored[row]!;
    customerIds[i] = table.customerIds[row]!;
    orderDay[i] = table.orderDay[row]!;
  });
  return {
    featureNames: [...table.featureNames, ELAPSED_FEATURE],
    nRows,
    values,
    customerIds,
    orderDay,
    gapDays,
    censored,
    sourceRow: Int32Array.from(sourceRows),
    elapsedDays: Float64Array.from(elapsed),
    asOfDay: trainingAsOfDay(table),
  };
}

/**
 * Whether each landmark row's customer ordered within `horizonDays` after the landmark (a
 * residual below `horizonDays`, as the backtest's "within 90 days"), for the rows where that is
 * known: the landmark lies at least `horizonDays` before the as-of day. Rows closer to it are
 * left out whatever their outcome: keeping those that did order while dropping those still
 * waiting would overstate the probability. Also left out: a censored row whose own bound is
 * shorter than the horizon (tables censored per row rather than at one as-of day).
 */
export function horizonOutcomes(landmarks: LandmarkTable, horizonDays: number): { rows: Int32Array; ordered: Uint8Array } {
  if (!(horizonDays > 0)) throw new RangeError(`horizonDays must be positive, got ${horizonDays}`);
  const rows: number[] = [];
  const ordered: number[] = [];
  for (let row = 0; row < landmarks.nRows; row++) {
    const residual = landmarks.gapDays[row]!;
    const followedUp = landmarks.orderDay[row]! + landmarks.elapsedDays[row]! + horizonDays <= landmarks.asOfDay;
    if (!followedUp || (landmarks.censored[row] && residual < horizonDays)) continue;
    rows.push(row);
    ordered.push(!landmarks.censored[row] && residual < horizonDays ? 1 : 0);
  }
  return { rows: Int32Array.from(rows), ordered: Uint8Array.from(ordered) };
}

/**
 * The landmark row of every scored customer: the features of their last order plus
 * `ElapsedDays` = the days since it, one row per customer in `lastRow` order.
 */
export function scoringLandmarks(score: ScoringTable): OrderFeatureTable {
  const ncol = score.featureNames.length;
  const where = (column: string, line?: number) => ({ source: 'ScoringTable', column, line });
  if (score.featureNames.includes(ELAPSED_FEATURE)) throw new InputDataError(`already has a feature named ${ELAPSED_FEATURE}`, where('featureNames'));
  const count = score.lastRow.length;
  if (score.elapsedDays.length !== count) throw new InputDataError(`has ${score.elapsedDays.length} entries for ${count} customers`, where('elapsedDays'));
  const width = ncol + 1;
  const values = new Float32Array(count * width);
  score.lastRow.forEach((row, i) => {
    if (!(row >= 0 && row < score.nRows)) throw new InputDataError(`lastRow[${i}] = ${row} is outside 0..${score.nRows - 1}`, where('lastRow'));
    const elapsed = score.elapsedDays[i]!;
    if (!(elapsed >= 0 && Number.isFinite(elapsed))) throw new InputDataError(`elapsed days of customer ${i} is ${elapsed}`, where('elapsedDays', i));
    values.set(score.values.subarray(row * ncol, (row + 1) * ncol), i * width);
    values[i * width + ncol] = elapsed;
  });
  return {
    featureNames: [...score.featureNames, ELAPSED_FEATURE],
    nRows: count,
    values,
    customerIds: Array.from(score.lastRow, (row) => score.customerIds[row]!),
    orderDay: Int32Array.from(score.lastRow, (row) => score.orderDay[row]!),
  };
}
