import type { OrderTable } from '@nextbuy/contracts';

/** The features of an order, in the fixed column order of every feature table and model. */
export const FEATURE_NAMES = [
  'PrevGapDays',
  'RollingAvgGap',
  'MeanGap',
  'StdGap',
  'OrderCount',
  'TotalPrice',
  'Quantity',
  'CumulativeTotalPrice',
  'AvgOrderValue',
  'DaysSinceFirstOrder',
  'year',
  'WeekdaySin',
  'WeekdayCos',
  'DayOfMonthSin',
  'DayOfMonthCos',
  'MonthSin',
  'MonthCos',
  'QuarterSin',
  'QuarterCos',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** One line per feature of order k of a customer; every one uses orders 1..k only. */
export const FEATURE_DESCRIPTIONS: Record<FeatureName, string> = {
  PrevGapDays: 'days since order k-1; NaN for the first order',
  RollingAvgGap: 'mean of the last 3 gaps (of those there are when fewer); NaN for the first order',
  MeanGap: 'mean of all gaps so far, (day k - day 1) / (k - 1); NaN for the first order',
  StdGap: 'sample standard deviation (n - 1) of all gaps so far; NaN with fewer than 2 gaps',
  OrderCount: 'k, the number of orders so far including this one',
  TotalPrice: "order k's sum(Quantity * UnitPrice)",
  Quantity: "order k's sum(Quantity)",
  CumulativeTotalPrice: 'TotalPrice summed over orders 1..k',
  AvgOrderValue: 'CumulativeTotalPrice / k',
  DaysSinceFirstOrder: 'day k - day 1',
  year: 'calendar year of order k (UTC)',
  WeekdaySin: 'sin(2 pi weekday / 7), weekday 0 = Monday .. 6 = Sunday',
  WeekdayCos: 'cos(2 pi weekday / 7)',
  DayOfMonthSin: 'sin(2 pi day-of-month / 31), day-of-month 1..31',
  DayOfMonthCos: 'cos(2 pi day-of-month / 31)',
  MonthSin: 'sin(2 pi month / 12), month 1..12',
  MonthCos: 'cos(2 pi month / 12)',
  QuarterSin: 'sin(2 pi quarter / 4), quarter 1..4',
  QuarterCos: 'cos(2 pi quarter / 4)',
};

export const FEATURE_COUNT = FEATURE_NAMES.length;

const MS_PER_DAY = 86_400_000;
const TWO_PI = 2 * Math.PI;

/**
 * Writes the features of one customer's orders `[start, end)` of `orders` into the rows
 * `outRow, outRow + 1, ...` of the row-major `values`. A single forward pass with running
 * sums, so order k can only see orders 1..k.
 */
export function writeCustomerFeatures(orders: OrderTable, start: number, end: number, values: Float32Array, outRow: number): void {
  const firstDay = orders.day[start]!;
  let gapCount = 0;
  let gapMean = 0;
  // Welford's running sum of squared deviations: stable where sum-of-squares cancels.
  let gapM2 = 0;
  const lastGaps: number[] = [];
  let cumulativeTotalPrice = 0;
  for (let i = start; i < end; i++) {
    const k = i - start + 1;
    const day = orders.day[i]!;
    let prevGap = NaN;
    if (i > start) {
      prevGap = day - orders.day[i - 1]!;
      gapCount++;
      const delta = prevGap - gapMean;
      gapMean += delta / gapCount;
      gapM2 += delta * (prevGap - gapMean);
      lastGaps.push(prevGap);
      if (lastGaps.length > 3) lastGaps.shift();
    }
    cumulativeTotalPrice += orders.totalPrice[i]!;
    const date = new Date(day * MS_PER_DAY);
    const weekday = (date.getUTCDay() + 6) % 7;
    const dayOfMonth = date.getUTCDate();
    const month = date.getUTCMonth() + 1;
    const quarter = Math.ceil(month / 3);
    const row = [
      prevGap,
      lastGaps.length > 0 ? lastGaps.reduce((a, b) => a + b, 0) / lastGaps.length : NaN,
      gapCount > 0 ? gapMean : NaN,
      gapCount > 1 ? Math.sqrt(gapM2 / (gapCount - 1)) : NaN,
      k,
      orders.totalPrice[i]!,
      orders.quantity[i]!,
      cumulativeTotalPrice,
      cumulativeTotalPrice / k,
      day - firstDay,
      date.getUTCFullYear(),
      Math.sin((TWO_PI * weekday) / 7),
      Math.cos((TWO_PI * weekday) / 7),
      Math.sin((TWO_PI * dayOfMonth) / 31),
      Math.cos((TWO_PI * dayOfMonth) / 31),
      Math.sin((TWO_PI * month) / 12),
      Math.cos((TWO_PI * month) / 12),
      Math.sin((TWO_PI * quarter) / 4),
      Math.cos((TWO_PI * quarter) / 4),
    ];
    values.set(row, (outRow + k - 1) * FEATURE_COUNT);
  }
}
