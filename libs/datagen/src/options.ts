import { isoToEpochDay } from '@nextbuy/contracts';
import { GeneratorOptionsError } from './errors';

/** What to generate. Only `rows` is required. */
export interface GeneratorOptions {
  /** Target number of CSV rows, 1,000 to 100,000,000 (memory grows with customers, not rows); lands within about 1% from 10,000 rows up. */
  rows: number;
  /** Any 32-bit integer; the same seed and options give the same rows, byte for byte. Default 1. */
  seed?: number;
  /** First calendar day, `YYYY-MM-DD` (UTC). Default 2010-01-01. */
  start?: string;
  /** Last calendar day, inclusive. Default 2011-12-31. */
  end?: string;
  /** Number of registered customers. Default about one per 120 rows, as in Online Retail. */
  customers?: number;
  /** How many of those are extreme wholesale buyers. Default one per 600 customers, at least 2. */
  wholesaleCustomers?: number;
}

/** Options with every default filled in and checked. */
export interface ResolvedOptions {
  rows: number;
  seed: number;
  startDay: number;
  endDay: number;
  customers: number;
  wholesaleCustomers: number;
}

export const MIN_ROWS = 1_000;
export const MAX_ROWS = 100_000_000;
const ROWS_PER_CUSTOMER = 120;

function integerIn(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GeneratorOptionsError(option, `must be an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${value}`);
  }
  return value;
}

function day(option: string, iso: string): number {
  try {
    return isoToEpochDay(iso);
  } catch {
    throw new GeneratorOptionsError(option, `must be a YYYY-MM-DD calendar date, got "${iso}"`);
  }
}

/** Fills in the defaults and rejects options that cannot describe a data set. */
export function resolveOptions(options: GeneratorOptions): ResolvedOptions {
  const rows = integerIn('rows', options.rows, MIN_ROWS, MAX_ROWS);
  const seed = integerIn('seed', options.seed ?? 1, -(2 ** 31), 2 ** 32 - 1);
  const startDay = day('start', options.start ?? '2010-01-01');
  const endDay = day('end', options.end ?? '2011-12-31');
  if (endDay - startDay < 27) {
    throw new GeneratorOptionsError('end', `must be at least 4 weeks after start (${options.start ?? '2010-01-01'}), got ${options.end}`);
  }
  const customers = integerIn('customers', options.customers ?? Math.max(20, Math.round(rows / ROWS_PER_CUSTOMER)), 3, Math.floor(rows / 4));
  const wholesaleCustomers = integerIn(
    'wholesaleCustomers',
    options.wholesaleCustomers ?? Math.max(2, Math.round(customers / 600)),
    0,
    Math.floor(customers / 3),
  );
  return { rows, seed, startDay, endDay, customers, wholesaleCustomers };
}
