const MS_PER_DAY = 86_400_000;

/** Whole days since 1970-01-01 of a date's UTC calendar day. */
export function toEpochDay(date: Date): number {
  return Math.floor(date.getTime() / MS_PER_DAY);
}

/** `YYYY-MM-DD` of an epoch day. */
export function epochDayToIso(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Days in `month` (1-12) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The digit at `i` of `s`, or -1. */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/**
 * Epoch day of a `YYYY-MM-DD` string; throws on anything else. Computed from the digits with
 * Hinnant's days-from-civil algorithm rather than Date.parse plus a toISOString round trip to
 * validate: it runs for every order date of every record the inference server parses, and that
 * pair was a tenth of parsing a large JSON Lines batch. (A property test checks it against Date.)
 */
export function isoToEpochDay(iso: string): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let ok = iso.length === 10 && iso.charCodeAt(4) === 45 && iso.charCodeAt(7) === 45;
  for (let i = 0; ok && i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const d = digit(iso, i);
    if (d < 0) ok = false;
    else if (i < 4) year = year * 10 + d;
    else if (i < 7) month = month * 10 + d;
    else day = day * 10 + d;
  }
  if (!ok) throw new RangeError(`not a YYYY-MM-DD date: "${iso}"`);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new RangeError(`not a calendar date: "${iso}"`);
  // Howard Hinnant, "chrono-compatible low-level date algorithms", days_from_civil.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
