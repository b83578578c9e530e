import type { TrainingTable } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { blendProbability, blendWait, CHOICE_GUARD, chooseBlend, heldOutShare, type InnerCutoff, innerCutoff, innerFollowUpDays } from './inner-validation';

/** A training table of customers' order days (one feature, the order's index), labels censored at `end`. */
function table(customers: Record<string, number[]>, end: number): TrainingTable {
  const ids: string[] = [];
  const days: number[] = [];
  const gaps: number[] = [];
  const censored: number[] = [];
  for (const [id, orders] of Object.entries(customers)) {
    orders.forEach((day, k) => {
      ids.push(id);
      days.push(day);
      const next = orders[k + 1];
      gaps.push((next ?? end) - day);
      censored.push(next === undefined ? 1 : 0);
    });
  }
  return {
    featureNames: ['Index'],
    nRows: ids.length,
    values: Float32Array.from(days, (_, i) => i),
    customerIds: ids,
    orderDay: Int32Array.from(days),
    gapDays: Float64Array.from(gaps),
    censored: Uint8Array.from(censored),
  };
}

describe('innerCutoff', () => {
  it('scores the kept customers as of a quarter of the span before the end (90 to 365 days), with what they did next', () => {
    expect([innerFollowUpDays(100), innerFollowUpDays(360), innerFollowUpDays(720), innerFollowUpDays(729)]).toEqual([90, 90, 180, 182]);
    // Span 0..720: follow-up 180 days, inner cutoff at day 540.
    const t = table({ a: [0, 90, 531, 585], b: [9, 630], c: [18, 539, 720], d: [585], e: [5, 270] }, 720);
    const inner = innerCutoff(t, (id) => id !== 'e')!;
    expect([inner.asOfDay, inner.followUpDays]).toEqual([540, 180]);
    // a: orders 0, 90, 531 before the cutoff; b: 9; c: 18, 539; d has none before it.
    expect(inner.score.customerIds).toEqual(['a', 'a', 'a', 'b', 'c', 'c']);
    expect(Array.from(inner.score.lastRow)).toEqual([2, 3, 5]);
    expect(Array.from(inner.score.values)).toEqual([0, 1, 2, 4, 6, 7]);
    expect(Array.from(inner.score.elapsedDays)).toEqual([9, 531, 1]);
    expect(inner.score.asOfDay).toBe(540);
    expect(Array.from(inner.gapDays)).toEqual([54, 621, 181]);
    expect(Array.from(inner.observed)).toEqual([1, 1, 1]);
    // a returns 45 days after the cutoff, b 90 (outside the 90-day horizon), c 180 (at the end of the follow-up, outside it).
    expect(Array.from(inner.orderedWithin90d)).toEqual([1, 0, 0]);
    expect(Array.from(inner.returnedWithinFollowUp)).toEqual([1, 1, 0]);
  });

  it('sits a year before the end of training from two years of history: the same date, so the same season', () => {
    expect([innerFollowUpDays(730), innerFollowUpDays(1100), innerFollowUpDays(1459), innerFollowUpDays(4000)]).toEqual([365, 365, 365, 365]);
    // Span 0..1000 (a quarter would be 250 days): the inner cutoff is day 635, a year before 1000.
    const t = table({ a: [0, 400, 700], b: [30, 600, 960], c: [100, 640] }, 1000);
    const inner = innerCutoff(t, () => true)!;
    expect([inner.asOfDay, inner.followUpDays]).toEqual([635, 365]);
    expect(Array.from(inner.score.elapsedDays)).toEqual([235, 35, 535]);
    // a returns 65 days after it, b 325 (within the year, not the 90 days), c 5.
    expect(Array.from(inner.orderedWithin90d)).toEqual([1, 0, 1]);
    expect(Array.from(inner.returnedWithinFollowUp)).toEqual([1, 1, 1]);
  });

  it('marks customers who never came back as censored, and has no cutoff when the span leaves no room', () => {
    const inner = innerCutoff(table({ a: [0, 50], b: [10] }, 400), () => true)!;
    expect(inner.asOfDay).toBe(300);
    expect(Array.from(inner.observed)).toEqual([0, 0]);
    expect(Array.from(inner.orderedWithin90d)).toEqual([0, 0]);
    expect(innerCutoff(table({ a: [0, 50] }, 80), () => true)).toBeUndefined();
    expect(innerCutoff(table({}, 80), () => true)).toBeUndefined();
  });
});

describe('blends', () => {
  it('keep the booster exactly at weight 1 or where BG/NBD has no answer, and average log-odds and log waits in between', () => {
    expect(blendProbability(0.3, 0.9, 1)).toBe(0.3);
    expect(blendProbability(0.3, Number.NaN, 0.5)).toBe(0.3);
    expect(blendProbability(0.3, 0.9, 0)).toBeCloseTo(0.9, 12);
    expect(blendProbability(0.2, 0.8, 0.5)).toBeCloseTo(0.5, 12);
    expect(blendWait(40, 10, 1)).toBe(40);
    expect(blendWait(40, Number.NaN, 0.25)).toBe(40);
    expect(blendWait(40, 10, 0.5)).toBeCloseTo(20, 12);
    expect(blendWait(40, 10, 0)).toBeCloseTo(10, 12);
  });
});

/** An inner cutoff of n customers: elapsed 10 days, gaps and 90-day outcomes as given. */
function cutoff(gaps: number[]): InnerCutoff {
  const n = gaps.length;
  return {
    score: { featureNames: [], nRows: n, values: new Float32Array(0), customerIds: gaps.map((_, i) => `c${i}`), orderDay: new Int32Array(n), asOfDay: 10, lastRow: Int32Array.from(gaps, (_, i) => i), elapsedDays: new Float64Array(n).fill(10) },
    asOfDay: 10,
    followUpDays: 200,
    gapDays: Float64Array.from(gaps),
    observed: new Uint8Array(n).fill(1),
    orderedWithin90d: Uint8Array.from(gaps, (g) => (g - 10 < 90 ? 1 : 0)),
    returnedWithinFollowUp: Uint8Array.from(gaps, (g) => (g - 10 < 200 ? 1 : 0)),
  };
}

describe('chooseBlend', () => {
  const gaps = Array.from({ length: 300 }, (_, i) => 15 + ((i * 37) % 180));
  const inner = cutoff(gaps);
  const truthP = Float64Array.from(inner.orderedWithin90d, (o) => (o ? 0.8 : 0.2));
  const truthWait = Float64Array.from(gaps, (g) => g - 10);
  const flat = (value: number) => new Float64Array(gaps.length).fill(value);
  const right = { pOrder90d: truthP, wait: truthWait };
  const clueless = { pOrder90d: flat(0.5), wait: flat(60) };
  const PARETO = { r: 1, alpha: 10, s: 1, beta: 10 };
  const NO_OTHER_FITS = { paretoNbd: null, bgcnbd: null };

  it('picks the BTYD model alone when its answers are the right ones and the booster knows nothing, and lists every candidate', () => {
    const { blend, selection } = chooseBlend(inner, { booster: clueless, btyd: { bgnbd: clueless, pareto_nbd: right } }, { paretoNbd: PARETO, bgcnbd: null });
    expect(blend).toEqual({ pOrder90d: { family: 'pareto_nbd', weight: 0 }, wait: { family: 'pareto_nbd', weight: 0 }, paretoNbd: PARETO });
    expect(selection.blend_p_order_90d!.chosen).toBe('pareto_nbd');
    expect(selection.blend_p_order_90d!.criterion).toBe('least rank sum of brier_90d and auc_90d at the inner cutoff 200 days before the end of training, 300 held-out customers');
    // The booster, then four weights of each family.
    expect(Object.keys(selection.blend_p_order_90d!.candidates)).toHaveLength(2 * 9);
    expect(Object.keys(selection.blend_wait!.candidates).slice(0, 4)).toEqual(['booster: mae_days', 'booster: c_index', 'booster 0.75 + bgnbd 0.25: mae_days', 'booster 0.75 + bgnbd 0.25: c_index']);
    expect(selection.blend_wait!.candidates['pareto_nbd: mae_days']).toBeCloseTo(0, 9);
    expect(selection.blend_wait!.candidates['pareto_nbd: c_index']).toBe(1);
  });

  it('keeps the booster when it is the right one, leaving Pareto/NBD out of the artifact when unused; on a tie, the BTYD model alone', () => {
    expect(chooseBlend(inner, { booster: right, btyd: { bgnbd: clueless, pareto_nbd: clueless } }, { paretoNbd: PARETO, bgcnbd: null }).blend).toEqual({ pOrder90d: { family: 'bgnbd', weight: 1 }, wait: { family: 'bgnbd', weight: 1 }, paretoNbd: null });
    // Nothing shows the booster better: the guard keeps the four fitted numbers.
    expect(chooseBlend(inner, { booster: right, btyd: { bgnbd: right } }, NO_OTHER_FITS).blend).toEqual({ pOrder90d: { family: 'bgnbd', weight: 0 }, wait: { family: 'bgnbd', weight: 0 }, paretoNbd: null });
  });

  it("takes the best BTYD model alone when the booster's edge over it is within noise, and keeps the booster when it is clear, with the guard's intervals", () => {
    // The booster is BG/NBD's answers made right for 2 of the 300 customers: the best candidate on
    // both metrics, by an edge that a resample without those 2 customers (about one in seven) erases.
    const lucky = (values: Float64Array, truth: Float64Array) => values.map((v, i) => (i < 2 ? truth[i]! : v));
    const fair = { pOrder90d: flat(0.5).map((v, i) => (i % 3 === 0 ? truthP[i]! : v)), wait: flat(60).map((v, i) => (i % 3 === 0 ? truthWait[i]! : v)) };
    const chance = chooseBlend(inner, { booster: { pOrder90d: lucky(fair.pOrder90d, truthP), wait: lucky(fair.wait, truthWait) }, btyd: { bgnbd: fair } }, NO_OTHER_FITS);
    expect(chance.selection.blend_wait!.candidates['booster: mae_days']).toBeLessThan(chance.selection.blend_wait!.candidates['bgnbd: mae_days']!);
    expect(chance.blend).toEqual({ pOrder90d: { family: 'bgnbd', weight: 0 }, wait: { family: 'bgnbd', weight: 0 }, paretoNbd: null });
    expect(chance.selection.blend_wait!.criterion).toMatch(/; booster not better than bgnbd alone beyond noise on mae_days or c_index \(paired bootstrap, 200 resamples of the held-out customers, 95%\): bgnbd alone$/);
    expect(chance.selection.blend_wait!.chosen).toBe('bgnbd');
    expect(chance.selection.blend_wait!.candidates['guard: mae_days advantage of booster over bgnbd, 95% low']).toBe(0);
    // Right for every customer, the booster's edge is beyond noise on both metrics: kept.
    const clear = chooseBlend(inner, { booster: right, btyd: { bgnbd: fair } }, NO_OTHER_FITS);
    expect(clear.blend).toEqual({ pOrder90d: { family: 'bgnbd', weight: 1 }, wait: { family: 'bgnbd', weight: 1 }, paretoNbd: null });
    expect(clear.selection.blend_p_order_90d!.criterion).toMatch(/; booster better than bgnbd alone beyond noise on brier_90d or auc_90d \(paired bootstrap/);
    expect(clear.selection.blend_p_order_90d!.candidates['guard: brier_90d advantage of booster over bgnbd, 95% low']).toBeGreaterThan(0);
    expect(clear.selection.blend_p_order_90d!.candidates['guard: auc_90d advantage of booster over bgnbd, 95% low']).toBeGreaterThan(0);
  });

  it('guards a base larger than it resamples (a seeded subsample of 20,000 held-out customers), the same way every run', () => {
    const many = Array.from({ length: CHOICE_GUARD.maxCustomers + 5_000 }, (_, i) => 15 + ((i * 37) % 180));
    const big = cutoff(many);
    const truth = { pOrder90d: Float64Array.from(big.orderedWithin90d, (o) => (o ? 0.8 : 0.2)), wait: Float64Array.from(many, (g) => g - 10) };
    // BG/NBD right for every third customer; the booster for every third but one more in 500: a real edge, and a small one.
    const partly = (edge: boolean) => ({
      pOrder90d: truth.pOrder90d.map((v, i) => (i % 3 === 0 || (edge && i % 500 === 1) ? v : 0.5)),
      wait: truth.wait.map((v, i) => (i % 3 === 0 || (edge && i % 500 === 1) ? v : 60)),
    });
    const answers = { booster: partly(true), btyd: { bgnbd: partly(false) } };
    const first = chooseBlend(big, answers, NO_OTHER_FITS);
    expect(first.selection).toEqual(chooseBlend(big, answers, NO_OTHER_FITS).selection);
    expect(first.selection.blend_wait!.criterion).toMatch(/25000 held-out customers; booster better than bgnbd alone beyond noise/);
    expect(first.blend.wait).toEqual({ family: 'bgnbd', weight: 1 });
  });

  it('mixes them when each is half right', () => {
    // Booster right on the first half of customers, BG/NBD on the second, each flat elsewhere.
    const half = (first: boolean) => (v: number, i: number) => (i < gaps.length / 2 === first ? v : 0.5);
    const { blend } = chooseBlend(inner, { booster: { pOrder90d: truthP.map(half(true)), wait: truthWait }, btyd: { bgnbd: { pOrder90d: truthP.map(half(false)), wait: truthWait } } }, NO_OTHER_FITS);
    expect(blend.pOrder90d).toEqual({ family: 'bgnbd', weight: 0.5 });
  });

  it('takes BG/NBD alone, saying why, with too few customers to choose on; the booster alone with no BTYD answer', () => {
    const small = cutoff(gaps.slice(0, 40));
    const cut = (a: { pOrder90d: Float64Array; wait: Float64Array }) => ({ pOrder90d: a.pOrder90d.subarray(0, 40), wait: a.wait.subarray(0, 40) });
    const few = chooseBlend(small, { booster: cut(right), btyd: { bgnbd: cut(clueless), pareto_nbd: cut(right) } }, { paretoNbd: PARETO, bgcnbd: null });
    // Even where the booster would have been right: 40 customers are not evidence enough to trust it over four fitted numbers.
    expect(few.blend).toEqual({ pOrder90d: { family: 'bgnbd', weight: 0 }, wait: { family: 'bgnbd', weight: 0 }, paretoNbd: null });
    expect(few.selection.blend_wait!.criterion).toBe('too few customers to choose on at the inner cutoff 200 days before the end of training, 40 held-out customers (fewer than 50): bgnbd alone');
    expect(few.selection.blend_p_order_90d!.chosen).toBe('bgnbd');
    // Pareto/NBD alone, with its fit, where only it answers.
    expect(chooseBlend(small, { booster: cut(right), btyd: { pareto_nbd: cut(right) } }, { paretoNbd: PARETO, bgcnbd: null }).blend).toEqual({ pOrder90d: { family: 'pareto_nbd', weight: 0 }, wait: { family: 'pareto_nbd', weight: 0 }, paretoNbd: PARETO });
    const none = chooseBlend(inner, { booster: clueless, btyd: { bgnbd: { pOrder90d: flat(Number.NaN), wait: flat(Number.NaN) } } }, NO_OTHER_FITS);
    expect(none.blend.wait.weight).toBe(1);
    expect(none.selection.blend_wait!.criterion).toMatch(/^no BTYD fit answers at .*: the booster alone$/);
    expect(chooseBlend(inner, { booster: clueless, btyd: {} }, NO_OTHER_FITS).blend.pOrder90d.weight).toBe(1);
  });

  it('takes BG/CNBD-k, with its fit, as a candidate and where the evidence is too thin, when its likelihood found regular buyers', () => {
    const BGCNBD = { r: 4, alpha: 120, a: 1, b: 11, k: 4 };
    const chosen = chooseBlend(inner, { booster: clueless, btyd: { bgnbd: clueless, bgcnbd: right } }, { paretoNbd: null, bgcnbd: BGCNBD });
    expect(chosen.blend).toEqual({ pOrder90d: { family: 'bgcnbd', weight: 0 }, wait: { family: 'bgcnbd', weight: 0 }, paretoNbd: null, bgcnbd: BGCNBD });
    expect(Object.keys(chosen.selection.blend_p_order_90d!.candidates)).toHaveLength(2 * 9);
    const small = cutoff(gaps.slice(0, 40));
    const cut = (a: { pOrder90d: Float64Array; wait: Float64Array }) => ({ pOrder90d: a.pOrder90d.subarray(0, 40), wait: a.wait.subarray(0, 40) });
    const few = chooseBlend(small, { booster: cut(right), btyd: { bgnbd: cut(clueless), bgcnbd: cut(clueless) } }, { paretoNbd: null, bgcnbd: BGCNBD });
    expect(few.blend).toEqual({ pOrder90d: { family: 'bgcnbd', weight: 0 }, wait: { family: 'bgcnbd', weight: 0 }, paretoNbd: null, bgcnbd: BGCNBD });
    expect(few.selection.blend_wait!.criterion).toMatch(/\(fewer than 50\): bgcnbd alone$/);
    // Unused, it stays out of the blend.
    expect(chooseBlend(inner, { booster: right, btyd: { bgnbd: clueless, bgcnbd: clueless } }, { paretoNbd: null, bgcnbd: BGCNBD }).blend).not.toHaveProperty('bgcnbd');
  });

  it('takes BG/NBD alone for an output whose outcomes are too few to rank by, and still chooses the other', () => {
    // 300 customers who all order within 90 days: nothing for brier_90d and auc_90d to tell apart.
    const busy = cutoff(Array.from({ length: 300 }, (_, i) => 12 + (i % 60)));
    const truth = Float64Array.from(busy.gapDays, (g) => g - 10);
    const n = busy.gapDays.length;
    const { blend, selection } = chooseBlend(busy, { booster: { pOrder90d: new Float64Array(n).fill(0.9), wait: truth }, btyd: { bgnbd: { pOrder90d: new Float64Array(n).fill(0.95), wait: new Float64Array(n).fill(30) } } }, NO_OTHER_FITS);
    expect(blend.pOrder90d).toEqual({ family: 'bgnbd', weight: 0 });
    expect(selection.blend_p_order_90d!.criterion).toBe('too few customers of either 90-day outcome to choose on (fewer than 10) at the inner cutoff 200 days before the end of training, 300 held-out customers: bgnbd alone');
    expect(Object.keys(selection.blend_p_order_90d!.candidates)).toHaveLength(2 * 5);
    // The wait, whose returns are many, is chosen as ever: the booster's is the right one.
    expect(blend.wait).toEqual({ family: 'bgnbd', weight: 1 });
    expect(selection.blend_wait!.criterion).toMatch(/^least rank sum of mae_days and c_index/);
  });
});

describe('heldOutShare', () => {
  it('keeps the share on a large base and raises it to 100 customers, at most a third, on a small one', () => {
    expect(heldOutShare(3000, 0.2)).toBe(0.2);
    expect(heldOutShare(500, 0.2)).toBe(0.2);
    expect(heldOutShare(499, 0.2)).toBeCloseTo(100 / 499, 12);
    expect(heldOutShare(500, 0.1)).toBe(0.2);
    expect(heldOutShare(200, 0.2)).toBeCloseTo(66 / 200, 12);
    expect(heldOutShare(200, 0.5)).toBe(0.5);
    expect(heldOutShare(2, 0.1)).toBe(0.1);
    expect(heldOutShare(200, 0)).toBe(0);
  });
});
