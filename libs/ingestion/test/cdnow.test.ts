import { describe, expect, it } from 'vitest';
import { CDNOW_MAPPING, fingerprintOrders, ingest } from '../src/index';

// The real data set, shipped with the repository in data/cdnow (README there: source and attribution).
const CDNOW = new URL('../../../data/cdnow/CDNOW_master.txt', import.meta.url).pathname;

describe('CDNOW through CDNOW_MAPPING', () => {
  it('reads all 69,659 transactions of 23,570 customers and drops the zero-dollar ones by rule', async () => {
    const { orders, report } = await ingest(CDNOW, { mapping: CDNOW_MAPPING, strict: true });
    expect(report.rowsRead).toBe(69_659);
    // 80 lines sell CDs for $0.00; no line has zero CDs.
    expect(report.dropped.non_positive_price.count).toBe(80);
    expect(report.dropped.non_positive_price.firstLines.slice(0, 3)).toEqual([1550, 2448, 3068]);
    expect(report.dropped.non_positive_quantity.count).toBe(0);
    expect(report.rowsKept).toBe(69_579);
    // 68 of the 23,570 customers bought only free CDs; 1,774 customer-days hold two or more lines (2,068 lines more than days).
    expect(report.customers).toBe(23_502);
    expect(report.orders).toBe(67_511);
    expect(orders.nRows).toBe(67_511);
    expect(report).toMatchObject({ firstDate: '1997-01-01', lastDate: '1998-06-30' });
    // dollar_value = Quantity * UnitPrice: the amounts come back whole.
    const total = orders.totalPrice.reduce((sum, value) => sum + value, 0);
    expect(total).toBeCloseTo(2_500_315.63, 4);
    const lines = orders.lines.reduce((sum, value) => sum + value, 0);
    expect(lines).toBe(69_579);
    // Every line is an invoice of its own: a customer-day of two lines has two invoices.
    expect(Array.from(orders.invoices)).toEqual(Array.from(orders.lines));
    expect(orders.customerIds.slice(0, 2)).toEqual(['00001', '00002']);
    expect(orders.totalPrice[1]).toBeCloseTo(89, 10);
    expect(fingerprintOrders(orders)).toMatchObject({ rows: 67_511, customers: 23_502 });
  });
});
