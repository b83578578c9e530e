import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectOrders } from '@nextbuy/contracts';
import { generateTransactions, plantedWholesaleCustomerIds } from '@nextbuy/datagen';
import { CDNOW_MAPPING, ingest, ordersFromTransactions } from '@nextbuy/ingestion';
import { filterOutlierCustomers } from './filter';

describe('filterOutlierCustomers', () => {
  const options = { rows: 40_000, seed: 4, wholesaleCustomers: 3 };
  const { orders } = ordersFromTransactions(generateTransactions(options));
  const planted = plantedWholesaleCustomerIds(options);

  it('removes the planted wholesale customers of a generated data set, and few others', () => {
    const result = filterOutlierCustomers(orders, { seed: 1 });
    const customers = result.customerIds.length;
    expect(planted).toHaveLength(3);
    for (const id of planted) expect(result.outliers).toContain(id);
    // Default contamination 1%: the planted three plus at most the rest of that 1%.
    expect(result.outliers.length).toBeLessThanOrEqual(Math.ceil(0.01 * customers) + 1);
    const ranked = [...result.scores.keys()].sort((a, b) => result.scores[b]! - result.scores[a]!);
    expect(new Set(ranked.slice(0, 3).map((c) => result.customerIds[c]))).toEqual(new Set(planted));
  });

  it("keeps every other customer's orders untouched and in order", () => {
    const result = filterOutlierCustomers(orders, { seed: 1, contamination: 3 / 330 });
    const removed = new Set(result.outliers);
    const keptRows = [...Array(orders.nRows).keys()].filter((row) => !removed.has(orders.customerIds[row]!));
    expect(result.kept.nRows).toBe(keptRows.length);
    expect(result.kept.customerIds).toEqual(keptRows.map((row) => orders.customerIds[row]));
    expect([...result.kept.day]).toEqual(keptRows.map((row) => orders.day[row]));
    expect([...result.kept.totalPrice]).toEqual(keptRows.map((row) => orders.totalPrice[row]));
    expect(result.kept.customerIds.some((id) => planted.includes(id))).toBe(false);
  });

  it('is repeatable for a seed', () => {
    const first = filterOutlierCustomers(orders, { seed: 5 });
    const again = filterOutlierCustomers(orders, { seed: 5 });
    expect(again.scores).toEqual(first.scores);
    expect(again.outliers).toEqual(first.outliers);
  });

  it("keeps CDNOW's most frequent buyers: how often a customer buys is loyalty, not an anomaly", async () => {
    const cdnow = fileURLToPath(new URL('../../../data/cdnow/CDNOW_master.txt', import.meta.url));
    const { orders: real } = await ingest(cdnow, { mapping: CDNOW_MAPPING });
    const counts = new Map<string, number>();
    real.customerIds.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1));
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 100).map(([id]) => id);
    const removed = new Set(filterOutlierCustomers(real, { contamination: 0.01, seed: 42 }).outliers);
    // With order count, mean gap and span among its features the forest removed 84 of them; now
    // only the few whose orders are also unusually large (4).
    expect(removed.size).toBeGreaterThan(200);
    expect(top.filter((id) => removed.has(id)).length).toBeLessThanOrEqual(10);
  });

  it('removes no one where the share is below one customer, and keeps a lone customer', () => {
    const twelve = selectOrders(orders, (row) => Number(orders.customerIds[row]!.replace(/\D/g, '')) % 50 === 0);
    const customers = new Set(twelve.customerIds).size;
    expect(customers).toBeGreaterThan(1);
    expect(customers).toBeLessThan(100);
    // At 1% of fewer than 100 customers the forest's quantile alone would remove the top scorer.
    const below = filterOutlierCustomers(twelve, { seed: 1, contamination: 0.01 });
    expect(below.outliers).toEqual([]);
    expect(below.kept.nRows).toBe(twelve.nRows);
    expect(below.scores.every(Number.isFinite)).toBe(true);
    const atOne = filterOutlierCustomers(twelve, { seed: 1, contamination: 1 / customers });
    expect(atOne.outliers).toHaveLength(1);
    const first = twelve.customerIds[0]!;
    const lone = filterOutlierCustomers(selectOrders(twelve, (row) => twelve.customerIds[row] === first), { seed: 1 });
    expect(lone.outliers).toEqual([]);
    expect(lone.customerIds).toEqual([first]);
    expect(lone.kept.nRows).toBeGreaterThan(0);
  });
});
