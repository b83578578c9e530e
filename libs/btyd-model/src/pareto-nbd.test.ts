import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParetoNbdParams, paretoNbdPAlive, paretoNbdScore, paretoNbdScoreMany } from './pareto-nbd';

// Published CDNOW fit (weeks) converted to days: alpha and beta scale with time.
const CDNOW_DAYS: ParetoNbdParams = { r: 0.5534, alpha: 10.5802 * 7, s: 0.6061, beta: 11.6562 * 7 };

describe('paretoNbdScoreMany', () => {
  it('gives every customer exactly what the one-customer functions give, with repeated, fractional and huge summaries', () => {
    const customer = fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 700 }), fc.boolean(), fc.boolean())
      .map(([x, a, b, fractional, huge]) => {
        const T = Math.max(a, b) + (fractional ? 0.25 : 0) + (huge ? 70_000 : 0);
        return { x: huge ? x + 20_000 : x, tx: x === 0 ? 0 : Math.min(a, b), T };
      });
    fc.assert(
      fc.property(fc.array(customer, { minLength: 1, maxLength: 60 }), fc.boolean(), (drawn, twice) => {
        const customers = twice ? [...drawn, ...drawn] : drawn;
        const x = customers.map((c) => c.x);
        const tx = customers.map((c) => c.tx);
        const T = customers.map((c) => c.T);
        const many = paretoNbdScoreMany(CDNOW_DAYS, x, tx, T, 90, 365);
        customers.forEach((c, i) => {
          const one = paretoNbdScore(CDNOW_DAYS, c.x, c.tx, c.T, 90, 365);
          expect(many.pAlive[i]).toBe(paretoNbdPAlive(CDNOW_DAYS, c.x, c.tx, c.T));
          expect(many.pOrderWithin[i]).toBe(one.pOrderWithin);
          expect(many.medianWait[i]).toBe(one.medianWait);
        });
      }),
      { seed: 13, numRuns: 60 },
    );
  });

  it('returns empty columns for no customers', () => {
    const none = paretoNbdScoreMany(CDNOW_DAYS, [], [], [], 90, 365);
    expect([none.pAlive.length, none.pOrderWithin.length, none.medianWait.length]).toEqual([0, 0, 0]);
  });
});
