import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc, brier, concordanceIndex, maeDays } from './metrics';

/** Harrell's C by visiting every pair, with lifelines' rules (its `naive_concordance_index`). */
function bruteForceConcordance(predicted: number[], times: number[], observed: number[]): number | null {
  let pairs = 0;
  let score = 0;
  for (let a = 0; a < times.length; a++) {
    for (let b = a + 1; b < times.length; b++) {
      // Order the pair so `i` is the one that left first (an event before a censoring on ties).
      const [i, j] = times[a]! < times[b]! || (times[a] === times[b] && observed[a]! > observed[b]!) ? [a, b] : [b, a];
      const comparable = times[i]! < times[j]! ? observed[i] === 1 : observed[i] === 1 && observed[j] === 0;
      if (!comparable) continue;
      pairs++;
      if (predicted[i] === predicted[j]) score += 0.5;
      else if (predicted[i]! < predicted[j]!) score += 1;
    }
  }
  return pairs > 0 ? score / pairs : null;
}

/** AUC as the share of (positive, negative) pairs ranked right, ties one half. */
function bruteForceAuc(scores: number[], labels: number[]): number | null {
  let pairs = 0;
  let score = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]) continue;
      pairs++;
      score += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return pairs > 0 ? score / pairs : null;
}

describe('maeDays', () => {
  it('averages over returned customers only', () => {
    expect(maeDays([10, 20, 500], [12, 15, 30], [1, 1, 0])).toBe(3.5);
    expect(maeDays([10], [12], [0])).toBeNull();
  });
});

describe('concordanceIndex', () => {
  it('matches a hand count with censoring and a tied prediction', () => {
    // Comparable pairs (earlier event first): (0,1) (0,2) (0,3) (0,4) (1,2: censored at the same time)
    // (1,3) (1,4) (3,4) = 8. Concordant: the four of 0, (1,4), (3,4); (1,2) tied; (1,3) discordant.
    expect(concordanceIndex([1, 3, 3, 2, 5], [1, 2, 2, 3, 4], [1, 1, 0, 1, 0])).toBeCloseTo(6.5 / 8, 12);
  });
  it('does not compare two events at the same time, nor two censored customers', () => {
    expect(concordanceIndex([1, 2], [5, 5], [1, 1])).toBeNull();
    expect(concordanceIndex([1, 2], [3, 5], [0, 0])).toBeNull();
    expect(concordanceIndex([2, 1], [3, 5], [1, 0])).toBe(0);
  });
  it('agrees with the O(n^2) pair count on random data full of ties', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 1 }));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 60 }), (rows) => {
        const predicted = rows.map((r) => r[0]);
        const times = rows.map((r) => r[1]);
        const observed = rows.map((r) => r[2]);
        const fast = concordanceIndex(predicted, times, observed);
        const slow = bruteForceConcordance(predicted, times, observed);
        if (slow === null) expect(fast).toBeNull();
        else expect(fast).toBeCloseTo(slow, 12);
      }),
      { numRuns: 500 },
    );
  });
  it('refuses a non-finite prediction', () => {
    expect(() => concordanceIndex([1, Infinity], [1, 2], [1, 1])).toThrow(/predicted\[1\]/);
  });
});

describe('auc', () => {
  it('matches a hand count', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(auc([0.2, 0.3], [1, 1])).toBeNull();
  });
  it('agrees with the O(n^2) pair count on random data full of ties', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 }));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 60 }), (rows) => {
        const scores = rows.map((r) => r[0] / 5);
        const labels = rows.map((r) => r[1]);
        const fast = auc(scores, labels);
        const slow = bruteForceAuc(scores, labels);
        if (slow === null) expect(fast).toBeNull();
        else expect(fast).toBeCloseTo(slow, 12);
      }),
      { numRuns: 500 },
    );
  });
});

describe('brier', () => {
  it('is the mean squared error of the probabilities', () => {
    expect(brier([0.9, 0.2, 0.5], [1, 0, 0])).toBeCloseTo((0.01 + 0.04 + 0.25) / 3, 12);
    expect(brier([], [])).toBeNull();
    expect(() => brier([NaN], [1])).toThrow(/probabilities\[0\] is NaN/);
  });
});
