import { isoToEpochDay } from '@nextbuy/contracts';
import { landmarkTable, scoringLandmarks } from '@nextbuy/features';
import { describe, expect, it } from 'vitest';
import { gapScoringTable, gapTrainingTable } from '../test/synthetic';
import { CALENDAR_FEATURES, CUSTOMER_BASE_FEATURES, scoringCustomerBaseFeatures, withCustomerBaseFeatures } from './customer-base-features';

/** The calendar features of row `i` of a table. */
function calendarOf(table: { featureNames: readonly string[]; values: Float32Array }, i: number): [number, number] {
  const width = table.featureNames.length;
  const at = table.featureNames.indexOf(CALENDAR_FEATURES[0]);
  return [table.values[i * width + at]!, table.values[i * width + at + 1]!];
}

describe('calendar features', () => {
  it('place a landmark row at its landmark day of the year, not its order day', () => {
    const table = gapTrainingTable(70, 50);
    const rows = withCustomerBaseFeatures(landmarkTable(table, [1, 30]), table, null);
    expect(rows.featureNames.slice(-5)).toEqual([...CUSTOMER_BASE_FEATURES, ...CALENDAR_FEATURES]);
    for (let i = 0; i < rows.nRows; i++) {
      const day = table.orderDay[rows.sourceRow[i]!]! + rows.elapsedDays[i]!;
      const [sin, cos] = calendarOf(rows, i);
      const phase = (2 * Math.PI * (day % 365.25)) / 365.25;
      expect(sin).toBeCloseTo(Math.sin(phase), 6);
      expect(cos).toBeCloseTo(Math.cos(phase), 6);
    }
    // Rows 29 days apart of one order sit at different points of the year.
    const first = calendarOf(rows, 0);
    const later = rows.sourceRow.findIndex((row, i) => row === rows.sourceRow[0] && rows.elapsedDays[i] === 30);
    expect(later).toBeGreaterThan(0);
    expect(calendarOf(rows, later)).not.toEqual(first);
  });

  it('give every scored customer the as-of day, and a date the same point each year', () => {
    const score = gapScoringTable(71, [0, 5, 300]);
    const rows = scoringCustomerBaseFeatures(scoringLandmarks(score), score, null);
    expect(new Set([0, 1, 2].map((i) => calendarOf(rows, i).join()))).toHaveLength(1);
    const at = (iso: string) => {
      const table = { ...score, asOfDay: isoToEpochDay(iso) };
      return calendarOf(scoringCustomerBaseFeatures(scoringLandmarks(table), table, null), 0);
    };
    const [sin, cos] = at('2021-01-01');
    expect(Math.abs(sin)).toBeLessThan(0.02);
    expect(cos).toBeGreaterThan(0.999);
    // Summer is the other side of the circle; New Year's Eve next to New Year's Day; a date keeps its point across years, leap ones included.
    expect(at('2021-07-02')[1]).toBeLessThan(-0.999);
    expect(Math.hypot(at('2020-12-31')[0] - sin, at('2020-12-31')[1] - cos)).toBeLessThan(0.04);
    for (const year of [1997, 2011, 2024, 2031]) expect(at(`${year}-03-15`)[0]).toBeCloseTo(at('2021-03-15')[0], 1);
    expect(scoringCustomerBaseFeatures(scoringLandmarks(score), score, null, { calendar: false }).featureNames).not.toContain(CALENDAR_FEATURES[0]);
  });
});
