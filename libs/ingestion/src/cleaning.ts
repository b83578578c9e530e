import {
  CLEANING_RULES,
  epochDayToIso,
  toEpochDay,
  type CleaningRule,
  type DataQualityReport,
  type Transaction,
} from '@nextbuy/contracts';

/** How many offending line numbers the report keeps per rule. */
export const REPORTED_LINES_PER_RULE = 10;

/**
 * How far past the reading machine's clock a transaction's date may be: the zones furthest ahead
 * of UTC (+14:00) write dates a day ahead of it, and clocks drift.
 */
export const FUTURE_DATE_MARGIN_MS = 2 * 86_400_000;

/**
 * The first cleaning rule of evaluation.md a transaction breaks, in `CLEANING_RULES` order, or
 * null when it is kept. A row breaking several rules is counted once, under the first.
 * `future_date`: a purchase dated after the clock (with `FUTURE_DATE_MARGIN_MS`) has not
 * happened: a typed 2099 would otherwise set the as-of date of every prediction 70 years ahead.
 */
export function brokenCleaningRule(transaction: Transaction, now: number = Date.now()): CleaningRule | null {
  if (transaction.customerId === '') return 'missing_customer_id';
  if (transaction.invoiceNo.startsWith('C')) return 'cancellation';
  // Negated comparisons so that NaN is dropped too.
  if (!(transaction.quantity > 0)) return 'non_positive_quantity';
  if (!(transaction.unitPrice > 0)) return 'non_positive_price';
  const time = transaction.invoiceDate.getTime();
  if (Number.isNaN(time)) return 'unparseable_date';
  if (time > now + FUTURE_DATE_MARGIN_MS) return 'future_date';
  return null;
}

/** What a tally has counted, as plain data: what a worker thread sends back for its block. */
export interface TallyState {
  rowsRead: number;
  rowsKept: number;
  dropped: DataQualityReport['dropped'];
  firstDay: number;
  lastDay: number;
}

/** Counts rows read, kept and dropped per rule while a source is read. */
export class DataQualityTally {
  rowsRead = 0;
  rowsKept = 0;
  private readonly dropped = Object.fromEntries(
    CLEANING_RULES.map((rule) => [rule, { count: 0, firstLines: [] as number[] }]),
  ) as DataQualityReport['dropped'];
  private firstDay = Infinity;
  private lastDay = -Infinity;

  /** The clock `future_date` is judged by, read once per source. */
  private readonly now = Date.now();

  constructor(readonly source: string) {}

  /** Checks one transaction read at `line`; true when it is kept. */
  check(transaction: Transaction, line: number): boolean {
    this.rowsRead++;
    const rule = brokenCleaningRule(transaction, this.now);
    if (rule !== null) {
      const entry = this.dropped[rule];
      entry.count++;
      if (entry.firstLines.length < REPORTED_LINES_PER_RULE) entry.firstLines.push(line);
      return false;
    }
    this.rowsKept++;
    const day = toEpochDay(transaction.invoiceDate);
    if (day < this.firstDay) this.firstDay = day;
    if (day > this.lastDay) this.lastDay = day;
    return true;
  }

  /** The counts so far. */
  state(): TallyState {
    const { rowsRead, rowsKept, firstDay, lastDay } = this;
    return { rowsRead, rowsKept, dropped: structuredClone(this.dropped), firstDay, lastDay };
  }

  /**
   * Adds the counts of a part of the source read after every part added so far: a block read on
   * another thread, whose line numbers `lineOf` turns into the source's own; or, without
   * `lineOf`, a file of a folder, whose line numbers mean nothing in the folder's report (its
   * counts are added, its lines are not).
   */
  absorb(part: TallyState, lineOf?: (line: number) => number): void {
    this.rowsRead += part.rowsRead;
    this.rowsKept += part.rowsKept;
    for (const rule of CLEANING_RULES) {
      const entry = this.dropped[rule];
      entry.count += part.dropped[rule].count;
      if (!lineOf) continue;
      for (const line of part.dropped[rule].firstLines) {
        if (entry.firstLines.length < REPORTED_LINES_PER_RULE) entry.firstLines.push(lineOf(line));
      }
    }
    this.firstDay = Math.min(this.firstDay, part.firstDay);
    this.lastDay = Math.max(this.lastDay, part.lastDay);
  }

  /** The report, given the customers and orders the kept rows made. */
  report(counts: { customers: number; orders: number }): DataQualityReport {
    return {
      source: this.source,
      rowsRead: this.rowsRead,
      rowsKept: this.rowsKept,
      dropped: structuredClone(this.dropped),
      customers: counts.customers,
      orders: counts.orders,
      firstDate: this.rowsKept > 0 ? epochDayToIso(this.firstDay) : null,
      lastDate: this.rowsKept > 0 ? epochDayToIso(this.lastDay) : null,
    };
  }
}
