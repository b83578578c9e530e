/**
 * Customer bases of the "buy till you die" literature, simulated customer by customer in
 * calendar days, straight to orders (no invoices, products or guests).
 *
 * - Purchasing: while active, customer i buys as a Poisson process of rate lambda_i per day,
 *   lambda_i ~ Gamma(shape r, rate alpha) across customers (mean r / alpha).
 * - Dropout, BG/NBD (Fader, Hardie & Lee 2005): after each repeat purchase (not the first, as
 *   in the model's likelihood), the customer drops out for good with probability p_i ~ Beta(a, b).
 * - Dropout, Pareto/NBD (Schmittlein, Morrison & Colombo 1987): the customer's lifetime from the
 *   first purchase is Exponential(mu_i), mu_i ~ Gamma(shape s, rate beta).
 * - Cohorts: the first purchase falls uniformly in the first `acquisitionDays` days.
 * - Regularity (BG/CNBD-k, Reutterer, Platzer & Schroeder 2021; Pareto/GGG's idea, Platzer &
 *   Reutterer 2016): with `regularity` k above 1 the gaps between purchases are Erlang-k of the
 *   same mean 1 / lambda_i (coefficient of variation 1 / sqrt(k)) instead of exponential: the
 *   replenishment buyer who comes back about every month, which no Poisson model describes.
 * - Seasonality: the rate is multiplied by 1 + amplitude * cos(2 pi (day of year - peak) / 365.25),
 *   by thinning a process at the peak rate, so the mean rate over a year is unchanged. The
 *   first purchase is not thinned (it is the customer's arrival).
 * - Spend (gamma-gamma, Fader, Hardie & Lee 2005b): customer i's purchase values are
 *   Gamma(shape p, rate nu_i), nu_i ~ Gamma(shape q, rate gamma): mean value p * gamma / (q - 1).
 *   A purchase is 1 + Geometric(0.5) units at a unit price in whole cents.
 *
 * Purchases on the same calendar day make one order, as the ingestion's orders do. Every draw of
 * customer i comes from its own seeded stream, so a customer's history does not depend on how
 * many others there are.
 */
import { isoToEpochDay, type OrderTable, type Transaction } from '@nextbuy/contracts';
import { GeneratorOptionsError } from './errors';
import { createRng, deriveSeed, sampleBeta, sampleExponential, sampleGamma, sampleGeometric, type Rng } from '@nextbuy/random';

export const CUSTOMER_BASE_PROCESSES = ['bgnbd', 'pareto-nbd'] as const;
export type CustomerBaseProcess = (typeof CUSTOMER_BASE_PROCESSES)[number];

/** A customer base to simulate. Rates and lifetimes are per day. */
export interface CustomerBaseSettings {
  process: CustomerBaseProcess;
  /** Any 32-bit integer; the same seed and settings give the same orders. Default 1. */
  seed?: number;
  /** First day of the history, `YYYY-MM-DD`. Default 2020-01-01. */
  start?: string;
  /** Length of the history in days, 182 (6 months) to 1,827 (5 years). */
  days: number;
  /** Number of customers, 500 to 200,000. */
  customers: number;
  /** Purchase rate lambda ~ Gamma(shape r, rate alpha): mean r / alpha purchases a day, spread 1 / sqrt(r). */
  frequency: { r: number; alpha: number };
  /** BG/NBD: dropout probability after each repeat purchase p ~ Beta(a, b). */
  dropout?: { a: number; b: number };
  /** Pareto/NBD: dropout rate mu ~ Gamma(shape s, rate beta) per day. */
  lifetime?: { s: number; beta: number };
  /** First purchases spread uniformly over this many days from the start (1: all at the start). Default 1. */
  acquisitionDays?: number;
  /**
   * Erlang shape k of the gaps between purchases while active, 1 (exponential gaps: Poisson
   * purchasing, the default) to 20; the mean gap stays 1 / lambda, its coefficient of variation
   * is 1 / sqrt(k). Not with seasonality, which thins a Poisson process.
   */
  regularity?: number;
  /** Yearly rate modulation: amplitude 0 (none) to 0.95, peaking on day of year `peakDay` (1-365, default 335, 1 December). */
  seasonality?: { amplitude: number; peakDay?: number };
  /** Gamma-gamma spend: purchase value ~ Gamma(p, rate nu), nu ~ Gamma(q, rate gamma). Default p 6, q 4, gamma 15 (mean 30). */
  spend?: { p: number; q: number; gamma: number };
}

export const MIN_HISTORY_DAYS = 182;
export const MAX_HISTORY_DAYS = 1_827;
export const MIN_CUSTOMERS = 500;
export const MAX_CUSTOMERS = 200_000;
export const MAX_REGULARITY = 20;
const DEFAULT_SPEND = { p: 6, q: 4, gamma: 15 };
const DAYS_PER_YEAR = 365.25;

/** Settings with defaults filled in and checked. */
export interface ResolvedCustomerBase {
  process: CustomerBaseProcess;
  seed: number;
  startDay: number;
  days: number;
  customers: number;
  frequency: { r: number; alpha: number };
  dropout: { a: number; b: number } | null;
  lifetime: { s: number; beta: number } | null;
  acquisitionDays: number;
  regularity: number;
  seasonality: { amplitude: number; peakDay: number };
  spend: { p: number; q: number; gamma: number };
}

function integerIn(setting: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GeneratorOptionsError(setting, `must be an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${value}`);
  }
  return value;
}

function positive(setting: string, value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value) || value <= 0) throw new GeneratorOptionsError(setting, `must be a positive number, got ${value}`);
  return value;
}

/** Fills in the defaults and rejects settings that cannot describe a customer base, naming the setting. */
export function resolveCustomerBase(settings: CustomerBaseSettings): ResolvedCustomerBase {
  if (!CUSTOMER_BASE_PROCESSES.includes(settings.process)) {
    throw new GeneratorOptionsError('process', `must be one of ${CUSTOMER_BASE_PROCESSES.join(', ')}, got "${settings.process}"`);
  }
  const seed = integerIn('seed', settings.seed ?? 1, -(2 ** 31), 2 ** 32 - 1);
  const start = settings.start ?? '2020-01-01';
  let startDay: number;
  try {
    startDay = isoToEpochDay(start);
  } catch {
    throw new GeneratorOptionsError('start', `must be a YYYY-MM-DD calendar date, got "${start}"`);
  }
  const days = integerIn('days', settings.days, MIN_HISTORY_DAYS, MAX_HISTORY_DAYS);
  const customers = integerIn('customers', settings.customers, MIN_CUSTOMERS, MAX_CUSTOMERS);
  const frequency = { r: positive('frequency.r', settings.frequency?.r), alpha: positive('frequency.alpha', settings.frequency?.alpha) };
  let dropout: ResolvedCustomerBase['dropout'] = null;
  let lifetime: ResolvedCustomerBase['lifetime'] = null;
  if (settings.process === 'bgnbd') {
    if (!settings.dropout) throw new GeneratorOptionsError('dropout', 'is required by the bgnbd process: { a, b } of the Beta dropout probability');
    if (settings.lifetime) throw new GeneratorOptionsError('lifetime', 'belongs to the pareto-nbd process; bgnbd takes dropout { a, b }');
    dropout = { a: positive('dropout.a', settings.dropout.a), b: positive('dropout.b', settings.dropout.b) };
  } else {
    if (!settings.lifetime) throw new GeneratorOptionsError('lifetime', 'is required by the pareto-nbd process: { s, beta } of the Gamma dropout rate');
    if (settings.dropout) throw new GeneratorOptionsError('dropout', 'belongs to the bgnbd process; pareto-nbd takes lifetime { s, beta }');
    lifetime = { s: positive('lifetime.s', settings.lifetime.s), beta: positive('lifetime.beta', settings.lifetime.beta) };
  }
  const acquisitionDays = integerIn('acquisitionDays', settings.acquisitionDays ?? 1, 1, days);
  const amplitude = settings.seasonality?.amplitude ?? 0;
  if (!(amplitude >= 0 && amplitude <= 0.95)) throw new GeneratorOptionsError('seasonality.amplitude', `must be from 0 to 0.95, got ${amplitude}`);
  const peakDay = integerIn('seasonality.peakDay', settings.seasonality?.peakDay ?? 335, 1, 365);
  const regularity = integerIn('regularity', settings.regularity ?? 1, 1, MAX_REGULARITY);
  if (regularity > 1 && amplitude > 0) {
    throw new GeneratorOptionsError('regularity', `above 1 cannot be combined with seasonality (simulated by thinning a Poisson process), got ${regularity} with amplitude ${amplitude}`);
  }
  const spendInput = settings.spend ?? DEFAULT_SPEND;
  const spend = { p: positive('spend.p', spendInput.p), q: positive('spend.q', spendInput.q), gamma: positive('spend.gamma', spendInput.gamma) };
  if (spend.q <= 1) throw new GeneratorOptionsError('spend.q', `must be above 1 for the mean spend to exist, got ${spend.q}`);
  return { process: settings.process, seed, startDay, days, customers, frequency, dropout, lifetime, acquisitionDays, regularity, seasonality: { amplitude, peakDay }, spend };
}

/** One customer's purchases: times in days from the start of the history, and their values. */
export interface CustomerPurchases {
  times: number[];
  units: number[];
  /** Price of a unit, in whole cents: a purchase's value is units x unit price. */
  unitPrices: number[];
}

/** The seasonal rate multiplier `t` days after the start. */
function seasonalFactor(base: ResolvedCustomerBase, t: number): number {
  const { amplitude, peakDay } = base.seasonality;
  if (amplitude === 0) return 1;
  // Epoch day 0 is 1 January 1970, so (epoch day mod 365.25) is the day of year to within a day.
  const dayOfYear = (base.startDay + t) % DAYS_PER_YEAR;
  return 1 + amplitude * Math.cos((2 * Math.PI * (dayOfYear - (peakDay - 1))) / DAYS_PER_YEAR);
}

function drawPurchase(rng: Rng, shape: number, nu: number, into: CustomerPurchases, t: number): void {
  const units = 1 + sampleGeometric(rng, 0.5);
  const value = sampleGamma(rng, shape, 1 / nu);
  into.times.push(t);
  into.units.push(units);
  into.unitPrices.push(Math.max(1, Math.round((100 * value) / units)) / 100);
}

/**
 * Customer `index`'s purchases in the history (at least the first), from its own stream. Only
 * purchases before `base.days` are kept; those of a customer still active go on past it unseen.
 */
export function simulateCustomer(base: ResolvedCustomerBase, index: number): CustomerPurchases {
  const rng = createRng(deriveSeed(base.seed, index));
  const lambda = sampleGamma(rng, base.frequency.r, 1 / base.frequency.alpha);
  const p = base.dropout ? sampleBeta(rng, base.dropout.a, base.dropout.b) : 0;
  const death = base.lifetime ? sampleExponential(rng) / sampleGamma(rng, base.lifetime.s, 1 / base.lifetime.beta) : Infinity;
  const nu = sampleGamma(rng, base.spend.q, 1 / base.spend.gamma);
  const first = rng() * base.acquisitionDays;
  const purchases: CustomerPurchases = { times: [], units: [], unitPrices: [] };
  drawPurchase(rng, base.spend.p, nu, purchases, first);
  const peak = 1 + base.seasonality.amplitude;
  const end = Math.min(base.days, first + death);
  let t = first;
  if (base.regularity > 1) {
    // Erlang-k gaps of mean 1 / lambda: a Gamma of integer shape k and scale 1 / (k lambda).
    const k = base.regularity;
    for (;;) {
      t += sampleGamma(rng, k, 1 / (k * lambda));
      if (!(t < end)) return purchases;
      drawPurchase(rng, base.spend.p, nu, purchases, t);
      if (base.dropout && rng() < p) return purchases;
    }
  }
  // Poisson purchasing (k = 1), thinned for the season; kept draw for draw as it was before
  // regularity existed, so that every scenario's data stays the same.
  for (;;) {
    t += sampleExponential(rng) / (lambda * peak);
    if (!(t < end)) return purchases;
    if (rng() * peak >= seasonalFactor(base, t)) continue;
    drawPurchase(rng, base.spend.p, nu, purchases, t);
    if (base.dropout && rng() < p) return purchases;
  }
}

/** The customer ids of a base: zero-padded so that their string order is their index order. */
function customerId(index: number, width: number): string {
  return `C${String(index + 1).padStart(width, '0')}`;
}

/** The orders of a customer base: one row per customer and calendar day, sorted like the ingestion's. */
export function customerBaseOrders(settings: CustomerBaseSettings): OrderTable {
  const base = resolveCustomerBase(settings);
  const width = String(base.customers).length;
  const ids: string[] = [];
  const day: number[] = [];
  const totalPrice: number[] = [];
  const quantity: number[] = [];
  const lines: number[] = [];
  for (let i = 0; i < base.customers; i++) {
    const { times, units, unitPrices } = simulateCustomer(base, i);
    const id = customerId(i, width);
    for (let k = 0; k < times.length; k++) {
      const d = base.startDay + Math.floor(times[k]!);
      const value = units[k]! * unitPrices[k]!;
      const row = day.length - 1;
      if (ids[row] === id && day[row] === d) {
        totalPrice[row]! += value;
        quantity[row]! += units[k]!;
        lines[row]!++;
        continue;
      }
      ids.push(id);
      day.push(d);
      totalPrice.push(value);
      quantity.push(units[k]!);
      lines.push(1);
    }
  }
  return {
    nRows: ids.length,
    customerIds: ids,
    day: Int32Array.from(day),
    totalPrice: Float64Array.from(totalPrice),
    quantity: Float64Array.from(quantity),
    lines: Int32Array.from(lines),
    invoices: Int32Array.from(lines),
  };
}

const MS_PER_DAY = 86_400_000;
/** Purchases are stamped at noon UTC: the calendar day is what orders keep. */
const NOON_MS = 12 * 3_600_000;

/**
 * The same customer base as transactions in the Online Retail schema, one line and one invoice
 * per purchase, customer by customer: ingesting them gives exactly `customerBaseOrders`.
 */
export function* customerBaseTransactions(settings: CustomerBaseSettings): Generator<Transaction> {
  const base = resolveCustomerBase(settings);
  const width = String(base.customers).length;
  let invoice = 0;
  for (let i = 0; i < base.customers; i++) {
    const { times, units, unitPrices } = simulateCustomer(base, i);
    const id = customerId(i, width);
    for (let k = 0; k < times.length; k++) {
      yield {
        invoiceNo: String(++invoice),
        stockCode: 'PURCHASE',
        description: 'purchase',
        quantity: units[k]!,
        invoiceDate: new Date((base.startDay + Math.floor(times[k]!)) * MS_PER_DAY + NOON_MS),
        unitPrice: unitPrices[k]!,
        customerId: id,
        country: 'United Kingdom',
      };
    }
  }
}
