import { describe, expect, it } from 'vitest';
import { ordersFromTransactions } from '@nextbuy/ingestion';
import { customerBaseOrders, customerBaseTransactions, resolveCustomerBase, simulateCustomer, type CustomerBaseSettings } from './customer-base';
import { GeneratorOptionsError } from './errors';

/** Gauss's hypergeometric series 2F1(a, b; c; z), |z| < 1. */
function hypergeometric2F1(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 2_000 && Math.abs(term) > 1e-14; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
  }
  return sum;
}

/** Mean repeat purchases in (0, t] after the first: Fader, Hardie & Lee (2005), equation 9. */
function bgnbdExpectedRepeats(r: number, alpha: number, a: number, b: number, t: number): number {
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hypergeometric2F1(r, b, a + b - 1, t / (alpha + t)));
}

/** Mean repeat purchases in (0, t]: Schmittlein, Morrison & Colombo (1987). */
function paretoExpectedRepeats(r: number, alpha: number, s: number, beta: number, t: number): number {
  return ((r * beta) / (alpha * (s - 1))) * (1 - Math.pow(beta / (beta + t), s - 1));
}

/** Mean repeat purchases over the customers of a base whose first purchases are all on day 0. */
function meanRepeats(settings: CustomerBaseSettings): number {
  const base = resolveCustomerBase(settings);
  let repeats = 0;
  for (let i = 0; i < base.customers; i++) repeats += simulateCustomer(base, i).times.length - 1;
  return repeats / base.customers;
}

const BGNBD: CustomerBaseSettings = { process: 'bgnbd', days: 365, customers: 20_000, frequency: { r: 2, alpha: 100 }, dropout: { a: 2, b: 6 } };
const PARETO: CustomerBaseSettings = { process: 'pareto-nbd', days: 365, customers: 20_000, frequency: { r: 2, alpha: 100 }, lifetime: { s: 3, beta: 400 } };

describe('customer bases', () => {
  // 20,000 customers: the standard error of the mean is about 1% of it for these parameters,
  // so 4% is four standard errors and more.
  it('BG/NBD: mean repeat purchases in the year match the closed form within 4%', () => {
    const expected = bgnbdExpectedRepeats(2, 100, 2, 6, 365);
    expect(meanRepeats(BGNBD)).toBeGreaterThan(expected * 0.96);
    expect(meanRepeats(BGNBD)).toBeLessThan(expected * 1.04);
  });

  it('Pareto/NBD: mean repeat purchases in the year match the closed form within 4%', () => {
    const expected = paretoExpectedRepeats(2, 100, 3, 400, 365);
    expect(meanRepeats(PARETO)).toBeGreaterThan(expected * 0.96);
    expect(meanRepeats(PARETO)).toBeLessThan(expected * 1.04);
  });

  it('gamma-gamma spend: the mean purchase value is p * gamma / (q - 1) within 4%', () => {
    const base = resolveCustomerBase({ ...PARETO, spend: { p: 6, q: 4, gamma: 15 } });
    let value = 0;
    let purchases = 0;
    for (let i = 0; i < base.customers; i++) {
      const { units, unitPrices } = simulateCustomer(base, i);
      for (let k = 0; k < units.length; k++) value += units[k]! * unitPrices[k]!;
      purchases += units.length;
    }
    expect(value / purchases / ((6 * 15) / 3)).toBeGreaterThan(0.96);
    expect(value / purchases / ((6 * 15) / 3)).toBeLessThan(1.04);
  });

  it('seasonality moves purchases to the peak and keeps the yearly total', () => {
    const flat = { ...PARETO, start: '2021-01-01', days: 365, lifetime: { s: 3, beta: 100_000 } };
    const seasonal = { ...flat, seasonality: { amplitude: 0.8, peakDay: 335 } };
    const monthShare = (settings: CustomerBaseSettings) => {
      const orders = customerBaseOrders(settings);
      const start = resolveCustomerBase(settings).startDay;
      let november = 0;
      for (const day of orders.day) if (day - start >= 304 && day - start < 334) november++;
      return { total: orders.nRows, november: november / orders.nRows };
    };
    const a = monthShare(flat);
    const b = monthShare(seasonal);
    expect(b.november).toBeGreaterThan(a.november * 1.5);
    expect(b.total / a.total).toBeGreaterThan(0.93);
    expect(b.total / a.total).toBeLessThan(1.07);
  });

  it('regularity k: gaps of the same mean 1 / lambda with a coefficient of variation of 1 / sqrt(k)', () => {
    // Every customer on nearly the same rate (r large: lambda's CV 1 / sqrt(r) = 3%) and none
    // leaving (a mean lifetime of 100,000 days), so the pooled gaps show the Erlang-k shape. The
    // gaps that end inside the history are a little shorter than all gaps (the one running at
    // its end is more likely a long one): by about mean x CV^2 / days, 1.6% for k = 1 here.
    const settings: CustomerBaseSettings = { process: 'pareto-nbd', days: 1_827, customers: 2_000, frequency: { r: 1_000, alpha: 30_000 }, lifetime: { s: 101, beta: 10_000_000 } };
    const gapStats = (regularity: number) => {
      const base = resolveCustomerBase({ ...settings, regularity });
      let n = 0;
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < base.customers; i++) {
        const { times } = simulateCustomer(base, i);
        for (let k = 1; k < times.length; k++) {
          const gap = times[k]! - times[k - 1]!;
          n++;
          sum += gap;
          squares += gap * gap;
        }
      }
      const mean = sum / n;
      return { mean, cv: Math.sqrt(squares / n - mean * mean) / mean };
    };
    // About 120,000 gaps each: standard errors well under 1% of the mean and of the CV.
    const poisson = gapStats(1);
    const erlang4 = gapStats(4);
    const erlang16 = gapStats(16);
    for (const stats of [poisson, erlang4, erlang16]) expect(Math.abs(stats.mean / 30 - 1)).toBeLessThan(0.03);
    expect(Math.abs(poisson.cv - 1)).toBeLessThan(0.03);
    expect(Math.abs(erlang4.cv - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(erlang16.cv - 0.25)).toBeLessThan(0.03);
  });

  it('regularity 1 is the Poisson process draw for draw (the scenarios made before it are unchanged)', () => {
    const base = resolveCustomerBase(BGNBD);
    const explicit = resolveCustomerBase({ ...BGNBD, regularity: 1 });
    for (let i = 0; i < 50; i++) expect(simulateCustomer(explicit, i)).toEqual(simulateCustomer(base, i));
  });

  it('cohorts: first orders spread over the acquisition window, all inside the history', () => {
    const settings: CustomerBaseSettings = { ...PARETO, customers: 2_000, days: 730, acquisitionDays: 365 };
    const base = resolveCustomerBase(settings);
    const firsts = Array.from({ length: base.customers }, (_, i) => simulateCustomer(base, i).times[0]!);
    expect(Math.max(...firsts)).toBeLessThan(365);
    expect(firsts.filter((t) => t >= 182.5).length / firsts.length).toBeCloseTo(0.5, 1);
    for (const day of customerBaseOrders(settings).day) expect(day - base.startDay).toBeLessThan(730);
  });

  it('is deterministic per seed, and another seed draws another base', () => {
    const small = { ...BGNBD, customers: 1_000 };
    const once = customerBaseOrders(small);
    expect(customerBaseOrders(small)).toEqual(once);
    expect(customerBaseOrders({ ...small, seed: 2 })).not.toEqual(once);
  });

  it('ingesting its transactions gives exactly its orders', () => {
    const small: CustomerBaseSettings = { ...BGNBD, customers: 1_000, frequency: { r: 3, alpha: 3 } };
    const direct = customerBaseOrders(small);
    const ingested = ordersFromTransactions(customerBaseTransactions(small)).orders;
    expect(direct.lines.some((n) => n > 1)).toBe(true);
    expect(ingested).toEqual(direct);
  });

  it.each([
    [{ customers: 499 }, 'customers must be an integer from 500 to 200,000, got 499'],
    [{ days: 2_000 }, 'days must be an integer from 182 to 1,827, got 2000'],
    [{ frequency: { r: 0, alpha: 1 } }, 'frequency.r must be a positive number, got 0'],
    [{ dropout: undefined }, 'dropout is required by the bgnbd process'],
    [{ lifetime: { s: 1, beta: 1 } }, 'lifetime belongs to the pareto-nbd process'],
    [{ acquisitionDays: 400 }, 'acquisitionDays must be an integer from 1 to 365, got 400'],
    [{ seasonality: { amplitude: 1.2 } }, 'seasonality.amplitude must be from 0 to 0.95, got 1.2'],
    [{ spend: { p: 1, q: 1, gamma: 1 } }, 'spend.q must be above 1'],
    [{ process: 'nbd' }, 'process must be one of bgnbd, pareto-nbd, got "nbd"'],
    [{ start: '2021-02-30' }, 'start must be a YYYY-MM-DD calendar date'],
    [{ regularity: 1.5 }, 'regularity must be an integer from 1 to 20, got 1.5'],
    [{ regularity: 21 }, 'regularity must be an integer from 1 to 20, got 21'],
    [{ regularity: 4, seasonality: { amplitude: 0.3 } }, 'regularity above 1 cannot be combined with seasonality'],
  ] as const)('rejects %j naming the setting', (change, message) => {
    const settings = { ...BGNBD, ...change } as CustomerBaseSettings;
    expect(() => resolveCustomerBase(settings)).toThrow(GeneratorOptionsError);
    expect(() => resolveCustomerBase(settings)).toThrow(message);
  });
});
