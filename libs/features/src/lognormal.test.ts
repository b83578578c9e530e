import { DEFAULT_RETURN_HORIZON_DAYS, HORIZON_DAYS } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { lognormalConditional, lognormalConditionalWithin, survivalOfLognormal, normalSurvival, normalUpperQuantile } from './lognormal';

describe('normal tail functions', () => {
  it('match known values', () => {
    expect(normalSurvival(0)).toBeCloseTo(0.5, 7);
    expect(normalSurvival(1.959963985)).toBeCloseTo(0.025, 7);
    expect(normalSurvival(-1)).toBeCloseTo(0.841344746, 7);
    expect(normalSurvival(8) / 6.22096057427e-16).toBeCloseTo(1, 5);
  });
  it('invert each other, deep into the tail', () => {
    for (const q of [0.5, 0.3, 0.025, 1e-3, 1e-8, 1e-15, 0.999]) {
      expect(normalSurvival(normalUpperQuantile(q)) / q).toBeCloseTo(1, 5);
    }
  });
});

describe('lognormalConditional', () => {
  it('is the plain median exp(mu) when nothing has elapsed', () => {
    const { medianGap, pWithin } = lognormalConditional(Math.log(40), 1, 0, HORIZON_DAYS);
    expect(medianGap).toBeCloseTo(40, 4);
    expect(pWithin).toBeCloseTo(1 - survivalOfLognormal(90, Math.log(40), 1), 10);
  });
  it('puts the conditional median at half the remaining survival, never before elapsed', () => {
    const mu = Math.log(30);
    const sigma = 0.8;
    for (const elapsed of [5, 30, 100, 400, 5000]) {
      const { medianGap } = lognormalConditional(mu, sigma, elapsed, HORIZON_DAYS);
      expect(medianGap).toBeGreaterThanOrEqual(elapsed);
      const ratio = survivalOfLognormal(medianGap, mu, sigma) / survivalOfLognormal(elapsed, mu, sigma);
      if (survivalOfLognormal(elapsed, mu, sigma) > 1e-300) expect(ratio).toBeCloseTo(0.5, 4);
    }
  });
  it('lowers the 90-day probability as the wait grows past the typical gap', () => {
    const mu = Math.log(30);
    const p = [30, 90, 365].map((e) => lognormalConditional(mu, 0.7, e, HORIZON_DAYS).pWithin);
    expect(p[0]!).toBeGreaterThan(p[1]!);
    expect(p[1]!).toBeGreaterThan(p[2]!);
  });
});

describe('lognormalConditionalWithin', () => {
  it('puts the median halfway through the probability of ordering within the return horizon', () => {
    const mu = Math.log(60);
    const sigma = 1.5;
    for (const elapsed of [0, 30, 200, 900]) {
      const { medianGap, pWithin } = lognormalConditionalWithin(mu, sigma, elapsed, HORIZON_DAYS, DEFAULT_RETURN_HORIZON_DAYS);
      expect(medianGap).toBeGreaterThanOrEqual(elapsed);
      expect(medianGap).toBeLessThanOrEqual(elapsed + 365);
      const sE = survivalOfLognormal(elapsed, mu, sigma);
      const sEnd = survivalOfLognormal(elapsed + 365, mu, sigma);
      expect((sE - survivalOfLognormal(medianGap, mu, sigma)) / (sE - sEnd)).toBeCloseTo(0.5, 4);
      expect(pWithin).toBe(lognormalConditional(mu, sigma, elapsed, HORIZON_DAYS).pWithin);
    }
  });
  it('is below the unrestricted conditional median when many never return', () => {
    const within = lognormalConditionalWithin(Math.log(200), 2.5, 300, HORIZON_DAYS, DEFAULT_RETURN_HORIZON_DAYS).medianGap;
    expect(within).toBeLessThan(lognormalConditional(Math.log(200), 2.5, 300, HORIZON_DAYS).medianGap);
  });
});
