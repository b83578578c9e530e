import type { Transaction } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { brokenCleaningRule, DataQualityTally, REPORTED_LINES_PER_RULE } from './cleaning';

const sale: Transaction = {
  invoiceNo: '536365',
  stockCode: '85123A',
  description: 'WHITE HANGING HEART T-LIGHT HOLDER',
  quantity: 6,
  invoiceDate: new Date('2010-12-01T08:26:00Z'),
  unitPrice: 2.55,
  customerId: '17850',
  country: 'United Kingdom',
};

describe('brokenCleaningRule', () => {
  it('keeps a sale', () => {
    expect(brokenCleaningRule(sale)).toBeNull();
  });

  it('names the rule each bad row breaks', () => {
    expect(brokenCleaningRule({ ...sale, customerId: '' })).toBe('missing_customer_id');
    expect(brokenCleaningRule({ ...sale, invoiceNo: 'C536379' })).toBe('cancellation');
    expect(brokenCleaningRule({ ...sale, quantity: 0 })).toBe('non_positive_quantity');
    expect(brokenCleaningRule({ ...sale, quantity: -3 })).toBe('non_positive_quantity');
    expect(brokenCleaningRule({ ...sale, quantity: Number.NaN })).toBe('non_positive_quantity');
    expect(brokenCleaningRule({ ...sale, unitPrice: 0 })).toBe('non_positive_price');
    expect(brokenCleaningRule({ ...sale, unitPrice: -1.5 })).toBe('non_positive_price');
    expect(brokenCleaningRule({ ...sale, invoiceDate: new Date(Number.NaN) })).toBe('unparseable_date');
    // After the clock, less the margin of the zones ahead of UTC: a mistyped year, not a purchase.
    const now = Date.UTC(2026, 11, 5, 12);
    expect(brokenCleaningRule({ ...sale, invoiceDate: new Date(Date.UTC(2099, 0, 1)) }, now)).toBe('future_date');
    expect(brokenCleaningRule({ ...sale, invoiceDate: new Date(Date.UTC(2026, 11, 8)) }, now)).toBe('future_date');
    expect(brokenCleaningRule({ ...sale, invoiceDate: new Date(Date.UTC(2026, 11, 6, 23)) }, now)).toBeNull();
    expect(brokenCleaningRule({ ...sale, invoiceDate: new Date(Date.UTC(2099, 0, 1)) })).toBe('future_date');
  });

  it('counts a row breaking several rules under the first, in CLEANING_RULES order', () => {
    expect(brokenCleaningRule({ ...sale, customerId: '', invoiceNo: 'C1', quantity: -1 })).toBe('missing_customer_id');
    expect(brokenCleaningRule({ ...sale, invoiceNo: 'C1', quantity: -1 })).toBe('cancellation');
    expect(brokenCleaningRule({ ...sale, quantity: -1, unitPrice: 0, invoiceDate: new Date(Number.NaN) })).toBe('non_positive_quantity');
  });
});

describe('DataQualityTally', () => {
  it('counts every row and keeps the first offending line numbers', () => {
    const tally = new DataQualityTally('sales.csv');
    for (let line = 2; line < 40; line++) tally.check({ ...sale, unitPrice: line % 3 === 0 ? 0 : 1 }, line);
    tally.check({ ...sale, invoiceDate: new Date('2011-12-09T12:50:00Z') }, 40);
    const report = tally.report({ customers: 1, orders: 2 });
    const priced = Array.from({ length: 38 }, (_, index) => index + 2).filter((line) => line % 3 === 0);
    expect(report.rowsRead).toBe(39);
    expect(report.dropped.non_positive_price).toEqual({ count: priced.length, firstLines: priced.slice(0, REPORTED_LINES_PER_RULE) });
    expect(report.rowsKept).toBe(39 - priced.length);
    expect(report.dropped.cancellation).toEqual({ count: 0, firstLines: [] });
    expect(report).toMatchObject({ source: 'sales.csv', customers: 1, orders: 2, firstDate: '2010-12-01', lastDate: '2011-12-09' });
  });

  it('reports no dates when nothing is kept', () => {
    const tally = new DataQualityTally('empty');
    tally.check({ ...sale, customerId: '' }, 2);
    expect(tally.report({ customers: 0, orders: 0 })).toMatchObject({ rowsKept: 0, firstDate: null, lastDate: null });
  });
});
