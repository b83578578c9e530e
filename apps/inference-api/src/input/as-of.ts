import { epochDayToIso, isoToEpochDay, toEpochDay } from '@nextbuy/contracts';
import { BadRecordError } from '../errors';

/** The epoch day of a `YYYY-MM-DD` value of a request; 400 naming where it came from. */
export function epochDayOf(value: unknown, record: number | undefined, field: string): number {
  if (typeof value !== 'string') throw new BadRecordError(record, field, `must be a date YYYY-MM-DD, got ${JSON.stringify(value) ?? String(value)}`);
  try {
    return isoToEpochDay(value);
  } catch (error) {
    throw new BadRecordError(record, field, (error as Error).message);
  }
}

/**
 * `epochDayOf` remembering the dates it has read: the rows of a batch repeat a few hundred
 * distinct days, and parsing a date costs about a microsecond.
 */
export function cachedEpochDayOf(): typeof epochDayOf {
  const days = new Map<unknown, number>();
  return (value, record, field) => {
    let day = days.get(value);
    if (day === undefined) days.set(value, (day = epochDayOf(value, record, field)));
    return day;
  };
}

/** Where a request can set its as-of date, besides each record. */
export interface AsOfSources {
  /** `?as_of_date=YYYY-MM-DD` (an array when repeated). */
  query?: unknown;
  /** The `X-As-Of-Date` header. */
  header?: string;
}

/**
 * The as-of day of a request's records that do not carry their own: the query parameter or
 * the header (they must agree when both are given), else the UTC day of `now`.
 */
export function requestAsOfDay(sources: AsOfSources, now: Date): number {
  const fromQuery = sources.query === undefined ? undefined : epochDayOf(sources.query, undefined, 'as_of_date (query)');
  const fromHeader = sources.header === undefined ? undefined : epochDayOf(sources.header.trim(), undefined, 'X-As-Of-Date (header)');
  if (fromQuery !== undefined && fromHeader !== undefined && fromQuery !== fromHeader) {
    throw new BadRecordError(undefined, 'as_of_date', `the query says ${epochDayToIso(fromQuery)} and the X-As-Of-Date header ${epochDayToIso(fromHeader)}; give one`);
  }
  return fromQuery ?? fromHeader ?? toEpochDay(now);
}

/**
 * Checks that a customer's history ends before the as-of day: orders on or after it are not
 * history as of that day (the features and labels of training are cut the same way).
 */
export function checkHistoryBefore(asOfDay: number, lastOrderDay: number, record: number, field: string): void {
  if (lastOrderDay >= asOfDay) {
    throw new BadRecordError(
      record,
      field,
      `the customer's last order (${epochDayToIso(lastOrderDay)}) is not before the as-of date ${epochDayToIso(asOfDay)}; a history must end before the as-of date (set as_of_date later)`,
    );
  }
}
