import type { OrderFeatureTable } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { buildSequences } from './sequences';

// Two customers: a has 3 orders, b has 2; one feature whose value is 10*row + 1.
const table: OrderFeatureTable = {
  featureNames: ['f'],
  nRows: 5,
  values: Float32Array.from([1, 11, NaN, 31, 41]),
  customerIds: ['a', 'a', 'a', 'b', 'b'],
  orderDay: Int32Array.from([1, 5, 9, 2, 3]),
};

describe('buildSequences', () => {
  it('left-pads windows that stay within one customer and never look ahead', () => {
    const batch = buildSequences(table, [0, 2, 3, 4], 2, -1);
    expect(Array.from(batch.lengths)).toEqual([1, 2, 1, 2]);
    // row 0: [pad, 1]; row 2: [11, NaN->pad]; row 3 (first of b): [pad, 31]; row 4: [31, 41]
    expect(Array.from(batch.values)).toEqual([-1, 1, 11, -1, -1, 31, 31, 41]);
  });
  it('refuses rows outside the table and bad lengths', () => {
    expect(() => buildSequences(table, [5], 2)).toThrow(/outside the table/);
    expect(() => buildSequences(table, [0], 0)).toThrow(/positive integer/);
  });
});
