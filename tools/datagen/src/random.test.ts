import { describe, expect, it } from 'vitest';
import { createRng } from './random';

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
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });
});
