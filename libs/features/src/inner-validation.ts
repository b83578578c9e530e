import { customerSegments, HORIZON_DAYS, type ModelSelection, NextBuyError, type ScoringTable, type TrainingTable, trainingAsOfDay, trainingFirstDay } from '@nextbuy/contracts';
import {
  type BgCnbdParams,
  bgcnbdScoreMany,
  type BgNbdParams,
  bgnbdMedianWaitWithin,
  bgnbdPOrderWithin,
  fitBgCnbd,
  fitBgNbd,
  fitParetoNbd,
  type ParetoNbdParams,
  paretoNbdScoreMany,
  scoringSummaries,
  trainingLogGapSum,
  trainingSummaries,
} from '@nextbuy/btyd-model';
import { createRng, shuffle } from '@nextbuy/random';
import { percentileInterval, type PercentileInterval } from './bootstrap';
import { auc, brier, concordanceIndex, maeDays } from './metrics';

/*
 * The choice, at a cutoff inside the training period, between a model's own answers, a BTYD
 * model's and their blends, for each output separately. Model-independent: the XGBoost default
 * and the LSTM each pass their own answers and the word that names them in the labels
 * (`booster`, `network`); the XGBoost default's labels and stored JSON were written with
 * `booster`, which stays the default.
 */

/**
 * An inner cutoff inside the training period, scored the way the backtest scores the real one:
 * the chosen customers as of `asOfDay` (their orders before it) and what they did next, which the
 * training table knows because its labels run `followUpDays` further.
 */
export interface InnerCutoff {
  score: ScoringTable;
  asOfDay: number;
  followUpDays: number;
  /** Per scored customer: the gap from their last order before the cutoff to the next (or to the end, censored). */
  gapDays: Float64Array;
  observed: Uint8Array;
  /** Ordered within 90 days after the cutoff. */
  orderedWithin90d: Uint8Array;
  /** Ordered within the follow-up: the customers `mae_days` is computed over. */
  returnedWithinFollowUp: Uint8Array;
}

const YEAR_DAYS = 365;

/**
 * The follow-up of the inner cutoff. With two years of history or more it is a year: the inner
 * cutoff then falls on the same date a year before the end of training, so the 90 days it scores
 * are in the season of the 90 days the model is asked about (a quarter of a three-year span put a
 * March cutoff's inner cutoff in July, and on a seasonal base it chose a wait that lost 3.8 days
 * of `mae_days` to Kaplan-Meier; a year back, it chose one that won by 7.8). A shorter history has
 * no such date with a year before it, and gets a quarter of its span, at least the 90-day
 * horizon, so that it keeps most of its orders before the inner cutoff.
 */
export function innerFollowUpDays(spanDays: number): number {
  if (spanDays >= 2 * YEAR_DAYS) return YEAR_DAYS;
  return Math.min(YEAR_DAYS, Math.max(HORIZON_DAYS, Math.round(spanDays / 4)));
}

/**
 * The inner cutoff of a training table (rows of a customer contiguous, in date order) for the
 * customers `include` keeps; undefined when the table's span leaves no room for it (the cutoff
 * must have orders before it and the 90-day horizon after it).
 */
export function innerCutoff(table: TrainingTable, include: (customerId: string) => boolean): InnerCutoff | undefined {
  if (table.nRows === 0) return undefined;
  const end = trainingAsOfDay(table);
  const first = trainingFirstDay(table);
  const followUpDays = innerFollowUpDays(end - first);
  const asOfDay = Math.ceil(end - followUpDays);
  if (!(asOfDay > first)) return undefined;
  const ncol = table.featureNames.length;
  const rows: number[] = [];
  const lastRow: number[] = [];
  for (const { customerId, start, end } of customerSegments(table)) {
    if (!include(customerId)) continue;
    let row = start;
    while (row < end && table.orderDay[row]! < asOfDay) rows.push(row++);
    if (row > start) lastRow.push(rows.length - 1);
  }
  const values = new Float32Array(rows.length * ncol);
  rows.forEach((row, i) => values.set(table.values.subarray(row * ncol, (row + 1) * ncol), i * ncol));
  const source = lastRow.map((i) => rows[i]!);
  const next = source.map((row) => (table.censored[row] ? Infinity : table.orderDay[row]! + table.gapDays[row]!));
  return {
    score: {
      featureNames: table.featureNames,
      nRows: rows.length,
      values,
      customerIds: rows.map((row) => table.customerIds[row]!),
      orderDay: Int32Array.from(rows, (row) => table.orderDay[row]!),
      asOfDay,
      lastRow: Int32Array.from(lastRow),
      elapsedDays: Float64Array.from(source, (row) => asOfDay - table.orderDay[row]!),
    },
    asOfDay,
    followUpDays,
    gapDays: Float64Array.from(source, (row) => table.gapDays[row]!),
    observed: Uint8Array.from(source, (row) => 1 - table.censored[row]!),
    orderedWithin90d: Uint8Array.from(next, (day) => (day - asOfDay < HORIZON_DAYS ? 1 : 0)),
    returnedWithinFollowUp: Uint8Array.from(next, (day) => (day - asOfDay < followUpDays ? 1 : 0)),
  };
}

/**
 * The customer-base models a blend may take its other part from. `bgcnbd` (BG/CNBD-k) is a
 * candidate only where its likelihood chose k above 1 (customers who buy on a cycle): at k = 1 it
 * is BG/NBD.
 */
export const BTYD_FAMILIES = ['bgnbd', 'pareto_nbd', 'bgcnbd'] as const;
export type BtydFamily = (typeof BTYD_FAMILIES)[number];

/** Weights of the model's own answer in a blend with a BTYD model's, from 1 (the model alone) to 0 (the BTYD model alone). */
export const BLEND_WEIGHTS = [1, 0.75, 0.5, 0.25, 0] as const;

/** One output's blend: `weight` of the model's own answer, the rest of `family`'s. */
export interface BlendChoice {
  family: BtydFamily;
  weight: number;
}

/** How much of the model's own answers each output keeps, and the Pareto/NBD and BG/CNBD-k fits when a blend uses them. */
export interface Blend {
  pOrder90d: BlendChoice;
  wait: BlendChoice;
  paretoNbd: ParetoNbdParams | null;
  /** Present when a blend uses BG/CNBD-k (blends chosen before it existed have none). */
  bgcnbd?: BgCnbdParams;
}

/** The model alone: what artifacts written before blending existed serve. */
export const MODEL_ONLY: Blend = { pOrder90d: { family: 'bgnbd', weight: 1 }, wait: { family: 'bgnbd', weight: 1 }, paretoNbd: null };

const PROBABILITY_FLOOR = 1e-9;
const logit = (p: number) => {
  const q = Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, p));
  return Math.log(q / (1 - q));
};

/** `weight` of the model's probability and the rest of the BTYD model's, averaged as log-odds; the model's alone where the other has none. */
export function blendProbability(own: number, btyd: number, weight: number): number {
  if (weight === 1 || !Number.isFinite(btyd)) return own;
  return 1 / (1 + Math.exp(-(weight * logit(own) + (1 - weight) * logit(btyd))));
}

/** `weight` of the model's wait and the rest of the BTYD model's, averaged as logarithms (waits are skewed); the model's alone where the other has none. */
export function blendWait(own: number, btyd: number, weight: number): number {
  if (weight === 1 || !Number.isFinite(btyd)) return own;
  const floor = 0.5;
  return Math.exp(weight * Math.log(Math.max(floor, own)) + (1 - weight) * Math.log(Math.max(floor, btyd)));
}

/** One model's answers for the inner cutoff's customers. */
export interface Answers {
  pOrder90d: Float64Array;
  wait: Float64Array;
}

/**
 * The model's own answers and those of each BTYD model fitted (a family is absent when it could
 * not be). The field keeps the name it had when the XGBoost default was the only model to blend.
 */
export interface InnerAnswers {
  booster: Answers;
  btyd: Partial<Record<BtydFamily, Answers>>;
}

/**
 * Fewest held-out customers for the inner cutoff to choose anything: below, BG/NBD alone (its
 * four numbers are estimated well from far fewer customers than a booster's trees or a network's
 * weights: on bases of 60 to 200 customers drawn from the zoo, the booster alone lost to BG/NBD
 * in 66 columns and won 26, by up to 0.31 of AUC). Fewest of one output's outcomes among them
 * (customers of either 90-day outcome; customers returning within the follow-up): below, BG/NBD
 * alone for that output (everyone, or no one, ordering within 90 days leaves nothing to rank).
 */
const MIN_CUSTOMERS = 50;
const MIN_OF_EACH_OUTCOME = 10;

/** Customers held out at least on a small base (`heldOutShare`), so that the inner cutoff has `MIN_CUSTOMERS` to choose on. */
const MIN_HELD_OUT_CUSTOMERS = 100;
const MAX_RAISED_SHARE = 1 / 3;

/**
 * The share of `customers` a model holds out for early stopping and the inner cutoff's choice:
 * `share`, raised on a small base to hold out `MIN_HELD_OUT_CUSTOMERS` (at most a third of the
 * customers; a base of 300 or fewer holds out a third). Bases of `MIN_HELD_OUT_CUSTOMERS / share`
 * customers or more keep `share`. 0 stays 0 (nothing held out). (The LSTM's tenth of tiny-shop's
 * 500 customers left 35 to 40 with orders before the inner cutoff, and it kept the network alone
 * there, losing to BTYD by up to 6 days of `mae_days` and 0.02 of AUC.)
 */
export function heldOutShare(customers: number, share: number): number {
  if (!(share > 0) || customers < 1) return share > 0 ? share : 0;
  return Math.max(share, Math.min(MIN_HELD_OUT_CUSTOMERS, Math.floor(customers * MAX_RAISED_SHARE)) / customers);
}

/** The word naming the model's own answer in labels when none is given: the XGBoost default's, as its artifacts store it. */
export const DEFAULT_OWN_LABEL = 'booster';

/** A candidate's name, `own` naming the model's answer: `booster`, `bgnbd`, or `booster 0.75 + pareto_nbd 0.25`. */
export function blendLabel({ family, weight }: BlendChoice, own: string = DEFAULT_OWN_LABEL): string {
  return weight === 1 ? own : weight === 0 ? family : `${own} ${weight} + ${family} ${1 - weight}`;
}

/** The model alone, and why, as both outputs' selection (`own` names the model). */
export function modelAlone(why: string, own: string = DEFAULT_OWN_LABEL): { blend: Blend; selection: Record<string, ModelSelection> } {
  const reason = { criterion: `${why}: the ${own} alone`, candidates: {}, chosen: own };
  return { blend: MODEL_ONLY, selection: { blend_p_order_90d: reason, blend_wait: reason } };
}

/** The fits a blend may need besides BG/NBD (which the model keeps anyway). */
export type OtherFits = Pick<BtydFits, 'paretoNbd' | 'bgcnbd'>;

/** The blend of two choices, with the fits of the families they use. */
function blendOf(pOrder90d: BlendChoice, wait: BlendChoice, fits: OtherFits): Blend {
  const uses = (family: BtydFamily) => [pOrder90d, wait].some((c) => c.weight < 1 && c.family === family);
  return { pOrder90d, wait, paretoNbd: uses('pareto_nbd') ? fits.paretoNbd : null, ...(uses('bgcnbd') && fits.bgcnbd ? { bgcnbd: fits.bgcnbd } : {}) };
}

/** A BTYD model alone for both outputs, and why, as both outputs' selection. */
function btydAlone(family: BtydFamily, why: string, fits: OtherFits): { blend: Blend; selection: Record<string, ModelSelection> } {
  const alone: BlendChoice = { family, weight: 0 };
  const reason = { criterion: `${why}: ${blendLabel(alone)} alone`, candidates: {}, chosen: blendLabel(alone) };
  return { blend: blendOf(alone, { ...alone }, fits), selection: { blend_p_order_90d: reason, blend_wait: { ...reason } } };
}

/**
 * The BTYD model taken where the evidence is too thin to choose: BG/CNBD-k where its likelihood
 * found the customers regular (a small base of replenishment buyers lost 0.046 of Brier to
 * Kaplan-Meier with BG/NBD, whose Poisson purchasing cannot say a customer is due), else BG/NBD,
 * else the one that answers.
 */
function thinEvidenceFamily(families: readonly BtydFamily[]): BtydFamily {
  return families.includes('bgcnbd') ? 'bgcnbd' : families[0]!;
}

/** Each value's rank among `values` (1 the best, ties sharing their mean rank). */
function ranks(values: readonly number[], higherIsBetter: boolean): number[] {
  const order = values.map((v, i) => [higherIsBetter ? -v : v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

interface Scored {
  choice: BlendChoice;
  /** The two metrics of the output, the first (an error) breaking ties. */
  first: number;
  second: number;
  /** The candidate's answer for each held-out customer (the guard resamples them). */
  values: Float64Array;
}

/**
 * An output's two metrics (the first an error, the second higher-better) on the held-out customers
 * `rows` (with repeats: a resample): given the rows, a scorer of any candidate's answers, so that
 * the truths are picked once for the two candidates compared.
 */
type OutputMetrics = (rows: Int32Array) => (values: Float64Array) => [number | null, number | null];

/**
 * The guard against choosing by chance: resamples of the held-out customers, the coverage of the
 * percentile interval, the resampler's seed (fixed: the same data makes the same choice), and the
 * most customers it resamples. Beyond that many, a seeded subsample of them: each resample scores
 * both candidates in O(n log n) (c-index, AUC), 50 s for 100,000 customers against 4 s for 10,000,
 * and at 20,000 an edge of 0.001 of c-index or AUC is already beyond noise (bench:quality's
 * intervals on large-base: +-0.0002 with 49,500 customers).
 */
export const CHOICE_GUARD = { resamples: 200, level: 0.95, seed: 20_140_517, maxCustomers: 20_000 } as const;

/** Values at `rows` (a plain loop: `Float64Array.from` with a callback was a third of the guard's time). */
function pick(rows: Int32Array, from: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = from[rows[i]!]!;
  return out;
}

/** How a candidate did against the BTYD model alone: its advantage on each of the output's two metrics (positive: the candidate better), as percentile intervals over resamples. */
interface GuardIntervals {
  first: PercentileInterval;
  second: PercentileInterval;
}

/**
 * A paired bootstrap over the held-out customers (each resample scores both on the same
 * customers) of `candidate`'s advantage over `reference` on the output's two metrics. Written here
 * rather than taken from bench:quality's `marginIntervals`, which resamples a backtest's scored
 * customers through its result: the inner cutoff has answers and truths, not a backtest.
 */
function guardIntervals(candidate: Scored, reference: Scored, metrics: OutputMetrics): GuardIntervals {
  const n = candidate.values.length;
  const rng = createRng(CHOICE_GUARD.seed);
  const customers = Int32Array.from({ length: n }, (_, i) => i);
  if (n > CHOICE_GUARD.maxCustomers) shuffle(customers, rng);
  const m = Math.min(n, CHOICE_GUARD.maxCustomers);
  const rows = new Int32Array(m);
  const first: number[] = [];
  const second: number[] = [];
  for (let b = 0; b < CHOICE_GUARD.resamples; b++) {
    for (let i = 0; i < m; i++) rows[i] = customers[Math.floor(rng() * m)]!;
    const score = metrics(rows);
    const [c1, c2] = score(candidate.values);
    const [r1, r2] = score(reference.values);
    if (c1 !== null && r1 !== null) first.push(r1 - c1);
    if (c2 !== null && r2 !== null) second.push(c2 - r2);
  }
  return { first: percentileInterval(first, CHOICE_GUARD.level), second: percentileInterval(second, CHOICE_GUARD.level) };
}

/**
 * Whether the guard keeps a candidate that uses the model's own answers over the best BTYD model
 * alone: better beyond noise on one of the output's two metrics at least. Otherwise the
 * customer-base model's four numbers, which the held-out customers cannot tell apart from the
 * candidate, are the answer: the simpler model unless the evidence for the other is clear, as the
 * one-standard-error rule of model selection has it (Hastie, Tibshirani and Friedman 2009, 7.10),
 * here at `CHOICE_GUARD.level` (at 68%, one standard error, bench:quality lost 22 columns beyond
 * noise instead of 18 and won 39 instead of 38). A candidate better on one metric and worse on the
 * other, both beyond noise, is a real trade, which the rank sum has already weighed: kept. An
 * undefined comparison (NaN) keeps nothing.
 */
function guardKeeps({ first, second }: GuardIntervals): boolean {
  return first.low > ROUNDING || second.low > ROUNDING;
}

/** Differences this small are rounding (a blend of equal answers, through logarithms), not an edge. */
const ROUNDING = 1e-9;

/**
 * The candidate with the least sum of its ranks on the output's two backtest metrics (scale-free:
 * neither metric's units swamp the other's), ties going to the smaller error, then to the
 * model's larger share (candidates come in that order).
 */
function best(scored: readonly Scored[], secondHigherIsBetter: boolean): Scored {
  const firstRanks = ranks(scored.map((c) => c.first), false);
  const secondRanks = ranks(scored.map((c) => c.second), secondHigherIsBetter);
  let at = 0;
  for (let i = 1; i < scored.length; i++) {
    const [sum, bestSum] = [firstRanks[i]! + secondRanks[i]!, firstRanks[at]! + secondRanks[at]!];
    if (sum < bestSum || (sum === bestSum && scored[i]!.first < scored[at]!.first)) at = i;
  }
  return scored[at]!;
}

/**
 * Chooses each output's blend on the inner cutoff, scored as the backtest scores the real one:
 * the 90-day probability by `brier_90d` and `auc_90d`, the wait by `mae_days` (customers who
 * return within the follow-up, waits predicted for that horizon, as protocol v3 does) and
 * `c_index`; among the model alone, each BTYD model alone and their blends (`best`), a winner
 * holding the model's answers kept only where it beats the best BTYD model alone beyond noise
 * (`guarded`). Each selection lists every candidate's two figures, labelled with `own` for the
 * model's answer, and the guard's intervals where it was asked.
 * Where the evidence is too thin to choose (fewer than `MIN_CUSTOMERS` held-out customers, or,
 * for one output, fewer than `MIN_OF_EACH_OUTCOME` of its outcomes), the BTYD model alone
 * (BG/NBD where it answers), and the selection says so.
 */
export function chooseBlend(inner: InnerCutoff, answers: InnerAnswers, fits: OtherFits, own: string = DEFAULT_OWN_LABEL): { blend: Blend; selection: Record<string, ModelSelection> } {
  const n = inner.score.lastRow.length;
  let ordered = 0;
  for (const o of inner.orderedWithin90d) ordered += o;
  const families = BTYD_FAMILIES.filter((family) => answers.btyd[family]?.pOrder90d.every(Number.isFinite));
  const where = `the inner cutoff ${inner.followUpDays} days before the end of training, ${n} held-out customers`;
  if (families.length === 0) return modelAlone(`no BTYD fit answers at ${where}`, own);
  if (n < MIN_CUSTOMERS) return btydAlone(thinEvidenceFamily(families), `too few customers to choose on at ${where} (fewer than ${MIN_CUSTOMERS})`, fits);
  const choices: BlendChoice[] = [{ family: families[0]!, weight: 1 }];
  for (const weight of BLEND_WEIGHTS) if (weight < 1) for (const family of families) choices.push({ family, weight });
  // Each output's two metrics, defined once: on all held-out customers for the rank sum, and on
  // each resample of them for the guard.
  const probabilityMetrics: OutputMetrics = (rows) => {
    const labels = pick(rows, inner.orderedWithin90d);
    return (values) => {
      const p = pick(rows, values);
      return [brier(p, labels), auc(p, labels)];
    };
  };
  const waitMetrics: OutputMetrics = (rows) => {
    const [truth, returned, observed] = [pick(rows, inner.gapDays), pick(rows, inner.returnedWithinFollowUp), pick(rows, inner.observed)];
    return (values) => {
      const gaps = pick(rows, values);
      return [maeDays(gaps, truth, returned), concordanceIndex(gaps, truth, observed)];
    };
  };
  const everyone = Int32Array.from({ length: n }, (_, i) => i);
  const [scoreProbability, scoreWait] = [probabilityMetrics(everyone), waitMetrics(everyone)];
  const probability: Scored[] = [];
  const wait: Scored[] = [];
  for (const choice of choices) {
    const other = answers.btyd[choice.family]!;
    const p = answers.booster.pOrder90d.map((q, i) => blendProbability(q, other.pOrder90d[i]!, choice.weight));
    const [brierP, aucP] = scoreProbability(p);
    probability.push({ choice, first: brierP ?? Infinity, second: aucP ?? 0, values: p });
    const gaps = answers.booster.wait.map((w, i) => inner.score.elapsedDays[i]! + blendWait(w, other.wait[i]!, choice.weight));
    const [mae, c] = scoreWait(gaps);
    wait.push({ choice, first: mae ?? Infinity, second: c ?? 0, values: gaps });
  }
  let returned = 0;
  for (const r of inner.returnedWithinFollowUp) returned += r;
  // An output whose outcomes are too few to rank candidates by (everyone or no one ordering within
  // 90 days; fewer than 10 returning within the follow-up) takes the BTYD model alone, as too few
  // customers do; the candidates' figures are listed all the same.
  const fallback: BlendChoice = { family: thinEvidenceFamily(families), weight: 0 };
  const decidable = { p: ordered >= MIN_OF_EACH_OUTCOME && n - ordered >= MIN_OF_EACH_OUTCOME, wait: returned >= MIN_OF_EACH_OUTCOME };
  const tooFew = (outcomes: string) => `too few ${outcomes} to choose on (fewer than ${MIN_OF_EACH_OUTCOME}) at ${where}: ${blendLabel(fallback, own)} alone`;
  const p = decidable.p ? guarded(probability, true, probabilityMetrics, ['brier_90d', 'auc_90d'], own) : undefined;
  const w = decidable.wait ? guarded(wait, true, waitMetrics, ['mae_days', 'c_index'], own) : undefined;
  const chosenP = p?.choice ?? fallback;
  const chosenWait = w?.choice ?? fallback;
  const table = (scored: Scored[], [first, second]: [string, string], guard?: Record<string, number>) => ({
    ...Object.fromEntries(scored.flatMap((c) => [[`${blendLabel(c.choice, own)}: ${first}`, c.first], [`${blendLabel(c.choice, own)}: ${second}`, c.second]])),
    ...guard,
  });
  return {
    blend: blendOf(chosenP, chosenWait, fits),
    selection: {
      blend_p_order_90d: {
        criterion: p ? `least rank sum of brier_90d and auc_90d at ${where}${p.why}` : tooFew('customers of either 90-day outcome'),
        candidates: table(probability, ['brier_90d', 'auc_90d'], p?.figures),
        chosen: blendLabel(chosenP, own),
      },
      blend_wait: {
        criterion: w ? `least rank sum of mae_days and c_index at ${where}${w.why}` : tooFew(`customers returning within the ${inner.followUpDays}-day follow-up`),
        candidates: table(wait, ['mae_days', 'c_index'], w?.figures),
        chosen: blendLabel(chosenWait, own),
      },
    },
  };
}

/**
 * The output's choice: the best candidate by rank sum (`best`), kept when it is a BTYD model
 * alone or when the guard finds it better than the best BTYD model alone beyond noise
 * (`guardKeeps`); else that BTYD model. Returns the reason's ending for the criterion and the
 * guard's intervals as figures of the selection.
 */
function guarded(
  scored: readonly Scored[],
  secondHigherIsBetter: boolean,
  metrics: OutputMetrics,
  [first, second]: [string, string],
  own: string,
): { choice: BlendChoice; why: string; figures?: Record<string, number> } {
  const top = best(scored, secondHigherIsBetter);
  if (top.choice.weight === 0) return { choice: top.choice, why: '' };
  const reference = best(
    scored.filter((c) => c.choice.weight === 0),
    secondHigherIsBetter,
  );
  const intervals = guardIntervals(top, reference, metrics);
  const keeps = guardKeeps(intervals);
  const [topLabel, referenceLabel] = [blendLabel(top.choice, own), blendLabel(reference.choice, own)];
  const level = `${CHOICE_GUARD.level * 100}%`;
  const figures = {
    [`guard: ${first} advantage of ${topLabel} over ${referenceLabel}, ${level} low`]: intervals.first.low,
    [`guard: ${first} advantage of ${topLabel} over ${referenceLabel}, ${level} high`]: intervals.first.high,
    [`guard: ${second} advantage of ${topLabel} over ${referenceLabel}, ${level} low`]: intervals.second.low,
    [`guard: ${second} advantage of ${topLabel} over ${referenceLabel}, ${level} high`]: intervals.second.high,
  };
  const test = `better than ${referenceLabel} alone beyond noise on ${first} or ${second} (paired bootstrap, ${CHOICE_GUARD.resamples} resamples of the held-out customers, ${level})`;
  // A metric no resample defines (NaN) is left out: selections hold finite figures.
  for (const [key, value] of Object.entries(figures)) if (!Number.isFinite(value)) delete figures[key];
  return keeps ? { choice: top.choice, why: `; ${topLabel} ${test}`, figures } : { choice: reference.choice, why: `; ${topLabel} not ${test}: ${referenceLabel} alone`, figures };
}

/** The BTYD models a blend may use, fitted on a training table; a family is null when it cannot be fitted. */
export interface BtydFits {
  bgnbd: BgNbdParams | null;
  paretoNbd: ParetoNbdParams | null;
  /** Only where its likelihood chose k above 1 (else it is BG/NBD): null otherwise. */
  bgcnbd: BgCnbdParams | null;
}

/** BG/NBD fitted on the training table's customers; null when it cannot be (no customer ordered twice). */
export function fitBgNbdIfPossible(table: TrainingTable): BgNbdParams | null {
  const summaries = trainingSummaries(table);
  if (!summaries.x.some((x) => x > 0)) return null;
  return fitBgNbd(summaries).params;
}

/** Pareto/NBD fitted on the training table; null where its optimiser gives up on data BG/NBD fits (then blends use BG/NBD only). */
export function fitParetoNbdIfPossible(table: TrainingTable): ParetoNbdParams | null {
  try {
    return fitParetoNbd(trainingSummaries(table)).params;
  } catch (error) {
    if (!(error instanceof NextBuyError)) throw error;
    return null;
  }
}

/**
 * BG/CNBD-k fitted on the training table (its k chosen by likelihood, from BG/NBD's fit), where
 * that k is above 1; null where it is 1 (BG/NBD itself) or the fit gives up.
 */
export function fitBgCnbdIfPossible(table: TrainingTable, bgnbd: BgNbdParams | null): BgCnbdParams | null {
  try {
    const { params } = fitBgCnbd(trainingSummaries(table), trainingLogGapSum(table), undefined, bgnbd ?? undefined);
    return params.k > 1 ? params : null;
  } catch (error) {
    if (!(error instanceof NextBuyError)) throw error;
    return null;
  }
}

/**
 * The answers of the BTYD `families` asked for (those fitted) for the customers of `input`: the
 * 90-day probability and the median wait among those who order within `returnHorizonDays`.
 */
export function btydAnswers(input: ScoringTable, fits: BtydFits, returnHorizonDays: number, families: readonly BtydFamily[]): Partial<Record<BtydFamily, Answers>> {
  const btyd: Partial<Record<BtydFamily, Answers>> = {};
  if (families.length === 0) return btyd;
  const s = scoringSummaries(input);
  const { bgnbd, paretoNbd, bgcnbd } = fits;
  if (bgcnbd && families.includes('bgcnbd')) {
    const scores = bgcnbdScoreMany(bgcnbd, s.x, s.tx, s.T, HORIZON_DAYS, returnHorizonDays);
    btyd.bgcnbd = { pOrder90d: scores.pOrderWithin, wait: scores.medianWait };
  }
  if (bgnbd && families.includes('bgnbd')) {
    btyd.bgnbd = {
      pOrder90d: s.x.map((x, i) => bgnbdPOrderWithin(bgnbd, x, s.tx[i]!, s.T[i]!, HORIZON_DAYS)),
      wait: s.x.map((x, i) => bgnbdMedianWaitWithin(bgnbd, x, s.T[i]!, returnHorizonDays)),
    };
  }
  if (paretoNbd && families.includes('pareto_nbd')) {
    const scores = paretoNbdScoreMany(paretoNbd, s.x, s.tx, s.T, HORIZON_DAYS, returnHorizonDays);
    btyd.pareto_nbd = { pOrder90d: scores.pOrderWithin, wait: scores.medianWait };
  }
  return btyd;
}

/**
 * The choice a fitted model makes at the inner cutoff of its training data, as both model types
 * make it: on the customers of `validation` when given, else on those of `train` that `heldOut`
 * keeps (those the model was not trained on); BG/NBD from `fitBgNbd` (asked only once an inner
 * cutoff with customers exists) and Pareto/NBD fitted on `train` (where its optimiser gives up,
 * blends use BG/NBD only); `answersAt` gives the model's and those families' answers for the
 * inner cutoff's customers, at its follow-up horizon. Returns the BG/NBD fit with the choice, for
 * a model that keeps it; without an inner cutoff or a BG/NBD fit, the model alone.
 */
export function chooseAtInnerCutoff(
  train: TrainingTable,
  validation: TrainingTable | undefined,
  heldOut: (customerId: string) => boolean,
  fitBgNbd: () => BgNbdParams | null,
  answersAt: (inner: InnerCutoff, fits: BtydFits, families: readonly BtydFamily[]) => InnerAnswers,
  own: string = DEFAULT_OWN_LABEL,
): { blend: Blend; selection: Record<string, ModelSelection>; bgnbd: BgNbdParams | null } {
  const inner = validation ? innerCutoff(validation, () => true) : innerCutoff(train, heldOut);
  const bgnbd = inner && inner.score.lastRow.length > 0 ? fitBgNbd() : null;
  if (!inner || !bgnbd) return { ...modelAlone('no inner cutoff fits in the training period, or no BTYD fit', own), bgnbd: null };
  const paretoNbd = fitParetoNbdIfPossible(train);
  const bgcnbd = fitBgCnbdIfPossible(train, bgnbd);
  const families: BtydFamily[] = ['bgnbd', ...(paretoNbd ? (['pareto_nbd'] as const) : []), ...(bgcnbd ? (['bgcnbd'] as const) : [])];
  return { ...chooseBlend(inner, answersAt(inner, { bgnbd, paretoNbd, bgcnbd }, families), { paretoNbd, bgcnbd }, own), bgnbd };
}

/** The fits a stored blend is served with: BG/NBD (which the model keeps apart) and those the blend holds. */
export function blendFits(blend: Blend, bgnbd: BgNbdParams | null): BtydFits {
  return { bgnbd, paretoNbd: blend.paretoNbd, bgcnbd: blend.bgcnbd ?? null };
}

/** The families a blend uses (weight below 1), each once: those whose answers `predict` needs. */
export function familiesUsed(blend: Blend): BtydFamily[] {
  return [...new Set([blend.pOrder90d, blend.wait].filter((c) => c.weight < 1).map((c) => c.family))];
}
