import { type OrderTable, selectOrders } from '@nextbuy/contracts';

/**
 * `count` of the customers of `orders`, evenly spaced in the order they first bought (every
 * `floor(n / count)`-th), with all their orders: a small customer base of the same shape.
 */
export function evenlySpacedCustomers(orders: OrderTable, count: number): OrderTable {
  const first = new Map<string, number>();
  for (let row = 0; row < orders.nRows; row++) {
    const id = orders.customerIds[row]!;
    first.set(id, Math.min(first.get(id) ?? Infinity, orders.day[row]!));
  }
  const ids = [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)! || (a < b ? -1 : 1));
  if (count > ids.length) throw new RangeError(`asked for ${count} customers, the dataset has ${ids.length}`);
  const step = Math.floor(ids.length / count);
  const keep = new Set(ids.filter((_, i) => i % step === 0).slice(0, count));
  return selectOrders(orders, (row) => keep.has(orders.customerIds[row]!));
}

