import { describe, expect, it } from 'vitest';
import { kaplanMeier, survivalAt } from './kaplan-meier';

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
