import { ONLINE_RETAIL_CSV_HEADER, formatOnlineRetailLine, ordersFromTransactions } from '@nextbuy/ingestion';
import type { OrderTable } from '@nextbuy/contracts';
import { customerBaseOrders, customerBaseTransactions, resolveCustomerBase, type CustomerBaseSettings } from './customer-base';
import { writeCsvChunks, writeOnlineRetailCsv } from './csv';
import { GeneratorOptionsError } from './errors';
import { generateTransactions } from './generator';
import type { GeneratorOptions } from './options';

/** A named customer base of the zoo: a literature process, or the Online Retail-like generator. */
export type Scenario =
  | { name: string; description: string; kind: 'customer-base'; settings: CustomerBaseSettings }
  | { name: string; description: string; kind: 'online-retail'; options: GeneratorOptions };

/**
 * The zoo (libs/datagen/README.md describes each). Rates are per day; mean purchase rate r /
 * alpha, BG/NBD mean dropout a / (a + b) per purchase, Pareto/NBD mean lifetime beta / (s - 1) days.
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'short-sparse',
    description: 'one year, about 3 orders per customer, a few thousand customers arriving over the first half year',
    kind: 'customer-base',
    settings: { process: 'bgnbd', seed: 101, days: 365, customers: 3_000, acquisitionDays: 180, frequency: { r: 1.2, alpha: 120 }, dropout: { a: 1, b: 6 } },
  },
  {
    name: 'short-busy',
    description: 'nine months of frequent buyers (an order every 10 days on average), arriving over the first quarter',
    kind: 'customer-base',
    settings: { process: 'pareto-nbd', seed: 102, days: 273, customers: 3_000, acquisitionDays: 90, frequency: { r: 2, alpha: 20 }, lifetime: { s: 2, beta: 300 } },
  },
  {
    name: 'long-sparse',
    description: 'five years of rare buyers (about one order a year while active), arriving over the first two years',
    kind: 'customer-base',
    settings: { process: 'bgnbd', seed: 103, days: 1_826, customers: 4_000, acquisitionDays: 730, frequency: { r: 0.8, alpha: 250 }, dropout: { a: 1, b: 6 } },
  },
  {
    name: 'long-busy',
    description: 'four years of weekly-ish buyers with long lifetimes, arriving over the first year',
    kind: 'customer-base',
    settings: { process: 'pareto-nbd', seed: 104, days: 1_461, customers: 1_200, acquisitionDays: 365, frequency: { r: 3, alpha: 24 }, lifetime: { s: 3, beta: 1_500 } },
  },
  {
    name: 'bgnbd-cdnow-like',
    description: "BG/NBD with the published CDNOW estimates (Fader, Hardie & Lee 2005) in days, one acquisition quarter, 78 weeks",
    kind: 'customer-base',
    settings: { process: 'bgnbd', seed: 105, days: 546, customers: 10_000, acquisitionDays: 84, frequency: { r: 0.243, alpha: 4.414 * 7 }, dropout: { a: 0.793, b: 2.426 } },
  },
  {
    name: 'pareto-steady',
    description: 'three years of Pareto/NBD customers arriving steadily all along (continuous cohorts), an order every 50 days',
    kind: 'customer-base',
    settings: { process: 'pareto-nbd', seed: 106, days: 1_096, customers: 5_000, acquisitionDays: 1_096, frequency: { r: 0.8, alpha: 40 }, lifetime: { s: 1.5, beta: 300 } },
  },
  {
    name: 'seasonal-retail',
    description: 'three years with a strong November-December peak (rate x1.8 at the peak, x0.2 in early summer), big spenders',
    kind: 'customer-base',
    settings: {
      process: 'bgnbd',
      seed: 107,
      days: 1_096,
      customers: 5_000,
      acquisitionDays: 730,
      frequency: { r: 1, alpha: 60 },
      dropout: { a: 1, b: 5 },
      seasonality: { amplitude: 0.8, peakDay: 335 },
      spend: { p: 4, q: 3, gamma: 40 },
    },
  },
  {
    name: 'online-retail-like',
    description: "the Online Retail-like generator (generator.ts): two years, trading-calendar seasonality, guests, cancellations, wholesale outliers",
    kind: 'online-retail',
    options: { rows: 300_000, seed: 108 },
  },
  {
    name: 'tiny-shop',
    description: 'a small shop: 500 customers over four years, an order every 45 days, some staying for years',
    kind: 'customer-base',
    settings: { process: 'pareto-nbd', seed: 109, days: 1_461, customers: 500, acquisitionDays: 1_000, frequency: { r: 1, alpha: 45 }, lifetime: { s: 1.5, beta: 400 }, seasonality: { amplitude: 0.3 } },
  },
  {
    name: 'large-base',
    description: 'a large base: 50,000 BG/NBD customers over two years, arriving over the first year',
    kind: 'customer-base',
    settings: { process: 'bgnbd', seed: 110, days: 730, customers: 50_000, acquisitionDays: 365, frequency: { r: 0.6, alpha: 60 }, dropout: { a: 1, b: 4 }, seasonality: { amplitude: 0.2 } },
  },
  {
    name: 'regular-replenishment',
    description: 'two years of replenishment buyers: an order about every 30 days at regular intervals (Erlang-4 gaps), arriving over the first year',
    kind: 'customer-base',
    settings: { process: 'bgnbd', seed: 111, days: 730, customers: 3_000, acquisitionDays: 365, frequency: { r: 4, alpha: 120 }, regularity: 4, dropout: { a: 1, b: 11 } },
  },
];

/** The scenario of that name; the error lists the names there are. */
export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new GeneratorOptionsError('scenario', `must be one of ${SCENARIOS.map((s) => s.name).join(', ')}, got "${name}"`);
  return scenario;
}

/** A scenario with another seed (same process and settings, another draw). */
function withSeed(scenario: Scenario, seed: number | undefined): Scenario {
  if (seed === undefined) return scenario;
  return scenario.kind === 'customer-base' ? { ...scenario, settings: { ...scenario.settings, seed } } : { ...scenario, options: { ...scenario.options, seed } };
}

/** The orders of a scenario, as the ingestion would make them from its CSV (the Online Retail-like one is cleaned first). */
export function scenarioOrders(name: string, seed?: number): OrderTable {
  const scenario = withSeed(findScenario(name), seed);
  if (scenario.kind === 'customer-base') return customerBaseOrders(scenario.settings);
  return ordersFromTransactions(generateTransactions(scenario.options), name).orders;
}

/** About 1 MB of text per chunk. */
const CHUNK_CHARS = 1 << 20;

function* transactionChunks(settings: CustomerBaseSettings, summary: { rows: number }): Generator<string> {
  let chunk = ONLINE_RETAIL_CSV_HEADER;
  for (const transaction of customerBaseTransactions(settings)) {
    chunk += formatOnlineRetailLine(transaction);
    summary.rows++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

/**
 * Writes a scenario as an Online Retail CSV (`.csv` or `.csv.gz`), which `trainer:train
 * --file_path` reads with its default mapping. Returns the number of rows written.
 */
export async function writeScenarioCsv(path: string, name: string, seed?: number): Promise<{ rows: number }> {
  const scenario = withSeed(findScenario(name), seed);
  if (scenario.kind === 'online-retail') return writeOnlineRetailCsv(path, scenario.options);
  resolveCustomerBase(scenario.settings);
  const summary = { rows: 0 };
  await writeCsvChunks(path, transactionChunks(scenario.settings, summary));
  return summary;
}
