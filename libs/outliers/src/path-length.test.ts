import { describe, expect, it } from 'vitest';
import { anomalyScore, averagePathLength } from './path-length';

describe('Isolation Forest normalisation', () => {
  it('matches c(n) of the original paper', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(256) = 2 H(255) - 2*255/256, with H(i) ~ ln(i) + gamma
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });
  it('scores a path as long as c(n) at exactly 0.5', () => {
    expect(anomalyScore(averagePathLength(256), 256)).toBeCloseTo(0.5, 12);
    expect(anomalyScore(1, 256)).toBeGreaterThan(0.9);
  });
});
