import { describe, expect, it } from 'vitest';
import { auc, yearPhase } from '@nextbuy/features';
import { applyCalibration, fitCalibration, landmarkSpanDays } from './calibration';
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

  it('learns the season of the question from the day of each landmark, and needs that day to apply it', () => {
    // Customers order within 90 days far more often in the 90 days after a landmark in October than in April; the network's p says nothing of it.
    const rng = createRng(11);
    const n = 6000;
    const p = new Float64Array(n).fill(0.4);
    const elapsed = Float64Array.from({ length: n }, () => Math.floor(rng() * 120));
    const days = Float64Array.from({ length: n }, () => 18_000 + Math.floor(rng() * 730));
    const autumn = (day: number) => Math.cos(yearPhase(day) - yearPhase(18_000 + 290)) > 0;
    const ordered = Uint8Array.from(days, (day) => (rng() < (autumn(day) ? 0.7 : 0.2) ? 1 : 0));
    const gaps = population(rng);
    const seasonal = fitCalibration(p, elapsed, ordered, gaps, 90, undefined, days);
    expect(seasonal.coefficients).toHaveLength(7);
    const plain = fitCalibration(p, elapsed, ordered, gaps, 90);
    expect(plain.coefficients).toHaveLength(5);
    const calibrated = applyCalibration(seasonal, p, elapsed, 90, days);
    expect(auc(calibrated, ordered)!).toBeGreaterThan(0.7);
    expect(auc(applyCalibration(plain, p, elapsed, 90), ordered)!).toBeLessThan(0.6);
    // The same customer asked in October and in April.
    const [october, april] = applyCalibration(seasonal, [0.4, 0.4], [30, 30], 90, [18_000 + 290, 18_000 + 110]);
    expect(october! - april!).toBeGreaterThan(0.3);
    expect(() => applyCalibration(seasonal, [0.4], [30], 90)).toThrow(/needs the day of each question/);
    expect(() => fitCalibration(p, elapsed, ordered, gaps, 90, undefined, [1, 2])).toThrow(/2 days for 6000 landmark outcomes/);
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

  it('converges on a busy base where the network calls everyone certain (a full Newton step overshot to an answer of 1 for all)', () => {
    // Active customers order every ~10 days; the longer the silence, the likelier the customer
    // has quietly stopped. The log-normal's tail calls every one of them all but certain to
    // order within 90 days (p = 0.99 to 0.999999), as the network did on bench:quality's busy bases.
    const rng = createRng(5);
    const n = 20_000;
    const days = [1, 2, 3, 5, 8, 12, 18, 27, 41, 62];
    const elapsed = Float64Array.from({ length: n }, () => days[Math.floor(rng() * days.length)]!);
    const ordered = Uint8Array.from(elapsed, (e) => (rng() < e / 80 ? 0 : rng() < 0.97 ? 1 : 0));
    const p = Float64Array.from({ length: n }, () => 1 - 10 ** (-2 - 4 * rng()));
    const gaps = { gapDays: Float64Array.from({ length: 5000 }, () => -10 * Math.log(1 - rng())), censored: new Uint8Array(5000) };
    const c = fitCalibration(p, elapsed, ordered, gaps, 90);
    // Unguarded, the coefficients ran out to 1e4-1e5 and every calibrated answer was 1 (AUC 0.5).
    c.coefficients.forEach((b) => expect(Math.abs(b)).toBeLessThan(20));
    const calibrated = applyCalibration(c, p, elapsed, 90);
    expect(auc(calibrated, ordered)).toBeGreaterThan(0.8);
    const [soon, late] = applyCalibration(c, [0.999, 0.999], [2, 60], 90);
    expect(soon).toBeGreaterThan(0.9);
    expect(late).toBeLessThan(0.5);
  });

  it('weights rows: equal weights change nothing, and heavier rows pull the fit toward their own outcomes', () => {
    const rng = createRng(6);
    const n = 20_000;
    const p = Float64Array.from({ length: n }, () => 0.05 + 0.9 * rng());
    const elapsed = Float64Array.from({ length: n }, () => Math.floor(rng() * 360));
    // Even rows order as p says, odd rows as 1 - p: the same inputs, opposite outcomes.
    const ordered = Uint8Array.from(p, (q, i) => (rng() < (i % 2 === 0 ? q : 1 - q) ? 1 : 0));
    const gaps = population(rng);
    const plain = fitCalibration(p, elapsed, ordered, gaps, 90);
    expect(fitCalibration(p, elapsed, ordered, gaps, 90, new Float64Array(n).fill(7)).coefficients).toEqual(plain.coefficients.map((b) => expect.closeTo(b, 9)));
    const heavy = (even: number) => fitCalibration(p, elapsed, ordered, gaps, 90, Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? even : 1 - even)));
    // The slope on logit(p) follows the rows that weigh: +1 for the even rows, -1 for the odd ones, near 0 for both alike.
    expect(Math.abs(plain.coefficients[1]!)).toBeLessThan(0.2);
    expect(heavy(0.99).coefficients[1]).toBeGreaterThan(0.7);
    expect(heavy(0.01).coefficients[1]).toBeLessThan(-0.7);
  });

  it('refuses weights that do not fit the rows, naming the fault', () => {
    const gaps = population(createRng(7), 100);
    const p = [0.2, 0.8, 0.5];
    const elapsed = [1, 2, 3];
    const ordered = [0, 1, 1];
    expect(() => fitCalibration(p, elapsed, ordered, gaps, 90, [1, 1])).toThrow(/2 weights for 3 landmark outcomes/);
    expect(() => fitCalibration(p, elapsed, ordered, gaps, 90, [1, -1, 1])).toThrow(/weight 1 is -1/);
    expect(() => fitCalibration(p, elapsed, ordered, gaps, 90, [0, 0, 0])).toThrow(/sum to 0/);
  });
});

describe('landmarkSpanDays', () => {
  it('gives each landmark the days nearer to it than to its neighbours, the ends as far out as toward their neighbour', () => {
    expect(landmarkSpanDays([1, 2, 3, 5, 8])).toEqual([1, 1, 1.5, 2.5, 3]);
    expect(landmarkSpanDays([0, 30, 60])).toEqual([30, 30, 30]);
    expect(landmarkSpanDays([7])).toEqual([1]);
  });
});
