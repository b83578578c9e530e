import { describe, expect, it } from 'vitest';
import { type TrainingTable, trainingAsOfDay, trainingFirstDay } from './tables';

/** Two customers' rows, a censored last row each, not in day order across customers. */
const table: TrainingTable = {
  featureNames: [],
  nRows: 4,
  values: new Float32Array(0),
  customerIds: ['b', 'b', 'a', 'a'],
  orderDay: Int32Array.from([120, 150, 100, 130]),
  gapDays: Float64Array.from([30, 50, 30, 70]),
  censored: Uint8Array.from([0, 1, 0, 1]),
};

describe('a training table\'s span', () => {
  it('starts at the earliest order of any customer and ends where the censored rows do', () => {
    expect(trainingFirstDay(table)).toBe(100);
    expect(trainingAsOfDay(table)).toBe(200);
  });

  it('is empty for an empty table', () => {
    const empty = { ...table, nRows: 0, customerIds: [], orderDay: new Int32Array(0), gapDays: new Float64Array(0), censored: new Uint8Array(0) };
    expect(trainingFirstDay(empty)).toBe(Infinity);
    expect(trainingAsOfDay(empty)).toBe(-Infinity);
  });
});
