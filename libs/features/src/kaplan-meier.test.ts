import { describe, expect, it } from 'vitest';
import { conditionalKaplanMeier, kaplanMeier, survivalAt } from './kaplan-meier';

describe('kaplanMeier', () => {
  it('matches the textbook example with censoring', () => {
    // durations 1,2,2+,3,4+ : S(1)=4/5, S(2)=4/5*3/4=0.6, S(3)=0.6*1/2=0.3
    const curve = kaplanMeier([1, 2, 2, 3, 4], [0, 0, 1, 0, 1]);
    expect(Array.from(curve.times)).toEqual([1, 2, 3]);
    expect(curve.survival[0]).toBeCloseTo(0.8);
    expect(curve.survival[1]).toBeCloseTo(0.6);
    expect(curve.survival[2]).toBeCloseTo(0.3);
    expect(survivalAt(curve, 0.5)).toBe(1);
    expect(survivalAt(curve, 2.5)).toBeCloseTo(0.6);
    expect(survivalAt(curve, 10)).toBeCloseTo(0.3);
  });
});

describe('conditionalKaplanMeier', () => {
  // durations 1,2,2+,3,4+ : S(1)=0.8, S(2)=0.6, S(3)=0.3, last event time 3.
  const curve = kaplanMeier([1, 2, 2, 3, 4], [0, 0, 1, 0, 1]);

  it('gives the unconditional median and horizon probability when nothing has elapsed', () => {
    const { medianGap, pWithin } = conditionalKaplanMeier(curve, 0, 2);
    expect(medianGap).toBe(3); // first t with S(t) <= 0.5
    expect(pWithin).toBeCloseTo(1 - 0.6, 12);
  });

  it('conditions on the wait so far', () => {
    // Given T > 1: S(t)/S(1) is 0.75 at 2, 0.375 at 3 -> median 3; P(T <= 2 | T > 1) = 0.25.
    const { medianGap, pWithin } = conditionalKaplanMeier(curve, 1, 1);
    expect(medianGap).toBe(3);
    expect(pWithin).toBeCloseTo(0.25, 12);
  });

  it('answers twice the last event time when the median lies beyond the curve', () => {
    // Given T > 3, S stays at 0.3: the conditional median is not on the curve.
    const { medianGap, pWithin } = conditionalKaplanMeier(curve, 3.5, 90);
    expect(medianGap).toBe(6);
    expect(pWithin).toBe(0);
    expect(conditionalKaplanMeier(curve, 10, 90).medianGap).toBe(10); // never before elapsed
  });
});
