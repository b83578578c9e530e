import { InputDataError, type TrainingTable } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { fitPreprocessing, parsePreprocessing } from './preprocessing';
import { trainingWindows } from './windows';

/** Two customers: c1 with three orders, c2 with one; a money-like skewed feature, a symmetric one. */
const TABLE: TrainingTable = {
  featureNames: ['TotalPrice', 'MonthSin'],
  nRows: 4,
  // TotalPrice has one huge order (a long right tail); c1's first MonthSin is missing.
  values: Float32Array.of(10, Number.NaN, 12, 0.5, 5000, -0.5, 11, 1),
  customerIds: ['c1', 'c1', 'c1', 'c2'],
  orderDay: Int32Array.of(100, 110, 130, 105),
  gapDays: Float64Array.of(10, 20, 0, 40),
  censored: Uint8Array.of(0, 0, 1, 1),
};

describe('preprocessing and windows', () => {
  it('log-transforms long-tailed non-negative features only, and standardises on the training rows', () => {
    const skewed = { ...TABLE, nRows: 8, values: Float32Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? (i === 14 ? 1e5 : 10 + i) : Math.sin(i))), customerIds: Array(8).fill('c'), orderDay: new Int32Array(8) };
    const { features } = fitPreprocessing(skewed, 3);
    expect(features.map((f) => [f.name, f.log1p])).toEqual([
      ['TotalPrice', true],
      ['MonthSin', false],
    ]);
    const prices = Array.from({ length: 8 }, (_, r) => Math.log1p(skewed.values[2 * r]!));
    expect(features[0]!.mean).toBeCloseTo(prices.reduce((a, b) => a + b) / 8, 6);
  });

  it('builds left-padded windows with an is-real-step channel; missing values become the mean (0)', () => {
    const preprocessing = fitPreprocessing(TABLE, 3);
    const { windows, labels } = trainingWindows(TABLE, preprocessing);
    expect(windows.n).toBe(4);
    expect(Array.from(windows.start)).toEqual([2, 1, 0, 2]);
    const step = (w: number, t: number) => Array.from(windows.values.subarray((w * 3 + t) * 3, (w * 3 + t + 1) * 3));
    // Padding is all zeros, channel included; real steps carry channel 1.
    expect(step(0, 0)).toEqual([0, 0, 0]);
    expect(step(0, 2)[2]).toBe(1);
    expect(step(0, 2)[1]).toBe(0);
    // The window of c1's third order holds its three orders in time order; c2's holds only its own.
    expect(step(2, 0)).toEqual(step(0, 2));
    expect(step(2, 1)).toEqual(step(1, 2));
    expect(step(2, 2)).not.toEqual(step(3, 2));
    expect(step(3, 1)).toEqual([0, 0, 0]);
    // Labels: log gaps, the 0-day censoring bound kept finite.
    expect(labels.logGap[0]).toBeCloseTo(Math.log(10), 6);
    expect(labels.logGap[2]).toBeCloseTo(Math.log(0.5), 6);
    expect(Array.from(labels.censored)).toEqual([0, 0, 1, 1]);
  });

  it('refuses tables whose features differ from the trained ones, or bad labels, naming them', () => {
    const preprocessing = fitPreprocessing(TABLE, 3);
    expect(() => trainingWindows({ ...TABLE, featureNames: ['TotalPrice', 'MonthCos'] }, preprocessing)).toThrow(/column "MonthCos"/);
    expect(() => trainingWindows({ ...TABLE, gapDays: Float64Array.of(10, -1, 0, 40) }, preprocessing)).toThrow(InputDataError);
    expect(() => trainingWindows({ ...TABLE, gapDays: Float64Array.of(10, -1, 0, 40) }, preprocessing)).toThrow(/line 1, column "gapDays"/);
  });

  it('round-trips through JSON and refuses an unknown format', () => {
    const preprocessing = fitPreprocessing(TABLE, 3);
    expect(parsePreprocessing(JSON.parse(JSON.stringify(preprocessing)), 'p.json')).toEqual(preprocessing);
    expect(() => parsePreprocessing({ ...preprocessing, formatVersion: 2 }, 'p.json')).toThrow(/p.json: unsupported formatVersion 2/);
    expect(() => parsePreprocessing({ ...preprocessing, features: [{ name: 'x', log1p: false, mean: 0, std: 0 }] }, 'p.json')).toThrow(/positive std/);
  });
});
