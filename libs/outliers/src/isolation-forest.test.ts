import { describe, expect, it } from 'vitest';
import { InputDataError } from '@nextbuy/contracts';
import { createRng } from '@nextbuy/random';
import { NotFittedError, OutlierOptionsError } from './errors';
import { IsolationForest } from './isolation-forest';

/** A 2-D standard Gaussian blob of `n` points followed by `far` points at distance 8 to 12. */
function blobWithFarPoints(n: number, far: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const rows = new Float64Array((n + far) * 2);
  for (let i = 0; i < n; i++) {
    rows[2 * i] = normal();
    rows[2 * i + 1] = normal();
  }
  for (let k = 0; k < far; k++) {
    const angle = (2 * Math.PI * k) / far;
    const radius = 8 + (4 * k) / far;
    rows[2 * (n + k)] = radius * Math.cos(angle);
    rows[2 * (n + k) + 1] = radius * Math.sin(angle);
  }
  return rows;
}

describe('IsolationForest', () => {
  const N = 500;
  const FAR = 5;
  const rows = blobWithFarPoints(N, FAR, 1);

  it('flags every planted far point with few false positives', () => {
    const forest = new IsolationForest({ contamination: 0.01, seed: 3 }).fit(rows, N + FAR, 2);
    const flags = forest.predict(rows, N + FAR);
    for (let k = 0; k < FAR; k++) expect(flags[N + k]).toBe(1);
    const falsePositives = flags.subarray(0, N).reduce((a, b) => a + b, 0);
    expect(falsePositives).toBeLessThanOrEqual(2);
    const scores = forest.scoreSamples(rows, N + FAR);
    expect(Math.min(...scores.subarray(N))).toBeGreaterThan(0.6);
    const blob = scores.slice(0, N).sort();
    expect(blob[N / 2]).toBeLessThan(0.5);
    expect(Math.min(...scores.subarray(N))).toBeGreaterThan(blob[N - 3]!);
  });

  it('gives identical scores for a seed and different ones for another', () => {
    const score = (seed: number) => new IsolationForest({ seed }).fit(rows, N + FAR, 2).scoreSamples(rows, N + FAR);
    expect(score(7)).toEqual(score(7));
    expect(score(8)).not.toEqual(score(7));
  });

  it('matches the paper on a case worked by hand', () => {
    // Rows (5, 0) x3 and (5, 1), psi = 4: column 0 is constant, so every tree splits column 1
    // once at t in (0, 1) into {0, 0, 0}, a constant leaf at depth 1, and {1}, a leaf at depth 1.
    // h(0) = 1 + c(3) = 1 + 2(ln 2 + gamma) - 4/3 = 2.2073923575896233, h(1) = 1 + c(1) = 1,
    // c(4) = 2(ln 3 + gamma) - 3/2 = 1.8516559071392855.
    const data = Float64Array.from([5, 0, 5, 0, 5, 0, 5, 1]);
    const forest = new IsolationForest({ max_samples: 4, n_estimators: 10, contamination: 0.25, seed: 1 }).fit(data, 4, 2);
    const lengths = forest.meanPathLengths(data, 4);
    expect(lengths[0]).toBeCloseTo(2.2073923575896233, 12);
    expect(lengths[3]).toBeCloseTo(1, 12);
    const scores = forest.scoreSamples(data, 4);
    expect(scores[0]).toBeCloseTo(2 ** (-2.2073923575896233 / 1.8516559071392855), 12); // 0.43766
    expect(scores[3]).toBeCloseTo(0.6877436677788327, 12);
    // The threshold is the 75th percentile of the training scores, interpolated as numpy does:
    // s0 + 0.25 (s1 - s0).
    expect(forest.threshold).toBeCloseTo(0.5001808143169577, 12);
    expect([...forest.predict(data, 4)]).toEqual([0, 0, 0, 1]);
    // A point beyond the data still reaches an external node: the same leaf as (5, 1).
    expect(forest.meanPathLengths(Float64Array.from([-3, 9]), 1)[0]).toBeCloseTo(1, 12);
  });

  it("flags scores above 0.5 with contamination 'auto', and no one when all rows are alike", () => {
    const forest = new IsolationForest({ seed: 2 }).fit(rows, N + FAR, 2);
    expect(forest.threshold).toBe(0.5);
    const same = new Float64Array(40).fill(3);
    const flat = new IsolationForest({ contamination: 0.1 }).fit(same, 20, 2);
    expect([...flat.scoreSamples(same, 20)].every((score) => Math.abs(score - 0.5) < 1e-12)).toBe(true);
    expect(flat.predict(same, 20).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('subsamples max_samples rows per tree', () => {
    expect(new IsolationForest().fit(rows, N + FAR, 2).maxSamples).toBe(256);
    expect(new IsolationForest().fit(rows.subarray(0, 200), 100, 2).maxSamples).toBe(100);
    expect(new IsolationForest({ max_samples: 0.5 }).fit(rows, N + FAR, 2).maxSamples).toBe(252);
    expect(new IsolationForest({ max_samples: 1 }).fit(rows, N + FAR, 2).maxSamples).toBe(N + FAR);
    expect(new IsolationForest({ max_samples: 64 }).fit(rows, N + FAR, 2).maxSamples).toBe(64);
    expect(new IsolationForest({ max_samples: 5000 }).fit(rows, N + FAR, 2).maxSamples).toBe(N + FAR);
  });

  it('rejects bad options and bad data with named errors', () => {
    expect(() => new IsolationForest({ contamination: 0.7 })).toThrow(OutlierOptionsError);
    expect(() => new IsolationForest({ contamination: 0 })).toThrow(/contamination must be 'auto' or in \(0, 0.5\], got 0/);
    expect(() => new IsolationForest({ n_estimators: 0 })).toThrow(/n_estimators must be a positive integer/);
    expect(() => new IsolationForest({ max_samples: 2.5 })).toThrow(/max_samples must be/);
    expect(() => new IsolationForest({ seed: 0.5 })).toThrow(/seed must be an integer/);
    expect(() => new IsolationForest().scoreSamples(rows, N + FAR)).toThrow(NotFittedError);
    expect(() => new IsolationForest().fit(rows, N, 2)).toThrow(InputDataError);
    expect(() => new IsolationForest().fit(Float64Array.from([1, 2, 3, NaN]), 2, 2)).toThrow(/row 1 has NaN in column 1/);
    expect(() => new IsolationForest().fit(Float64Array.from([1, 2]), 1, 2)).toThrow(/at least 2 rows/);
    const forest = new IsolationForest().fit(rows, N + FAR, 2);
    expect(() => forest.scoreSamples(Float64Array.from([1, 2, 3]), 1)).toThrow(/3 values are not 1 rows of 2 columns/);
  });
});
