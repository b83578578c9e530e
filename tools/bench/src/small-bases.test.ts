import { describe, expect, it } from 'vitest';
import type { OrderTable } from '@nextbuy/contracts';
import { evenlySpacedCustomers } from './small-bases';

/** Customer i (of `customers`) first buys on day 100 + i, then twice more a week apart; rows grouped by customer. */
function orders(customers: number): OrderTable {
  const ids: string[] = [];
  const days: number[] = [];
  // Ids in reverse of the order they first bought, so that first purchase, not the id, orders them.
  for (let i = 0; i < customers; i++) {
    for (const k of [0, 7, 14]) {
      ids.push(`c${String(customers - i).padStart(4, '0')}`);
      days.push(100 + i + k);
    }
  }
  const n = ids.length;
  return { nRows: n, customerIds: ids, day: Int32Array.from(days), totalPrice: new Float64Array(n).fill(10), quantity: new Float64Array(n).fill(1), lines: new Int32Array(n).fill(1), invoices: new Int32Array(n).fill(1) };
}

describe('evenlySpacedCustomers', () => {
  it('keeps every (n / count)-th customer by first purchase, with all of their orders', () => {
    const small = evenlySpacedCustomers(orders(100), 10);
    const kept = [...new Set(small.customerIds)];
    expect(kept).toHaveLength(10);
    // The 1st, 11th, 21st, ... to buy: first days 100, 110, 120, ...
    const firstDays = kept.map((id) => small.day[small.customerIds.indexOf(id)]!);
    expect(firstDays).toEqual(Array.from({ length: 10 }, (_, i) => 100 + 10 * i));
    expect(small.nRows).toBe(30);
  });

  it('keeps count customers when n is not a multiple of it, and refuses more than there are', () => {
    expect(new Set(evenlySpacedCustomers(orders(105), 10).customerIds).size).toBe(10);
    expect(new Set(evenlySpacedCustomers(orders(7), 7).customerIds).size).toBe(7);
    expect(() => evenlySpacedCustomers(orders(7), 8)).toThrow(/asked for 8 customers, the dataset has 7/);
  });
});
