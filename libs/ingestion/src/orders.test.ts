import type { Transaction } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { ordersFromTransactions } from './ingest';
import { fingerprintOrders, OrderAccumulator } from './orders';

function line(customerId: string, time: string, invoiceNo: string, quantity: number, unitPrice: number): Transaction {
  const invoiceDate = new Date(time);
  return { invoiceNo, stockCode: 'X', description: '', quantity, invoiceDate, unitPrice, customerId, country: 'UK' };
}

const LINES = [
  line('17850', '2010-12-01T08:26:00Z', '536365', 6, 2.55),
  line('17850', '2010-12-01T08:26:00Z', '536365', 6, 3.39),
  line('12583', '2010-12-01T08:45:00Z', '536370', 24, 3.75),
  line('17850', '2010-12-01T08:28:00Z', '536366', 6, 1.85),
  line('17850', '2010-12-01T23:59:59Z', '536365', 2, 1),
  line('17850', '2010-11-30T10:00:00Z', '536001', 1, 10),
  line('12583', '2010-12-03T09:00:00Z', '536400', 1, 0.5),
];

describe('OrderAccumulator', () => {
  it('sums Quantity * UnitPrice, quantity, lines and distinct invoices per customer-day, sorted by customer then day', () => {
    const accumulator = new OrderAccumulator();
    for (const transaction of LINES) accumulator.add(transaction);
    expect(accumulator.orderCount).toBe(4);
    expect(accumulator.customerCount).toBe(2);
    const orders = accumulator.finish();
    expect(orders.nRows).toBe(4);
    expect(orders.customerIds).toEqual(['12583', '12583', '17850', '17850']);
    expect(Array.from(orders.day)).toEqual([14944, 14946, 14943, 14944]);
    expect(orders.totalPrice[0]).toBe(90);
    expect(orders.totalPrice[1]).toBe(0.5);
    expect(orders.totalPrice[2]).toBe(10);
    expect(orders.totalPrice[3]).toBeCloseTo(6 * 2.55 + 6 * 3.39 + 6 * 1.85 + 2, 10);
    expect(Array.from(orders.quantity)).toEqual([24, 1, 1, 20]);
    expect(Array.from(orders.lines)).toEqual([1, 1, 1, 4]);
    expect(Array.from(orders.invoices)).toEqual([1, 1, 1, 2]);
  });

  it('gives an empty table when nothing was added', () => {
    const orders = new OrderAccumulator().finish();
    expect(orders.nRows).toBe(0);
    expect(orders.customerIds).toEqual([]);
  });
});

describe('ordersFromTransactions', () => {
  it('cleans in-memory transactions, counting drops by position', () => {
    const { orders, report } = ordersFromTransactions([...LINES, line('', '2010-12-01T08:00:00Z', '1', 1, 1), line('1', '2010-12-01T08:00:00Z', 'C2', -1, 1)], 'request');
    expect(orders.nRows).toBe(4);
    expect(report).toMatchObject({ source: 'request', rowsRead: 9, rowsKept: 7, customers: 2, orders: 4 });
    expect(report.dropped.missing_customer_id.firstLines).toEqual([8]);
    expect(report.dropped.cancellation.firstLines).toEqual([9]);
  });
});

describe('fingerprintOrders', () => {
  it('depends on the orders, not on how customers interleave in the source, and changes with any aggregate', () => {
    const forward = ordersFromTransactions(LINES).orders;
    // Lines of one order keep their relative order: floating-point sums depend on it.
    const reordered = ordersFromTransactions([5, 2, 0, 1, 6, 3, 4].map((index) => LINES[index]!)).orders;
    const fingerprint = fingerprintOrders(forward);
    expect(fingerprint).toMatchObject({ rows: 4, customers: 2 });
    expect(fingerprint.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOrders(reordered).sha256).toBe(fingerprint.sha256);
    const changed = { ...forward, lines: Int32Array.from(forward.lines, (lines, row) => lines + (row === 3 ? 1 : 0)) };
    expect(fingerprintOrders(changed).sha256).not.toBe(fingerprint.sha256);
    const renamed = { ...forward, customerIds: ['12583', '12583', '17851', '17851'] };
    expect(fingerprintOrders(renamed).sha256).not.toBe(fingerprint.sha256);
  });
});
