import { describe, expect, it } from 'vitest';
import { InputDataError, type OrderTable } from '@nextbuy/contracts';
import { AGGREGATE_NAMES, customerAggregates } from './aggregates';

/** Orders of two customers: "A" three orders, "B" one. */
function table(): OrderTable {
  return {
    nRows: 4,
    customerIds: ['A', 'A', 'A', 'B'],
    day: Int32Array.from([100, 110, 130, 105]),
    totalPrice: Float64Array.from([10, 20, 30, 99]),
    quantity: Float64Array.from([1, 2, 3, 1000]),
    lines: Int32Array.from([1, 2, 6, 4]),
    invoices: Int32Array.from([1, 1, 2, 1]),
  };
}

describe('customerAggregates', () => {
  it('computes the log1p aggregates of each customer, in table order', () => {
    const aggregates = customerAggregates(table());
    expect(aggregates.featureNames).toEqual(AGGREGATE_NAMES);
    expect(aggregates.customerIds).toEqual(['A', 'B']);
    expect([aggregates.nRows, aggregates.nCols]).toEqual([2, 3]);
    // A: 3 orders worth 60 with 6 items on 9 lines: per order 20, 2 and 3.
    const a = [20, 2, 3].map(Math.log1p);
    const b = [99, 1000, 4].map(Math.log1p);
    [...a, ...b].forEach((expected, k) => expect(aggregates.values[k]).toBeCloseTo(expected, 12));
    expect(aggregates.segments).toEqual([
      { customerId: 'A', start: 0, end: 3 },
      { customerId: 'B', start: 3, end: 4 },
    ]);
  });

  it('keeps the sign of a net-negative spend', () => {
    const orders = table();
    orders.totalPrice[3] = -99;
    expect(customerAggregates(orders).values[3]).toBeCloseTo(-Math.log1p(99), 12);
  });

  it('looks at the size of orders, not at how often a customer buys', () => {
    const orders = table();
    // A fourth order like A's average leaves A's aggregates as they were.
    const more: OrderTable = {
      ...orders,
      nRows: 5,
      customerIds: ['A', 'A', 'A', 'A', 'B'],
      day: Int32Array.from([100, 110, 130, 400, 105]),
      totalPrice: Float64Array.from([10, 20, 30, 20, 99]),
      quantity: Float64Array.from([1, 2, 3, 2, 1000]),
      lines: Int32Array.from([1, 2, 6, 3, 4]),
      invoices: Int32Array.from([1, 1, 2, 1, 1]),
    };
    expect(customerAggregates(more).values.subarray(0, 3)).toEqual(customerAggregates(orders).values.subarray(0, 3));
  });

  it('refuses a table whose customers are not contiguous', () => {
    const orders = { ...table(), customerIds: ['A', 'B', 'A', 'C'] };
    expect(() => customerAggregates(orders)).toThrow(InputDataError);
    expect(() => customerAggregates(orders)).toThrow(/row 2: customer "A" appears again/);
  });
});
