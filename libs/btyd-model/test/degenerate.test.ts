import { InputDataError } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { bgcnbdMedianWaitWithin, bgcnbdPAlive, bgcnbdPOrderWithin, fitBgCnbd } from '../src/bgcnbd';
import { bgnbdExpectedOrders, bgnbdMedianWaitWithin, bgnbdPAlive, bgnbdPOrderWithin, fitBgNbd } from '../src/bgnbd';
import { fitParetoNbd, paretoNbdMedianWaitWithin, paretoNbdPAlive, paretoNbdPOrderWithin } from '../src/pareto-nbd';
import type { CustomerSummaries } from '../src/summary';

function summaries(rows: Array<[x: number, tx: number, T: number]>): CustomerSummaries {
  return {
    x: Float64Array.from(rows, (r) => r[0]),
    tx: Float64Array.from(rows, (r) => r[1]),
    T: Float64Array.from(rows, (r) => r[2]),
    weight: new Float64Array(rows.length).fill(1),
  };
}

/** Every quantity either model gives for the customers of `s`, which must all be finite. */
function everyQuantity(s: CustomerSummaries): number[] {
  const bg = fitBgNbd(s).params;
  const pn = fitParetoNbd(s).params;
  // Every gap of every customer a day long (log 1 = 0), the most regular data can look; and ten days.
  const cnbd = [fitBgCnbd(s, 0).params, fitBgCnbd(s, Array.from(s.x).reduce((sum, x) => sum + x * Math.log(10), 0)).params];
  const out: number[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const [x, tx, T] = [s.x[i]!, s.tx[i]!, s.T[i]!];
    out.push(bgnbdPAlive(bg, x, tx, T), bgnbdPOrderWithin(bg, x, tx, T, 90), bgnbdMedianWaitWithin(bg, x, T, 365), bgnbdExpectedOrders(bg, x, tx, T, 365));
    out.push(paretoNbdPAlive(pn, x, tx, T), paretoNbdPOrderWithin(pn, x, tx, T, 90), paretoNbdMedianWaitWithin(pn, x, T, 365));
    for (const c of cnbd) out.push(c.k, bgcnbdPAlive(c, x, tx, T), bgcnbdPOrderWithin(c, x, tx, T, 90), bgcnbdMedianWaitWithin(c, x, tx, T, 365));
  }
  return out;
}

describe('BTYD fits on degenerate data', () => {
  it('refuses data without any repeat order, saying why', () => {
    const none = summaries([[0, 0, 100], [0, 0, 50], [0, 0, 10]]);
    expect(() => fitBgNbd(none)).toThrow(InputDataError);
    expect(() => fitBgNbd(none)).toThrow(/no customer has a repeat order/);
    expect(() => fitParetoNbd(none)).toThrow(/Pareto\/NBD cannot tell how often customers buy/);
    expect(() => fitBgCnbd(none, 0)).toThrow(/BG\/CNBD-k cannot tell how often customers buy/);
  });

  it('names the customer and field of an impossible summary', () => {
    expect(() => fitBgNbd(summaries([[2, 50, 40]]))).toThrow(/line 0, column "T": T = 40 is before the last order/);
    expect(() => fitBgNbd(summaries([[1.5, 5, 40]]))).toThrow(/column "x"/);
  });

  it('fits a single customer, a customer with hundreds of orders, and orders all on one day, with finite answers (documented: parameters may sit at their bounds)', () => {
    const cases = [
      summaries([[3, 60, 100]]),
      summaries([[400, 700, 730], [1, 10, 700], [0, 0, 300], [2, 100, 400]]),
      // Every customer's orders on one day are one order: x = 0, tx = 0; one other customer repeats.
      summaries([[0, 0, 30], [0, 0, 30], [0, 0, 30], [1, 1, 30]]),
    ];
    for (const s of cases) {
      for (const value of everyQuantity(s)) expect(Number.isFinite(value)).toBe(true);
    }
  });
});
