import { describe, expect, it } from 'vitest';
import type { OrderTable } from '@nextbuy/contracts';
import { rollingCutoffDays } from './rolling-origin';

/** One order a day for `days` days, one customer per order. */
function dailyOrders(days: number): OrderTable {
  const n = days;
  return {
    nRows: n,
    customerIds: Array.from({ length: n }, (_, i) => `c${String(i).padStart(5, '0')}`),
    day: Int32Array.from({ length: n }, (_, i) => 18_000 + i),
    totalPrice: new Float64Array(n).fill(10),
    quantity: new Float64Array(n).fill(1),
    lines: new Int32Array(n).fill(1),
    invoices: new Int32Array(n).fill(1),
  };
}

describe('rolling-origin cutoffs', () => {
  it('sit at the 60th, 70th and 80th percentiles of order days when the data allows', () => {
    expect(rollingCutoffDays(dailyOrders(1_001), 3)).toEqual([18_600, 18_700, 18_800]);
  });

  it('leave 90 days after the last and stay 14 days apart on a short history', () => {
    const cutoffs = rollingCutoffDays(dailyOrders(200), 3);
    expect(cutoffs.at(-1)).toBe(18_000 + 199 - 90);
    expect(cutoffs[1]! - cutoffs[0]!).toBeGreaterThanOrEqual(14);
    expect(cutoffs[2]! - cutoffs[1]!).toBeGreaterThanOrEqual(14);
  });

  it('refuse a history too short for them', () => {
    expect(() => rollingCutoffDays(dailyOrders(110), 3)).toThrow(/too short for 3 cutoffs/);
    expect(() => rollingCutoffDays(dailyOrders(500), 0)).toThrow(/cutoffs must be a whole number/);
  });
});
