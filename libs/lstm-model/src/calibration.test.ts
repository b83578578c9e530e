import { describe, expect, it } from 'vitest';
import { applyCalibration, fitCalibration } from './calibration';
import { createRng } from '@nextbuy/random';

// Population gaps: exponential with mean 60 days, none censored.
function population(rng: () => number, n = 5000) {
  return { gapDays: Float64Array.from({ length: n }, () => -60 * Math.log(1 - rng())), censored: new Uint8Array(n) };
}

describe('90-day probability calibration', () => {
  it('keeps calibrated probabilities nearly as they are', () => {
    const rng = createRng(1);
    const n = 20_000;
    const p = Float64Array.from({ length: n }, () => 0.05 + 0.9 * rng());
    const elapsed = Float64Array.from({ length: n }, () => Math.floor(rng() * 360));
    const ordered = Uint8Array.from(p, (q) => (rng() < q ? 1 : 0));
    const c = fitCalibration(p, elapsed, ordered, population(rng), 90);
    expect(c.coefficients[1]).toBeCloseTo(1, 1);
    const calibrated = applyCalibration(c, p, elapsed, 90);
    const gap = Array.from(calibrated, (q, i) => Math.abs(q - p[i]!));
    expect(gap.reduce((a, b) => a + b, 0) / n).toBeLessThan(0.02);
  });

  it('learns that long silences lower the chance the network gives, and lowers the Brier score', () => {
    const rng = createRng(2);
    const n = 20_000;
    const p = Float64Array.from({ length: n }, () => 0.1 + 0.8 * rng());
    const elapsed = Float64Array.from({ length: n }, () => Math.floor(rng() * 360));
    const truth = Float64Array.from(p, (q, i) => q * Math.exp(-elapsed[i]! / 120));
    const ordered = Uint8Array.from(truth, (q) => (rng() < q ? 1 : 0));
    const c = fitCalibration(p, elapsed, ordered, population(rng), 90);
    const calibrated = applyCalibration(c, p, elapsed, 90);
    const brier = (q: ArrayLike<number>) => Array.from(ordered, (y, i) => (q[i]! - y) ** 2).reduce((a, b) => a + b, 0) / n;
    expect(brier(calibrated)).toBeLessThan(brier(p) - 0.01);
    expect(applyCalibration(c, [0.5], [300], 90)[0]).toBeLessThan(applyCalibration(c, [0.5], [0], 90)[0]!);
  });

  it("learns that the network's probability says less after a long silence (the interaction term)", () => {
    const rng = createRng(3);
    const n = 20_000;
    const p = Float64Array.from({ length: n }, () => 0.05 + 0.9 * rng());
    const elapsed = Float64Array.from({ length: n }, () => Math.floor(rng() * 360));
    // The truth follows p at elapsed 0 and forgets it by elapsed ~360.
    const truth = Float64Array.from(p, (q, i) => 0.3 + (q - 0.3) * Math.exp(-elapsed[i]! / 120));
    const ordered = Uint8Array.from(truth, (q) => (rng() < q ? 1 : 0));
    const c = fitCalibration(p, elapsed, ordered, population(rng), 90);
    expect(c.coefficients).toHaveLength(5);
    expect(c.coefficients[4]).toBeLessThan(-0.1);
    const [early, late] = [0, 330].map((e) => applyCalibration(c, [0.05, 0.95], [e, e], 90));
    expect(late![1]! - late![0]!).toBeLessThan((early![1]! - early![0]!) / 2);
  });

  it('applies a calibration fitted before the interaction term (4 coefficients) as it was fitted', () => {
    const population = { times: [0, 30, 60, 90, 120], survival: [1, 0.8, 0.6, 0.5, 0.4] };
    const legacy = { coefficients: [0.1, 0.9, -0.05, 0.3], population, bounds: [[-10, 10], [0, 6], [-10, 10]] as Array<[number, number]> };
    const [q] = applyCalibration(legacy, [0.4], [30], 90);
    const km = (0.8 - 0.4) / 0.8;
    const logit = (x: number) => Math.log(x / (1 - x));
    const z = 0.1 + 0.9 * logit(0.4) - 0.05 * Math.log1p(30) + 0.3 * logit(km);
    expect(q).toBeCloseTo(1 / (1 + Math.exp(-z)), 6);
  });
});
