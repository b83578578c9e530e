import type { OrderTable } from '@nextbuy/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderTable, type OrderRow } from '../test/fixtures';
import { buildTrainingTable } from './feature-tables';
import { FEATURE_COUNT } from './order-features';

interface Order {
  gap: number;
  totalPrice: number;
  quantity: number;
}
const orderArb = fc.record({
  gap: fc.integer({ min: 1, max: 400 }),
  totalPrice: fc.double({ min: 0.01, max: 5000, noNaN: true }),
  quantity: fc.integer({ min: 1, max: 50 }),
});
const historyArb = fc.array(orderArb, { minLength: 1, maxLength: 12 });
const START_DAY = 14_000; // 2008-05-01

function tableOf(histories: readonly (readonly Order[])[]): OrderTable {
  const rows: OrderRow[] = [];
  histories.forEach((history, c) => {
    let day = START_DAY;
    for (const order of history) {
      day += order.gap;
      rows.push([`c${c}`, day, order.totalPrice, order.quantity]);
    }
  });
  return orderTable(rows);
}

/** The feature row of the k-th (0-based) order of customer `c` in a training table. */
function featuresOf(orders: OrderTable, asOfDay: number, c: number, k: number): Float32Array {
  const table = buildTrainingTable(orders, asOfDay);
  const first = table.customerIds.indexOf(`c${c}`);
  return table.values.slice((first + k) * FEATURE_COUNT, (first + k + 1) * FEATURE_COUNT);
}

const FAR_FUTURE = START_DAY + 100_000;

describe('leak-freedom', () => {
  it('no feature of order k changes when orders after k change, appear or vanish', () => {
    fc.assert(
      fc.property(
        fc.array(historyArb, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        fc.array(orderArb, { maxLength: 6 }),
        fc.array(historyArb, { maxLength: 4 }),
        (histories, customerPick, orderPick, replacement, otherCustomers) => {
          const c = customerPick % histories.length;
          const k = orderPick % histories[c]!.length;
          const before = featuresOf(tableOf(histories), FAR_FUTURE, c, k);
          // Orders 1..k kept, everything after k replaced by arbitrary other orders (or none);
          // the other customers' histories replaced too.
          const changed = histories.map((h, i) => (i === c ? [...h.slice(0, k + 1), ...replacement] : (otherCustomers[i] ?? h)));
          const after = featuresOf(tableOf(changed), FAR_FUTURE, c, k);
          expect(Array.from(after)).toEqual(Array.from(before));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the features of order k as of the day after it are its features as of any later day', () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.integer({ min: 1, max: 2000 }), (history, orderPick, later) => {
        const k = orderPick % history.length;
        const orders = tableOf([history]);
        const dayK = orders.day[k]!;
        expect(Array.from(featuresOf(orders, dayK + later, 0, k))).toEqual(Array.from(featuresOf(orders, dayK + 1, 0, k)));
      }),
      { numRuns: 300 },
    );
  });

  it('labels are the true next gap, or a censored lower bound that the truth never undercuts', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 1, max: 3000 }), (history, asOfOffset) => {
        const orders = tableOf([history]);
        const asOfDay = START_DAY + asOfOffset;
        const table = buildTrainingTable(orders, asOfDay);
        for (let row = 0; row < table.nRows; row++) {
          const next = orders.day[row + 1];
          if (table.censored[row]) {
            expect(table.gapDays[row]).toBe(asOfDay - orders.day[row]!);
            if (next !== undefined) expect(next - orders.day[row]!).toBeGreaterThanOrEqual(table.gapDays[row]!);
            expect(next === undefined || next >= asOfDay).toBe(true);
          } else {
            expect(table.gapDays[row]).toBe(next! - orders.day[row]!);
            expect(next!).toBeLessThan(asOfDay);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
