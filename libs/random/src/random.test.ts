import { describe, expect, it } from 'vitest';
import {
  createRng,
  cumulativeWeights,
  deriveSeed,
  sampleBeta,
  sampleCumulative,
  sampleExponential,
  sampleGamma,
  sampleGeometric,
  sampleNormal,
  samplePoisson,
  shuffle,
} from './random';

describe('createRng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    const c = createRng(8);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
  });
  it('is uniform on [0, 1)', () => {
    const rng = createRng(1);
    const draws = Array.from({ length: 100_000 }, () => rng());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(0.5, 2);
  });
});

describe('deriveSeed', () => {
  it('gives distinct, repeatable sub-stream seeds', () => {
    const seeds = Array.from({ length: 1_000 }, (_, stream) => deriveSeed(42, stream));
    expect(new Set(seeds).size).toBe(1_000);
    expect(deriveSeed(42, 7)).toBe(seeds[7]);
    expect(deriveSeed(43, 7)).not.toBe(seeds[7]);
  });
});

describe('distributions', () => {
  const N = 40_000;
  const moments = (draw: () => number) => {
    const values = Array.from({ length: N }, draw);
    const mean = values.reduce((a, b) => a + b, 0) / N;
    return { mean, variance: values.reduce((a, b) => a + (b - mean) ** 2, 0) / N, min: Math.min(...values) };
  };

  it('draws gamma, beta, poisson, exponential, geometric and normal with the right moments', () => {
    const rng = createRng(9);
    const check = (draw: () => number, mean: number, variance: number) => {
      const m = moments(draw);
      expect(m.mean).toBeCloseTo(mean, 1);
      expect(Math.abs(m.variance - variance) / variance).toBeLessThan(0.06);
    };
    check(() => sampleGamma(rng, 2.5, 2), 5, 10);
    check(() => sampleGamma(rng, 0.5, 1), 0.5, 0.5);
    check(() => sampleBeta(rng, 1.5, 8), 1.5 / 9.5, (1.5 * 8) / (9.5 * 9.5 * 10.5));
    check(() => samplePoisson(rng, 4), 4, 4);
    check(() => samplePoisson(rng, 50), 50, 50);
    check(() => sampleExponential(rng), 1, 1);
    check(() => sampleGeometric(rng, 0.6), 0.4 / 0.6, 0.4 / 0.36);
    check(() => sampleNormal(rng), 0, 1);
    expect(moments(() => sampleGamma(rng, 0.3, 1)).min).toBeGreaterThanOrEqual(0);
  });

  it('samples indices in proportion to their weights', () => {
    const rng = createRng(3);
    const cumulative = cumulativeWeights([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < N; i++) counts[sampleCumulative(rng, cumulative)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / N).toBeCloseTo(0.75, 1);
  });

  it('shuffles into a permutation that the seed repeats', () => {
    const a = shuffle(Int32Array.from({ length: 50 }, (_, i) => i), createRng(9));
    const b = shuffle(Int32Array.from({ length: 50 }, (_, i) => i), createRng(9));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
