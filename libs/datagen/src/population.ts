import type { Catalogue } from './catalogue';
import type { ResolvedOptions } from './options';
import { createRng, cumulativeWeights, deriveSeed, sampleBeta, sampleCumulative, sampleGamma, sampleNormal, type Rng } from '@nextbuy/random';

/** Countries with Online Retail's customer shares (percent). */
const COUNTRY_SHARES: readonly (readonly [string, number])[] = [
  ['United Kingdom', 90.3], ['Germany', 2.2], ['France', 2.0], ['Spain', 0.7], ['Belgium', 0.6], ['Switzerland', 0.5],
  ['Portugal', 0.4], ['Italy', 0.35], ['Finland', 0.25], ['Austria', 0.25], ['Norway', 0.25], ['Netherlands', 0.2],
  ['Australia', 0.2], ['Denmark', 0.2], ['Channel Islands', 0.2], ['Cyprus', 0.2], ['Sweden', 0.2], ['Japan', 0.2],
  ['Poland', 0.15], ['EIRE', 0.1], ['USA', 0.1], ['Canada', 0.1], ['Unspecified', 0.1],
];
export const COUNTRIES = COUNTRY_SHARES.map(([name]) => name);
export const COUNTRY_WEIGHTS = cumulativeWeights(COUNTRY_SHARES.map(([, share]) => share));
export const HOME_COUNTRY = 0;

/** Online Retail's customer ids start here. */
const FIRST_CUSTOMER_ID = 12_346;
/** Products a customer keeps coming back to. */
export const FAVOURITES = 8;
/** Share of customers already trading when the window opens; the rest join during it. */
const EXISTING_SHARE = 0.3;
/** Retail purchase rate: gamma across customers, mean one order per 45 average trading days. */
const RATE_SHAPE = 1;
const MEAN_RATE = 1 / 45;
/** Retail dropout probability after each purchase: Beta(1.5, 8), mean 0.16 (BG/NBD). */
const CHURN_A = 1.5;
const CHURN_B = 8;

/** Every customer's parameters, as parallel columns indexed by customer. */
export interface Population {
  count: number;
  customerIds: readonly string[];
  /** Business time of the first purchase. */
  firstPurchase: Float64Array;
  /** Purchases per average trading day. */
  rate: Float64Array;
  /** Gamma shape of the gaps: larger is more regular. */
  gapShape: Float64Array;
  /** Probability of dropping out after each purchase. */
  churn: Float64Array;
  /** Relative basket size (lines per invoice); mean 1 for retail customers. */
  basket: Float64Array;
  /** Multiplier of line quantities. */
  quantityScale: Float64Array;
  country: Uint8Array;
  wholesale: Uint8Array;
  favourites: Int32Array;
}

/** Stream numbers of deriveSeed: one per purpose, customers' schedules after them. */
export const STREAM = { catalogue: 1, population: 2, contents: 3, guests: 4, firstCustomer: 16 } as const;

/** The rng that drives customer `index`'s purchase times and dropout, replayable on its own. */
export function scheduleRng(seed: number, index: number): Rng {
  return createRng(deriveSeed(seed, STREAM.firstCustomer + index));
}

function pickWholesale(rng: Rng, count: number, wholesale: number): Uint8Array {
  const flags = new Uint8Array(count);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < wholesale; i++) {
    const j = i + Math.floor(rng() * (count - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
    flags[order[i]!] = 1;
  }
  return flags;
}

/** Draws every customer's parameters for a window of `businessDays` average trading days. */
export function createPopulation(options: ResolvedOptions, catalogue: Catalogue, businessDays: number): Population {
  const rng = createRng(deriveSeed(options.seed, STREAM.population));
  const count = options.customers;
  const wholesale = pickWholesale(rng, count, options.wholesaleCustomers);
  const population: Population = {
    count,
    customerIds: Array.from({ length: count }, (_, i) => String(FIRST_CUSTOMER_ID + i)),
    firstPurchase: new Float64Array(count),
    rate: new Float64Array(count),
    gapShape: new Float64Array(count),
    churn: new Float64Array(count),
    basket: new Float64Array(count),
    quantityScale: new Float64Array(count),
    country: new Uint8Array(count),
    wholesale,
    favourites: new Int32Array(count * FAVOURITES),
  };
  for (let i = 0; i < count; i++) {
    if (wholesale[i]) {
      // Trading from the start, an order every 3 to 8 trading days, never leaving, in bulk.
      population.rate[i] = 1 / (3 + 5 * rng());
      population.gapShape[i] = 4;
      population.churn[i] = 0;
      population.basket[i] = 1 + rng();
      population.quantityScale[i] = 40 + 80 * rng();
      population.firstPurchase[i] = 20 * rng();
    } else {
      const rate = sampleGamma(rng, RATE_SHAPE, MEAN_RATE / RATE_SHAPE);
      population.rate[i] = rate;
      population.gapShape[i] = 2 + 3 * rng();
      population.churn[i] = sampleBeta(rng, CHURN_A, CHURN_B);
      population.basket[i] = sampleGamma(rng, 2, 0.5);
      population.quantityScale[i] = Math.exp(0.5 * sampleNormal(rng));
      population.firstPurchase[i] = rng() < EXISTING_SHARE ? rng() * Math.min(businessDays, 1 / rate) : rng() * businessDays;
    }
    population.country[i] = sampleCumulative(rng, COUNTRY_WEIGHTS);
    for (let f = 0; f < FAVOURITES; f++) population.favourites[i * FAVOURITES + f] = sampleCumulative(rng, catalogue.popularity);
  }
  return population;
}

/**
 * Business time of customer `i`'s purchase after the one at `tau`, or null when they drop out
 * (probability `churn`) or the window ends. Gaps are Gamma(shape, mean 1 / rate): the customer's
 * own rate sets their rhythm, which is what makes their next gap predictable from their history.
 */
export function nextPurchase(population: Population, i: number, tau: number, rng: Rng, end: number): number | null {
  if (rng() < population.churn[i]!) return null;
  const shape = population.gapShape[i]!;
  const next = tau + sampleGamma(rng, shape, 1 / (shape * population.rate[i]!));
  return next < end ? next : null;
}

/** How many purchases customer `i` makes in the window (replays their schedule stream). */
export function countPurchases(population: Population, i: number, seed: number, end: number): number {
  const rng = scheduleRng(seed, i);
  let purchases = 0;
  for (let tau: number | null = population.firstPurchase[i]!; tau !== null; tau = nextPurchase(population, i, tau, rng, end)) purchases++;
  return purchases;
}
