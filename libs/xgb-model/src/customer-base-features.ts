import { customerSegments, type OrderFeatureTable, type ScoringTable, type TrainingTable } from '@nextbuy/contracts';
import { type BgNbdParams, bgnbdPAlive, bgnbdPOrderWithin } from '@nextbuy/btyd-model';
import { HORIZON_DAYS } from '@nextbuy/contracts';
import { type LandmarkTable, yearPhase } from '@nextbuy/features';

/**
 * What the baselines know, as features of a landmark row: the elapsed days in units of the
 * customer's own mean gap (trees split on ratios poorly, and a busy customer's 10 days mean what
 * a rare one's 300 do), and BG/NBD's P(alive) and P(order within 90 days) of the customer as of
 * the landmark. A landmark row at day L reads only the orders up to its own order (x repeat
 * orders, tx days from the first to it) and L itself; BG/NBD's population parameters are fitted
 * on the training table, which ends at its as-of day.
 */
export const CUSTOMER_BASE_FEATURES = ['ElapsedOverMeanGap', 'BgNbdPAlive', 'BgNbdPOrder90d'] as const;

/**
 * The season of the question: the day of the year of the landmark (of the as-of day for a scored
 * customer), as a point on a circle so that December 31 sits next to January 1. The order's own
 * month says when the customer last bought; this says when the 7, 30 and 90 days asked about
 * begin, which on a seasonal base moves the answer for everyone at once (bench:quality's
 * seasonal-retail: auc_90d +0.015, brier_90d -0.017 at a March cutoff). Artifacts written before
 * it have boosters without these names and are served without them.
 */
export const CALENDAR_FEATURES = ['AsOfDayOfYearSin', 'AsOfDayOfYearCos'] as const;

/** Repeat orders before each row of a table (rows of a customer contiguous, in date order) and the days from the customer's first order. */
function historyOfRows(table: { nRows: number; customerIds: readonly string[]; orderDay: Int32Array }): { x: Int32Array; tx: Float64Array } {
  const x = new Int32Array(table.nRows);
  const tx = new Float64Array(table.nRows);
  for (const { start, end } of customerSegments(table)) {
    for (let row = start; row < end; row++) {
      x[row] = row - start;
      tx[row] = table.orderDay[row]! - table.orderDay[start]!;
    }
  }
  return { x, tx };
}

/**
 * `rows` with the customer-base features appended (`x`, `tx`, `elapsed` per row) and, when
 * `asOfDay` is given (the landmark's epoch day per row), the calendar features after them.
 */
function appendFeatures(rows: OrderFeatureTable, params: BgNbdParams | null, x: ArrayLike<number>, tx: ArrayLike<number>, elapsed: ArrayLike<number>, asOfDay?: (i: number) => number): OrderFeatureTable {
  const ncol = rows.featureNames.length;
  const names = asOfDay ? [...CUSTOMER_BASE_FEATURES, ...CALENDAR_FEATURES] : CUSTOMER_BASE_FEATURES;
  const width = ncol + names.length;
  const values = new Float32Array(rows.nRows * width);
  for (let i = 0; i < rows.nRows; i++) {
    const at = i * width;
    values.set(rows.values.subarray(i * ncol, (i + 1) * ncol), at);
    const [xi, txi, e] = [x[i]!, tx[i]!, elapsed[i]!];
    values[at + ncol] = xi > 0 ? e / (txi / xi) : Number.NaN;
    values[at + ncol + 1] = params ? bgnbdPAlive(params, xi, txi, txi + e) : Number.NaN;
    values[at + ncol + 2] = params ? bgnbdPOrderWithin(params, xi, txi, txi + e, HORIZON_DAYS) : Number.NaN;
    if (asOfDay) {
      const phase = yearPhase(asOfDay(i));
      values[at + ncol + 3] = Math.sin(phase);
      values[at + ncol + 4] = Math.cos(phase);
    }
  }
  return { ...rows, featureNames: [...rows.featureNames, ...names], values };
}

/** Whether the calendar features follow the customer-base ones (they do unless serving an artifact written before them). */
export interface FeatureOptions {
  calendar?: boolean;
}

/** The landmark table with the customer-base features of each landmark row, and the calendar features of its landmark day. */
export function withCustomerBaseFeatures(landmarks: LandmarkTable, source: TrainingTable, params: BgNbdParams | null, { calendar = true }: FeatureOptions = {}): LandmarkTable {
  const history = historyOfRows(source);
  const rows = landmarks.sourceRow;
  const extended = appendFeatures(
    landmarks,
    params,
    Int32Array.from(rows, (r) => history.x[r]!),
    Float64Array.from(rows, (r) => history.tx[r]!),
    landmarks.elapsedDays,
    calendar ? (i) => source.orderDay[rows[i]!]! + landmarks.elapsedDays[i]! : undefined,
  );
  return { ...landmarks, featureNames: extended.featureNames, values: extended.values };
}

/** The scoring landmark rows (`scoringLandmarks`) with each customer's customer-base features as of the scoring day, and the scoring day's calendar features. */
export function scoringCustomerBaseFeatures(rows: OrderFeatureTable, score: ScoringTable, params: BgNbdParams | null, { calendar = true }: FeatureOptions = {}): OrderFeatureTable {
  const history = historyOfRows(score);
  return appendFeatures(
    rows,
    params,
    Int32Array.from(score.lastRow, (r) => history.x[r]!),
    Float64Array.from(score.lastRow, (r) => history.tx[r]!),
    score.elapsedDays,
    calendar ? () => score.asOfDay : undefined,
  );
}
