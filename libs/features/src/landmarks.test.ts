import { InputDataError, type OrderTable, trainingAsOfDay } from '@nextbuy/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderTable, type OrderRow } from '../test/fixtures';
import { buildScoringTable, buildTrainingTable } from './feature-tables';
import { ELAPSED_FEATURE, geometricLandmarkDays, horizonOutcomes, landmarkTable, scoringLandmarks } from './landmarks';
import { FEATURE_COUNT, FEATURE_NAMES } from './order-features';

const AS_OF = 1_000;

// a: orders on days 100, 150, 400 (gaps 50 and 250, then censored at 600);
// b: one order on day 980 (censored at 20).
const ORDERS = orderTable([
  ['a', 100],
  ['a', 150],
  ['a', 400],
  ['b', 980],
]);

function rowsOf(table: ReturnType<typeof landmarkTable>): Array<[number, number, number, number]> {
  return Array.from(table.sourceRow, (row, i) => [row, table.elapsedDays[i]!, table.gapDays[i]!, table.censored[i]!]);
}

describe('geometricLandmarkDays', () => {
  it('starts at day 1 and grows by the factor, whole days at least one apart, up to the last day', () => {
    expect(geometricLandmarkDays(1.5, 120)).toEqual([1, 2, 3, 5, 8, 12, 18, 27, 41, 62, 93]);
    expect(geometricLandmarkDays(1.5, 730).slice(-3)).toEqual([315, 473, 710]);
    expect(geometricLandmarkDays(1.1, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(geometricLandmarkDays(3, 1)).toEqual([1]);
  });

  it('refuses a growth that is not above 1 and a last day that is not a whole day >= 1, naming the value', () => {
    expect(() => geometricLandmarkDays(1, 100)).toThrow(/growth .* got 1$/);
    expect(() => geometricLandmarkDays(Number.NaN, 100)).toThrow(/growth/);
    expect(() => geometricLandmarkDays(1.5, 0)).toThrow(/got 0$/);
    expect(() => geometricLandmarkDays(1.5, 7.5)).toThrow(/got 7.5$/);
  });
});

describe('landmarkTable', () => {
  it('looks at every order again e days later while no order came, with the residual wait as label', () => {
    const training = buildTrainingTable(ORDERS, AS_OF);
    const landmarks = landmarkTable(training, [0, 50, 100, 300]);
    expect(landmarks.featureNames).toEqual([...FEATURE_NAMES, ELAPSED_FEATURE]);
    expect(landmarks.asOfDay).toBe(AS_OF);
    expect(trainingAsOfDay(training)).toBe(AS_OF);
    // [source row, e, residual, censored]: a gap of exactly e still counts (the order is on the
    // landmark day, a wait of 0); a censored gap must exceed e (the landmark is before the as-of day).
    expect(rowsOf(landmarks)).toEqual([
      [0, 0, 50, 0],
      [0, 50, 0, 0],
      [1, 0, 250, 0],
      [1, 50, 200, 0],
      [1, 100, 150, 0],
      [2, 0, 600, 1],
      [2, 50, 550, 1],
      [2, 100, 500, 1],
      [2, 300, 300, 1],
      [3, 0, 20, 1],
    ]);
    const width = FEATURE_COUNT + 1;
    landmarks.sourceRow.forEach((row, i) => {
      const own = Array.from(landmarks.values.subarray(i * width, i * width + FEATURE_COUNT));
      expect(own).toEqual(Array.from(training.values.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT)));
      expect(landmarks.values[i * width + FEATURE_COUNT]).toBe(landmarks.elapsedDays[i]);
      expect(landmarks.customerIds[i]).toBe(training.customerIds[row]);
      expect(landmarks.orderDay[i]).toBe(training.orderDay[row]);
    });
  });

  it('names the row and column of bad input', () => {
    const training = buildTrainingTable(ORDERS, AS_OF);
    expect(() => landmarkTable({ ...training, gapDays: Float64Array.from([50, -1, 600, 20]) }, [0])).toThrow(/TrainingTable, line 1, column "gapDays": gap of row 1 is -1/);
    expect(() => landmarkTable({ ...training, censored: new Uint8Array(2) }, [0])).toThrow(InputDataError);
    expect(() => landmarkTable({ ...training, featureNames: [...FEATURE_NAMES.slice(1), ELAPSED_FEATURE] }, [0])).toThrow(/already has a feature named ElapsedDays/);
    expect(() => landmarkTable(training, [])).toThrow(RangeError);
    expect(() => landmarkTable(training, [-30])).toThrow(/whole days >= 0/);
  });
});

describe('horizonOutcomes', () => {
  it('labels "ordered within the horizon" only where the landmark lies a whole horizon before the as-of day', () => {
    const landmarks = landmarkTable(buildTrainingTable(ORDERS, AS_OF), [0, 50, 100, 300]);
    const { rows, ordered } = horizonOutcomes(landmarks, 90);
    // Landmark days 100, 150 (a's first order), 150, 200, 250 (its second), 400, 450, 500, 700
    // (its third) and 980 (b's): 980 + 90 is past the as-of day, so b is left out, and so would be
    // an order on day 950 that came before it.
    expect(Array.from(rows, (i) => [landmarks.sourceRow[i], landmarks.elapsedDays[i]])).toEqual([
      [0, 0],
      [0, 50],
      [1, 0],
      [1, 50],
      [1, 100],
      [2, 0],
      [2, 50],
      [2, 100],
      [2, 300],
    ]);
    // Residuals 50 and 0 are within 90 days; 250, 200, 150 are not; censored 600..300 are not.
    expect(Array.from(ordered)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('leaves out a censored row whose own bound is shorter than the horizon', () => {
    const landmarks = landmarkTable(buildTrainingTable(ORDERS, AS_OF), [0]);
    const early = { ...landmarks, censored: Uint8Array.from([0, 1, 1, 1]), asOfDay: 5_000 };
    const { rows, ordered } = horizonOutcomes(early, 90);
    expect(Array.from(rows)).toEqual([0, 1, 2]);
    expect(Array.from(ordered)).toEqual([1, 0, 0]);
    expect(() => horizonOutcomes(landmarks, 0)).toThrow(RangeError);
  });
});

describe('scoringLandmarks', () => {
  it("gives each scored customer their last order's features plus the days since it", () => {
    const score = buildScoringTable(ORDERS, AS_OF);
    const rows = scoringLandmarks(score);
    expect(rows.featureNames).toEqual([...FEATURE_NAMES, ELAPSED_FEATURE]);
    expect(rows.customerIds).toEqual(['a', 'b']);
    expect(Array.from(rows.orderDay)).toEqual([400, 980]);
    const width = FEATURE_COUNT + 1;
    expect(Array.from(rows.values.subarray(0, FEATURE_COUNT))).toEqual(Array.from(score.values.subarray(2 * FEATURE_COUNT, 3 * FEATURE_COUNT)));
    expect([rows.values[FEATURE_COUNT], rows.values[width + FEATURE_COUNT]]).toEqual([600, 20]);
  });

  it('names the field of bad input', () => {
    const score = buildScoringTable(ORDERS, AS_OF);
    expect(() => scoringLandmarks({ ...score, lastRow: Int32Array.from([2, 9]) })).toThrow(/ScoringTable, column "lastRow": lastRow\[1\] = 9 is outside 0..3/);
    expect(() => scoringLandmarks({ ...score, elapsedDays: Float64Array.from([600, Number.NaN]) })).toThrow(/line 1, column "elapsedDays"/);
    expect(() => scoringLandmarks({ ...score, elapsedDays: Float64Array.from([600]) })).toThrow(InputDataError);
  });
});

// Leak-freedom: property-based, like leak-freedom.test.ts for the order features.
const START_DAY = 14_000;
const orderArb = fc.record({ gap: fc.integer({ min: 1, max: 300 }), totalPrice: fc.double({ min: 0.01, max: 1000, noNaN: true }) });
const historyArb = fc.array(orderArb, { minLength: 1, maxLength: 8 });

/** Orders from per-customer histories; each order comes `gap` days after the previous one. */
function tableOf(histories: ReadonlyArray<ReadonlyArray<{ gap: number; totalPrice: number }>>): OrderTable {
  const rows: OrderRow[] = [];
  histories.forEach((history, c) => {
    let day = START_DAY;
    for (const order of history) {
      day += order.gap;
      rows.push([`c${c}`, day, order.totalPrice]);
    }
  });
  return orderTable(rows);
}

const LANDMARK_DAYS = [0, 14, 30, 60, 90, 180];

describe('landmarks and leak-freedom', () => {
  it('know nothing from the as-of day on: later orders change no landmark row, label or outcome', () => {
    fc.assert(
      fc.property(fc.array(historyArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1500 }), fc.array(historyArb, { maxLength: 4 }), (histories, offset, future) => {
        const asOf = START_DAY + offset;
        const orders = tableOf(histories);
        // Each customer's orders before the as-of day, then other orders from the as-of day on (or none).
        const past = histories.map((history) => {
          let day = START_DAY;
          return history.filter((order) => (day += order.gap) < asOf);
        });
        const later = past.map((_, c) => future[c] ?? []);
        const changed = orderTable(
          past.flatMap((history, c) => {
            let day = START_DAY;
            const rows: OrderRow[] = history.map((order) => [`c${c}`, (day += order.gap), order.totalPrice]);
            day = asOf - 1;
            return [...rows, ...later[c]!.map((order): OrderRow => [`c${c}`, (day += order.gap), order.totalPrice])];
          }),
        );
        const before = buildTrainingTable(orders, asOf);
        fc.pre(before.nRows > 0);
        const after = buildTrainingTable(changed, asOf);
        const a = landmarkTable(before, LANDMARK_DAYS);
        expect(landmarkTable(after, LANDMARK_DAYS)).toEqual(a);
        expect(horizonOutcomes(landmarkTable(after, LANDMARK_DAYS), 90)).toEqual(horizonOutcomes(a, 90));
        // Every label ends within the table's information: at the next order (before the as-of
        // day) or, censored, at the as-of day itself.
        expect(a.asOfDay).toBe(asOf);
        for (let i = 0; i < a.nRows; i++) {
          const landmarkDay = a.orderDay[i]! + a.elapsedDays[i]!;
          expect(landmarkDay).toBeLessThan(asOf);
          expect(landmarkDay + a.gapDays[i]!).toBe(a.censored[i] ? asOf : before.orderDay[a.sourceRow[i]! + 1]!);
        }
      }),
      { numRuns: 200 },
    );
  });
});
