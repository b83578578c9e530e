import { InputDataError, isoToEpochDay } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { orderTable } from '../test/fixtures';
import { buildScoringTable, buildTrainingTable } from './feature-tables';
import { FEATURE_DESCRIPTIONS, FEATURE_NAMES } from './order-features';

const AS_OF = isoToEpochDay('2011-03-01');
// Customer A: five orders before the as-of date and one exactly on it (not yet observed).
// Customer B: a single order. Customer C: first order on the as-of date, so not yet a customer.
const ORDERS = orderTable([
  ['A', '2011-01-03', 10, 1], // Monday
  ['A', '2011-01-10', 20, 2], // gap 7
  ['A', '2011-01-13', 30, 3], // gap 3, Thursday
  ['A', '2011-02-07', 40, 4], // gap 25
  ['A', '2011-02-28', 50, 5], // gap 21
  ['A', '2011-03-01', 60, 6], // on the as-of date
  ['B', '2011-02-20', 15, 1],
  ['C', '2011-03-01', 99, 9],
]);

function feature(table: { values: Float32Array; featureNames: readonly string[] }, row: number, name: string): number {
  return table.values[row * table.featureNames.length + table.featureNames.indexOf(name)]!;
}

describe('FEATURE_NAMES', () => {
  it("is evaluation.md's list, each documented", () => {
    expect(FEATURE_NAMES).toHaveLength(19);
    expect(FEATURE_NAMES.slice(0, 11)).toEqual([
      'PrevGapDays', 'RollingAvgGap', 'MeanGap', 'StdGap', 'OrderCount', 'TotalPrice', 'Quantity',
      'CumulativeTotalPrice', 'AvgOrderValue', 'DaysSinceFirstOrder', 'year',
    ]);
    for (const name of FEATURE_NAMES) expect(FEATURE_DESCRIPTIONS[name].length).toBeGreaterThan(5);
  });
});

describe('buildTrainingTable', () => {
  const table = buildTrainingTable(ORDERS, AS_OF);

  it('keeps only orders before the as-of date', () => {
    expect(table.nRows).toBe(6);
    expect(table.customerIds).toEqual(['A', 'A', 'A', 'A', 'A', 'B']);
    expect(table.orderDay[4]).toBe(isoToEpochDay('2011-02-28'));
  });

  it('labels observed gaps and censors the last order at the as-of date', () => {
    expect(Array.from(table.gapDays)).toEqual([7, 3, 25, 21, 1, 9]);
    expect(Array.from(table.censored)).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it('computes the gap features by hand', () => {
    const rows = [0, 1, 2, 3, 4];
    expect(rows.map((r) => feature(table, r, 'PrevGapDays'))).toEqual([NaN, 7, 3, 25, 21]);
    const rolling = rows.map((r) => feature(table, r, 'RollingAvgGap'));
    expect(rolling[0]).toBeNaN();
    expect(rolling.slice(1)).toEqual([7, 5, expect.closeTo(35 / 3, 5), expect.closeTo(49 / 3, 5)]);
    const mean = rows.map((r) => feature(table, r, 'MeanGap'));
    expect(mean.slice(1)).toEqual([7, 5, expect.closeTo(35 / 3, 5), 14]);
    const std = rows.map((r) => feature(table, r, 'StdGap'));
    expect(std[0]).toBeNaN();
    expect(std[1]).toBeNaN(); // one gap: no sample standard deviation
    expect(std[2]).toBeCloseTo(Math.sqrt(8), 5); // gaps 7, 3
    expect(std[3]).toBeCloseTo(Math.sqrt(274.6666667 / 2), 4); // gaps 7, 3, 25
    expect(std[4]).toBeCloseTo(Math.sqrt(((7 - 14) ** 2 + (3 - 14) ** 2 + (25 - 14) ** 2 + (21 - 14) ** 2) / 3), 4);
  });

  it('computes the count, amount and calendar features by hand', () => {
    expect([0, 1, 2, 3, 4].map((r) => feature(table, r, 'OrderCount'))).toEqual([1, 2, 3, 4, 5]);
    expect(feature(table, 2, 'TotalPrice')).toBe(30);
    expect(feature(table, 2, 'Quantity')).toBe(3);
    expect([0, 1, 2, 3, 4].map((r) => feature(table, r, 'CumulativeTotalPrice'))).toEqual([10, 30, 60, 100, 150]);
    expect([0, 1, 2, 3, 4].map((r) => feature(table, r, 'AvgOrderValue'))).toEqual([10, 15, 20, 25, 30]);
    expect([0, 1, 2, 3, 4].map((r) => feature(table, r, 'DaysSinceFirstOrder'))).toEqual([0, 7, 10, 35, 56]);
    expect(feature(table, 0, 'year')).toBe(2011);
    // 2011-01-03 is a Monday (weekday 0); 2011-01-13 a Thursday (weekday 3).
    expect(feature(table, 0, 'WeekdaySin')).toBeCloseTo(0, 6);
    expect(feature(table, 0, 'WeekdayCos')).toBeCloseTo(1, 6);
    expect(feature(table, 2, 'WeekdaySin')).toBeCloseTo(Math.sin((2 * Math.PI * 3) / 7), 6);
    expect(feature(table, 2, 'DayOfMonthCos')).toBeCloseTo(Math.cos((2 * Math.PI * 13) / 31), 6);
    expect(feature(table, 3, 'MonthSin')).toBeCloseTo(Math.sin((2 * Math.PI * 2) / 12), 6);
    expect(feature(table, 3, 'QuarterSin')).toBeCloseTo(1, 6); // quarter 1: sin(pi / 2)
    expect(feature(table, 3, 'QuarterCos')).toBeCloseTo(0, 6);
  });

  it('gives a single-order customer missing gap features', () => {
    for (const name of ['PrevGapDays', 'RollingAvgGap', 'MeanGap', 'StdGap']) expect(feature(table, 5, name)).toBeNaN();
    expect(feature(table, 5, 'OrderCount')).toBe(1);
  });

  it('labels the last order observed when the next one comes the day before the as-of date', () => {
    const earlier = buildTrainingTable(ORDERS, isoToEpochDay('2011-02-28') + 1);
    expect(earlier.censored[3]).toBe(0);
    expect(earlier.gapDays[3]).toBe(21);
    expect(earlier.censored[4]).toBe(1);
    expect(earlier.gapDays[4]).toBe(1);
  });

  it('names the row and field of unsorted input', () => {
    const unsorted = orderTable([['A', 5], ['A', 5]]);
    expect(() => buildTrainingTable(unsorted, 10)).toThrow(InputDataError);
    expect(() => buildTrainingTable(unsorted, 10)).toThrow(/column "day": row 1: customer "A"/);
    expect(() => buildTrainingTable(orderTable([['A', 1], ['B', 2], ['A', 3]]), 10)).toThrow(/row 2: customer "A" appears again/);
  });
});

describe('buildScoringTable', () => {
  it('scores every customer with an order before the as-of date, from their last order', () => {
    const table = buildScoringTable(ORDERS, AS_OF);
    expect(table.asOfDay).toBe(AS_OF);
    expect(Array.from(table.lastRow)).toEqual([4, 5]);
    expect(Array.from(table.elapsedDays)).toEqual([1, 9]);
    expect(table.customerIds[table.lastRow[0]!]).toBe('A');
    // The scoring rows are exactly the training rows: one feature code path.
    expect(table.values).toEqual(buildTrainingTable(ORDERS, AS_OF).values);
  });

  it('is empty before the first order', () => {
    const table = buildScoringTable(ORDERS, isoToEpochDay('2011-01-03'));
    expect(table.nRows).toBe(0);
    expect(table.lastRow).toHaveLength(0);
  });
});
