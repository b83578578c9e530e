import { describe, expect, it } from 'vitest';
import { InputDataError } from './errors';
import { customerSegments, orderDaySpan, selectOrders, validateOrderTable, type OrderTable } from './orders';

function table(rows: Array<[string, number]>): OrderTable {
  return {
    nRows: rows.length,
    customerIds: rows.map(([id]) => id),
    day: Int32Array.from(rows, ([, day]) => day),
    totalPrice: Float64Array.from(rows, (_, i) => 10 + i),
    quantity: Float64Array.from(rows, () => 1),
    lines: Int32Array.from(rows, () => 1),
    invoices: Int32Array.from(rows, () => 1),
  };
}

describe('order table helpers', () => {
  const orders = table([
    ['a', 3],
    ['a', 5],
    ['b', 1],
    ['c', 2],
    ['c', 9],
    ['c', 12],
  ]);

  it('finds each customer’s contiguous rows, in table order', () => {
    expect(customerSegments(orders)).toEqual([
      { customerId: 'a', start: 0, end: 2 },
      { customerId: 'b', start: 2, end: 3 },
      { customerId: 'c', start: 3, end: 6 },
    ]);
    expect(customerSegments(table([]))).toEqual([]);
  });

  it('selects rows into a new table and spans its days', () => {
    const kept = selectOrders(orders, (row) => orders.customerIds[row] !== 'c');
    expect(kept.customerIds).toEqual(['a', 'a', 'b']);
    expect(Array.from(kept.totalPrice)).toEqual([10, 11, 12]);
    expect(orderDaySpan(orders)).toEqual({ first: 1, last: 12 });
  });

  it('rejects a customer whose rows are not contiguous, naming the row', () => {
    expect(() => validateOrderTable(table([['a', 1], ['b', 1], ['a', 2]]))).toThrow(InputDataError);
    expect(() => validateOrderTable(table([['a', 1], ['b', 1], ['a', 2]]))).toThrow(/row 2: customer "a" appears again/);
    expect(() => validateOrderTable(orders)).not.toThrow();
  });
});
