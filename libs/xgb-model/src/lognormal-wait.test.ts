import { survivalOfLognormal, normalSurvival } from '@nextbuy/features';
import { describe, expect, it } from 'vitest';
import { normal, seededRandom } from '../test/synthetic';
import { fitWaitScale, logStandardNormalSurvival, medianWaitWithin, waitLocation, waitLogLikelihood } from './lognormal-wait';

describe('the log-normal wait pinned to a 90-day probability', () => {
  it('has exactly that probability of a wait under 90 days', () => {
    for (const sigma of [0.5, 2, 4]) {
      for (const p of [1e-9, 0.01, 0.3, 0.5, 0.9, 0.999]) {
        const mu = waitLocation(p, sigma, 90);
        expect(1 - survivalOfLognormal(90, mu, sigma)).toBeCloseTo(p, 6);
      }
    }
    expect(waitLocation(0.5, 2, 90)).toBeCloseTo(Math.log(90), 6);
  });

  it('gives the median wait among those who order within the return horizon, never beyond it', () => {
    const horizon = 365;
    for (const [mu, sigma] of [[3, 1], [6, 2.2], [9, 2.2], [5.5, 0.3]] as const) {
      const median = medianWaitWithin(mu, sigma, horizon);
      const within = 1 - survivalOfLognormal(horizon, mu, sigma);
      expect(1 - survivalOfLognormal(median, mu, sigma)).toBeCloseTo(within / 2, 8);
      expect(median).toBeLessThanOrEqual(horizon);
    }
    // Nearly everyone orders within the horizon: the plain median, exp(mu).
    expect(medianWaitWithin(Math.log(20), 0.5, horizon)).toBeCloseTo(20, 6);
    // A return within the horizon as good as impossible: it would come at the very end.
    expect(medianWaitWithin(500, 1, horizon)).toBe(horizon);
    // The less likely an order within 90 days, the later the median among those who return.
    const medians = [0.9, 0.5, 0.1, 0.01].map((p) => medianWaitWithin(waitLocation(p, 2.2, 90), 2.2, horizon));
    expect([...medians].sort((a, b) => a - b)).toEqual(medians);
  });

  it('takes log P(Z > z) past the point where P underflows, continuously', () => {
    for (const z of [-3, 0, 2, 10, 29.99]) expect(logStandardNormalSurvival(z)).toBeCloseTo(Math.log(normalSurvival(z)), 6);
    expect(logStandardNormalSurvival(30) - logStandardNormalSurvival(30 - 1e-9)).toBeCloseTo(0, 6);
    expect(normalSurvival(40)).toBe(0);
    expect(Number.isFinite(logStandardNormalSurvival(40))).toBe(true);
  });
});

describe('fitWaitScale', () => {
  /** Waits log-normal around the location a classifier's p pins, censored at `bound` (p <= 0.5: few waits under the half-day floor). */
  function sample(seed: number, sigma: number, n: number, bound: number) {
    const random = seededRandom(seed);
    const probability = new Float64Array(n);
    const waitDays = new Float64Array(n);
    const censored = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      probability[i] = 0.02 + 0.48 * random();
      const wait = Math.exp(waitLocation(probability[i]!, sigma, 90) + sigma * normal(random));
      censored[i] = wait > bound ? 1 : 0;
      waitDays[i] = Math.max(0.5, Math.min(wait, bound));
    }
    return { probability, waitDays, censored };
  }

  it('recovers the scale of censored waits by maximum likelihood', () => {
    for (const sigma of [0.7, 2.2]) {
      const data = sample(3, sigma, 20_000, 200);
      expect(data.censored.reduce((a, b) => a + b, 0)).toBeGreaterThan(2_000);
      const fitted = fitWaitScale(data, 90);
      expect(Math.abs(fitted / sigma - 1)).toBeLessThan(0.03);
      expect(waitLogLikelihood(data, fitted, 90)).toBeGreaterThan(waitLogLikelihood(data, fitted * 1.1, 90));
      expect(waitLogLikelihood(data, fitted, 90)).toBeGreaterThan(waitLogLikelihood(data, fitted / 1.1, 90));
    }
    expect(() => fitWaitScale({ probability: [], waitDays: [], censored: [] }, 90)).toThrow(RangeError);
  });
});
