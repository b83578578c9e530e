import type { ScoringTable, TrainingTable } from '@nextbuy/contracts';
import { createRng, sampleNormal } from '@nextbuy/random';

export const SYNTHETIC_FEATURES = ['PrevGapDays', 'TotalPrice', 'OrderCount'];

/**
 * Customers of two kinds: "frequent" ones order every ~`fastGap` days, "rare" ones every
 * ~`slowGap` days (log-normal spread 0.2), each for `orders` orders, the last gap censored at
 * the as-of day. The previous gap is a feature, so the kinds are told apart from the data.
 */
export function twoGroupTables(options: { customers: number; orders: number; fastGap?: number; slowGap?: number; seed?: number }): {
  train: TrainingTable;
  score: ScoringTable;
  rare: boolean[];
} {
  const { customers, orders, fastGap = 5, slowGap = 80, seed = 7 } = options;
  const rng = createRng(seed);
  const customerIds: string[] = [];
  const orderDay: number[] = [];
  const values: number[] = [];
  const gapDays: number[] = [];
  const censored: number[] = [];
  const lastRow: number[] = [];
  const rare: boolean[] = [];
  const asOfDay = 20_000;
  for (let c = 0; c < customers; c++) {
    const isRare = c % 2 === 1;
    rare.push(isRare);
    const gaps = Array.from({ length: orders }, () => Math.max(1, Math.round((isRare ? slowGap : fastGap) * Math.exp(0.2 * sampleNormal(rng)))));
    // Orders end a little before the as-of day; the last order's gap is censored there.
    let day = asOfDay - gaps.slice(0, orders - 1).reduce((a, b) => a + b, 0) - Math.ceil(rng() * (isRare ? slowGap : fastGap) * 0.5);
    for (let k = 0; k < orders; k++) {
      customerIds.push(`c${c}`);
      orderDay.push(day);
      values.push(k === 0 ? Number.NaN : gaps[k - 1]!, 20 + 30 * rng(), k + 1);
      const last = k === orders - 1;
      gapDays.push(last ? asOfDay - day : gaps[k]!);
      censored.push(last ? 1 : 0);
      if (last) lastRow.push(customerIds.length - 1);
      else day += gaps[k]!;
    }
  }
  const base = { featureNames: SYNTHETIC_FEATURES, nRows: customerIds.length, values: Float32Array.from(values), customerIds, orderDay: Int32Array.from(orderDay) };
  return {
    train: { ...base, gapDays: Float64Array.from(gapDays), censored: Uint8Array.from(censored) },
    score: { ...base, asOfDay, lastRow: Int32Array.from(lastRow), elapsedDays: Float64Array.from(lastRow, (row) => asOfDay - orderDay[row]!) },
    rare,
  };
}
