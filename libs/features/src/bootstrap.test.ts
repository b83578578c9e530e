import { describe, expect, it } from 'vitest';
import { percentileInterval } from './bootstrap';

describe('percentileInterval', () => {
  it('takes the k-th smallest and k-th largest of the draws, k = round(draws x tail), at least the extremes', () => {
    const draws = Array.from({ length: 200 }, (_, i) => 199 - i); // 0..199, unsorted
    expect(percentileInterval(draws, 0.95)).toEqual({ low: 4, high: 195 });
    expect(percentileInterval(draws, 0.68)).toEqual({ low: 31, high: 168 });
    expect(percentileInterval([3, 1, 2], 0.95)).toEqual({ low: 1, high: 3 });
  });

  it('has NaN ends without draws', () => {
    expect(percentileInterval([], 0.95)).toEqual({ low: NaN, high: NaN });
  });
});
