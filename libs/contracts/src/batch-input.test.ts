import { describe, expect, it } from 'vitest';
import { customerHistoryLines, customerHistorySchema, historiesToOrderTable } from './batch-input';
import { isoToEpochDay } from './days';
import type { OrderTable } from './orders';

const orders: OrderTable = {
  nRows: 3,
  customerIds: ['a', 'a', 'b'],
  day: Int32Array.from([isoToEpochDay('2011-01-02'), isoToEpochDay('2011-02-03'), isoToEpochDay('2011-01-05')]),
  totalPrice: Float64Array.from([10.5, 20, 7.25]),
  quantity: Float64Array.from([3, 4, 1]),
  lines: Int32Array.from([2, 1, 1]),
  invoices: Int32Array.from([1, 1, 1]),
};

describe('customer history lines', () => {
  it('writes one self-contained JSON line per customer and reads it back', () => {
    const lines = [...customerHistoryLines(orders, '2011-03-01')];
    expect(lines).toHaveLength(2);
    const histories = lines.map((l) => customerHistorySchema.parse(JSON.parse(l)));
    expect(histories[0]).toMatchObject({ customer_id: 'a', as_of_date: '2011-03-01', orders: [{ date: '2011-01-02', total_price: 10.5 }, { date: '2011-02-03' }] });
    const back = historiesToOrderTable(histories);
    expect(back.customerIds).toEqual(orders.customerIds);
    expect(Array.from(back.day)).toEqual(Array.from(orders.day));
    expect(Array.from(back.totalPrice)).toEqual(Array.from(orders.totalPrice));
  });
  it('sorts a customer’s orders and merges same-day entries', () => {
    const table = historiesToOrderTable([
      { customer_id: 'x', orders: [
        { date: '2011-05-02', total_price: 1, quantity: 1, lines: 1, invoices: 1 },
        { date: '2011-05-01', total_price: 2, quantity: 2, lines: 1, invoices: 1 },
        { date: '2011-05-02', total_price: 3, quantity: 3, lines: 2, invoices: 1 },
      ] },
    ]);
    expect(table.nRows).toBe(2);
    expect(Array.from(table.totalPrice)).toEqual([2, 4]);
    expect(Array.from(table.lines)).toEqual([1, 3]);
    expect(Array.from(table.invoices)).toEqual([1, 2]);
  });
  it('rejects a history without orders, naming the field', () => {
    const result = customerHistorySchema.safeParse({ customer_id: 'a', orders: [] });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['orders']);
  });
});
