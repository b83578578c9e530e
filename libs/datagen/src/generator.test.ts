import { describe, expect, it } from 'vitest';
import type { Transaction } from '@nextbuy/contracts';
import { GeneratorOptionsError } from './errors';
import { generateTransactions, plantedWholesaleCustomerIds } from './generator';

const OPTIONS = { rows: 30_000, seed: 7 };
const rows = [...generateTransactions(OPTIONS)];
const wholesale = new Set(plantedWholesaleCustomerIds(OPTIONS));
const isCancellation = (row: Transaction) => row.invoiceNo.startsWith('C');

/** Each registered customer's distinct purchase days, ascending. */
function purchaseDays(transactions: readonly Transaction[]): Map<string, number[]> {
  const days = new Map<string, Set<number>>();
  for (const row of transactions) {
    if (row.customerId === '' || isCancellation(row)) continue;
    const set = days.get(row.customerId) ?? new Set<number>();
    set.add(Math.floor(row.invoiceDate.getTime() / 86_400_000));
    days.set(row.customerId, set);
  }
  return new Map([...days].map(([id, set]) => [id, [...set].sort((a, b) => a - b)]));
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

describe('generateTransactions', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = [...generateTransactions(OPTIONS)];
    expect(again).toEqual(rows);
    const other = [...generateTransactions({ ...OPTIONS, seed: 8 })];
    expect(other.slice(0, 50)).not.toEqual(rows.slice(0, 50));
  });

  it('lands within 2% of the requested row count', () => {
    for (const [target, seed] of [[10_000, 3], [10_000, 4], [30_000, 5], [200_000, 6]] as const) {
      let count = 0;
      for (const _ of generateTransactions({ rows: target, seed })) count++;
      expect(Math.abs(count - target) / target).toBeLessThan(0.02);
    }
  });

  it('writes rows in time order with sequential invoice numbers, inside the window', () => {
    const start = Date.parse('2010-01-01T00:00:00Z');
    const end = Date.parse('2012-01-01T00:00:00Z');
    const invoiceNumber = (row: Transaction) => Number(row.invoiceNo.replace('C', ''));
    const outOfOrder = rows.filter(
      (row, i) => i > 0 && (row.invoiceDate < rows[i - 1]!.invoiceDate || invoiceNumber(row) < invoiceNumber(rows[i - 1]!)),
    );
    expect(outOfOrder).toEqual([]);
    expect(rows[0]!.invoiceDate.getTime()).toBeGreaterThanOrEqual(start);
    expect(rows.at(-1)!.invoiceDate.getTime()).toBeLessThan(end);
    // The shop is shut on Saturdays, as Online Retail's was.
    expect(rows.filter((row) => row.invoiceDate.getUTCDay() === 6)).toHaveLength(0);
  });

  it('has about 2% cancellations and 25% rows without a customer', () => {
    const cancellations = rows.filter(isCancellation).length / rows.length;
    const guests = rows.filter((row) => row.customerId === '').length / rows.length;
    expect(cancellations).toBeGreaterThan(0.012);
    expect(cancellations).toBeLessThan(0.028);
    expect(guests).toBeGreaterThan(0.22);
    expect(guests).toBeLessThan(0.28);
  });

  it('cancels, with negative quantities, lines the same customer bought earlier', () => {
    const bought = new Map<string, number>();
    const faults: Transaction[] = [];
    let checked = 0;
    for (const row of rows) {
      const key = `${row.customerId}|${row.stockCode}|${row.unitPrice}`;
      if (!isCancellation(row)) {
        if (row.quantity <= 0) faults.push(row);
        bought.set(key, Math.max(bought.get(key) ?? 0, row.quantity));
        continue;
      }
      if (row.customerId === '' || row.quantity >= 0 || -row.quantity > (bought.get(key) ?? 0)) faults.push(row);
      checked++;
    }
    expect(faults).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('makes baskets of several distinct products with mostly small quantities', () => {
    const invoices = new Map<string, Transaction[]>();
    for (const row of rows) {
      if (isCancellation(row)) continue;
      const invoice = invoices.get(row.invoiceNo) ?? [];
      invoice.push(row);
      invoices.set(row.invoiceNo, invoice);
    }
    const lines = [...invoices.values()].map((invoice) => invoice.length);
    expect(median(lines)).toBeGreaterThanOrEqual(4);
    const distinct = [...invoices.values()].filter((invoice) => new Set(invoice.map((row) => row.stockCode)).size === invoice.length);
    expect(distinct.length / invoices.size).toBeGreaterThan(0.95);
    const retail = rows.filter((row) => !isCancellation(row) && !wholesale.has(row.customerId)).map((row) => row.quantity);
    expect(median(retail)).toBeLessThanOrEqual(4);
    expect(retail.filter((q) => q <= 12).length / retail.length).toBeGreaterThan(0.75);
    expect(rows.filter((row) => !/^(\d{5}[A-E]?|POST)$/.test(row.stockCode))).toEqual([]);
    expect(rows.filter((row) => !/^[A-Z0-9 ,-]+$/.test(row.description) || !(row.unitPrice > 0))).toEqual([]);
  });

  it('peaks in November and December', () => {
    const byMonth = new Array<number>(12).fill(0);
    for (const row of rows) if (row.invoiceDate.getUTCFullYear() === 2011) byMonth[row.invoiceDate.getUTCMonth()]!++;
    const springSummer = byMonth.slice(1, 8).reduce((a, b) => a + b, 0) / 7;
    expect(byMonth[10]! / springSummer).toBeGreaterThan(1.6);
    expect(Math.max(...byMonth)).toBe(byMonth[10]);
  });

  it('plants a handful of wholesale customers who buy far more, far more often', () => {
    expect(wholesale.size).toBeGreaterThanOrEqual(2);
    const days = purchaseDays(rows);
    const spend = new Map<string, number>();
    for (const row of rows) if (row.customerId !== '') spend.set(row.customerId, (spend.get(row.customerId) ?? 0) + row.quantity * row.unitPrice);
    const retailSpend = [...spend].filter(([id]) => !wholesale.has(id)).map(([, total]) => total);
    const retailOrders = [...days].filter(([id]) => !wholesale.has(id)).map(([, d]) => d.length);
    for (const id of wholesale) {
      expect(spend.get(id)!).toBeGreaterThan(10 * median(retailSpend));
      expect(days.get(id)!.length).toBeGreaterThan(5 * median(retailOrders));
    }
  });

  it('gives customers their own rhythm: past gaps predict the next gap better than the population does', () => {
    const cases: { history: number[]; next: number }[] = [];
    const populationGaps: number[] = [];
    for (const [id, days] of purchaseDays([...generateTransactions({ rows: 150_000, seed: 11 })])) {
      if (wholesale.has(id)) continue;
      const gaps = days.slice(1).map((day, k) => day - days[k]!);
      populationGaps.push(...gaps.slice(0, -1));
      if (gaps.length >= 3) cases.push({ history: gaps.slice(0, -1), next: gaps.at(-1)! });
    }
    const populationMedian = median(populationGaps);
    const error = (predict: (history: number[]) => number) =>
      cases.reduce((sum, { history, next }) => sum + Math.abs(Math.log(predict(history)) - Math.log(next)), 0) / cases.length;
    expect(cases.length).toBeGreaterThan(300);
    expect(error(median)).toBeLessThan(0.9 * error(() => populationMedian));
  });

  it('names the option at fault', () => {
    const attempt = (options: Parameters<typeof generateTransactions>[0]) => () => generateTransactions(options).next();
    expect(attempt({ rows: 10 })).toThrow(GeneratorOptionsError);
    expect(attempt({ rows: 10 })).toThrow(/rows must be an integer from 1,000 to 100,000,000, got 10/);
    expect(attempt({ rows: 5_000, seed: 1.5 })).toThrow(/^seed /);
    expect(attempt({ rows: 5_000, start: '2011-02-30' })).toThrow(/start must be a YYYY-MM-DD calendar date/);
    expect(attempt({ rows: 5_000, start: '2011-01-01', end: '2011-01-10' })).toThrow(/end must be at least 4 weeks after start/);
    expect(attempt({ rows: 5_000, customers: 1_200 })).toThrow(/customers \(1200\) make about \d+ purchases, more than/);
    expect(attempt({ rows: 5_000, customers: 100, wholesaleCustomers: 50 })).toThrow(/wholesaleCustomers must be/);
  });
});
