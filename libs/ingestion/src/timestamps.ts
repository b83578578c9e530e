import { daysInMonth } from '@nextbuy/contracts';

/**
 * How a source writes its invoice timestamps. `auto` accepts UCI and ISO 8601, value by value;
 * `dmy` is day first (`31/12/2010`, `31.12.2010`, `31-12-2010`); `unix_seconds` and
 * `unix_millis` count from 1970-01-01 UTC.
 */
export const DATE_FORMATS = ['uci', 'iso', 'yyyymmdd', 'dmy', 'unix_seconds', 'unix_millis', 'auto'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** What each format looks like, for error messages. */
export const DATE_FORMAT_SHAPES: Record<DateFormat, string> = {
  uci: 'M/D/YYYY H:MM',
  iso: 'ISO 8601',
  yyyymmdd: 'YYYYMMDD',
  dmy: 'D/M/YYYY H:MM, D.M.YYYY, D-M-YYYY or ISO 8601',
  unix_seconds: 'seconds since 1970-01-01 UTC',
  unix_millis: 'milliseconds since 1970-01-01 UTC',
  auto: 'M/D/YYYY H:MM, YYYY/MM/DD or ISO 8601',
};

/**
 * Epoch milliseconds of a UTC wall-clock time, or NaN when a part is out of range. Date.UTC
 * alone would roll 2/30 over to 3/2: an invalid date is rejected instead of guessed.
 */
function utcTime(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

// The parsers below scan character codes instead of matching regular expressions: they run
// once per transaction line on the hot path of every reader. `cursor` is their shared read
// position (module-local, never escapes a call).
let cursor = 0;
/** Whether the value just parsed named an instant (an ISO `Z` or offset, a Unix time), not a wall-clock time. */
let zoned = false;

/** Reads between min and max decimal digits at `cursor`; -1 when fewer than min. */
function digits(text: string, min: number, max: number): number {
  let value = 0;
  let count = 0;
  while (count < max && cursor < text.length) {
    const digit = text.charCodeAt(cursor) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    cursor++;
    count++;
  }
  return count < min ? -1 : value;
}

function consume(text: string, char: string): boolean {
  if (text[cursor] !== char) return false;
  cursor++;
  return true;
}

/** `H:MM[:SS]` at `cursor` as [hour, minute, second], or null. */
function clockTime(text: string, hourDigits: number): [number, number, number] | null {
  const hour = digits(text, hourDigits, 2);
  if (hour < 0 || !consume(text, ':')) return null;
  const minute = digits(text, 2, 2);
  if (minute < 0) return null;
  let second = 0;
  if (text[cursor] === ':') {
    cursor++;
    second = digits(text, 2, 2);
    if (second < 0) return null;
  }
  return [hour, minute, second];
}

/** `12/1/2010 8:26` (month first, as the UCI CSV writes it), seconds and time optional. */
export function parseUciTime(text: string): number {
  cursor = 0;
  const month = digits(text, 1, 2);
  if (month < 0 || !consume(text, '/')) return NaN;
  const day = digits(text, 1, 2);
  if (day < 0 || !consume(text, '/')) return NaN;
  return yearThenClock(text, month, day);
}

/** The rest of a slashed date at `cursor`, once its day and month are read: `YYYY`, then optionally ` H:MM[:SS]`. */
function yearThenClock(text: string, month: number, day: number): number {
  const year = digits(text, 4, 4);
  if (year < 0) return NaN;
  if (cursor === text.length) return utcTime(year, month, day, 0, 0, 0, 0);
  if (!consume(text, ' ')) return NaN;
  const clock = clockTime(text, 1);
  if (!clock || cursor !== text.length) return NaN;
  return utcTime(year, month, day, clock[0], clock[1], clock[2], 0);
}

/**
 * ISO 8601: `2010-12-01`, `2010-12-01T08:26[:00[.000]]` (or a space for `T`), optionally with
 * `Z`, `+01`, `+0100` or `+01:00`. Times without a zone are taken as UTC.
 */
export function parseIsoTime(text: string): number {
  cursor = 0;
  const year = digits(text, 4, 4);
  if (year < 0 || !consume(text, '-')) return NaN;
  const month = digits(text, 2, 2);
  if (month < 0 || !consume(text, '-')) return NaN;
  const day = digits(text, 2, 2);
  if (day < 0) return NaN;
  if (cursor === text.length) return utcTime(year, month, day, 0, 0, 0, 0);
  if (!consume(text, 'T') && !consume(text, ' ')) return NaN;
  const clock = clockTime(text, 2);
  if (!clock) return NaN;
  let ms = 0;
  if (text[cursor] === '.') {
    cursor++;
    const start = cursor;
    const fraction = digits(text, 1, 9);
    if (fraction < 0) return NaN;
    ms = Math.floor(fraction / 10 ** (cursor - start - 3));
  }
  const local = utcTime(year, month, day, clock[0], clock[1], clock[2], ms);
  if (cursor === text.length) return local;
  if (text[cursor] === 'Z' && cursor + 1 === text.length) {
    zoned = true;
    return local;
  }
  const sign = text[cursor] === '+' ? 1 : text[cursor] === '-' ? -1 : 0;
  if (sign === 0) return NaN;
  cursor++;
  const offsetHours = digits(text, 2, 2);
  if (offsetHours < 0) return NaN;
  let offsetMinutes = 0;
  if (cursor < text.length) {
    consume(text, ':');
    offsetMinutes = digits(text, 2, 2);
    if (offsetMinutes < 0 || cursor !== text.length) return NaN;
  }
  zoned = true;
  return local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/** `31/12/2010 8:26` (day first, as most of the world writes it), with `/`, `.` or `-` between the parts; seconds and time optional. */
export function parseDmyTime(text: string): number {
  cursor = 0;
  const day = digits(text, 1, 2);
  const separator = text[cursor];
  if (day < 0 || (separator !== '/' && separator !== '.' && separator !== '-')) return NaN;
  cursor++;
  const month = digits(text, 1, 2);
  if (month < 0 || !consume(text, separator)) return NaN;
  return yearThenClock(text, month, day);
}

/** Whole (or fractional) units since the Unix epoch, as event logs and some Parquet exports write them; NaN for anything else. */
function unixTime(text: string, unitMs: number): number {
  if (!/^\d+(\.\d+)?$/.test(text)) return NaN;
  zoned = true;
  const time = Math.floor(Number(text) * unitMs);
  return Number.isSafeInteger(time) && time <= MAX_TIME ? time : NaN;
}

/** The latest time a Date can hold. */
const MAX_TIME = 8.64e15;

/** `19970101`, as CDNOW writes its dates. */
export function parseYyyymmddTime(text: string): number {
  cursor = 0;
  const year = digits(text, 4, 4);
  const month = digits(text, 2, 2);
  const day = digits(text, 2, 2);
  if (year < 0 || month < 0 || day < 0 || cursor !== text.length) return NaN;
  return utcTime(year, month, day, 0, 0, 0, 0);
}

function parseAutoTime(text: string): number {
  // ISO always has '-' after a four-digit year; the UCI form never does. A year first with
  // slashes (2011/12/10, as East Asian locales and some exports write it) has one reading only,
  // year, month, day: ISO's, with its slashes made dashes.
  const fifth = text.charCodeAt(4);
  if (fifth === 45) return parseIsoTime(text);
  // (12/1/2010 has its second slash fifth too: a year first has no slash before it.)
  if (fifth === 47 && text.charCodeAt(7) === 47 && /^\d{4}/.test(text)) return parseIsoTime(`${text.slice(0, 4)}-${text.slice(5, 7)}-${text.slice(8)}`);
  return parseUciTime(text);
}

/** `2011-12-10...`, `2011/12/10...`: four digits of a year, then a date separator. */
const YEAR_FIRST = /^\d{4}[-/]/;

const PARSERS: Record<DateFormat, (text: string) => number> = {
  uci: parseUciTime,
  iso: parseIsoTime,
  yyyymmdd: parseYyyymmddTime,
  // A year first is read the one way it can be, as `auto` reads it: a day-first source with ISO
  // values among them (or `auto` switching a source to day first) loses none of them.
  dmy: (text) => (YEAR_FIRST.test(text) ? parseAutoTime(text) : parseDmyTime(text)),
  unix_seconds: (text) => unixTime(text, 1000),
  unix_millis: (text) => unixTime(text, 1),
  auto: parseAutoTime,
};

/**
 * A hint for a date the mapping's format could not read, when the value looks day first
 * (`13/01/2011`: a first part above 12 and a second of 12 or less) and the format is month first:
 * auto or uci would read such a file's 1/2/2011 as January 2 and drop 13/1/2011.
 */
export function dateFormatHint(text: string, format: DateFormat): string {
  if (format !== 'auto' && format !== 'uci') return '';
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}\b/.exec(text);
  if (!match || !(Number(match[1]) > 12 && Number(match[2]) <= 12)) return '';
  const why = format === 'auto' ? ' ("auto" reads 02/01/2011 as February 1, so it stops here rather than misread the day-first dates it can read; "uci" reads month first and drops such dates)' : '';
  return `; it looks day first: set the mapping's "dateFormat" to "dmy"${why}`;
}

/**
 * Whether an unreadable date stops the reading even when not `strict`: under `auto`, a date that
 * looks day first. `auto` reads 02/01/2011 month first (February 1), so a source with one day-first
 * date has others read with day and month swapped; dropping the ones it cannot read (about 60% of
 * such a file: days 13 to 31) and training on the rest would corrupt every order it keeps.
 * (`ingest` then reads a source it can read again as `dmy`.) An explicit `uci` says the source is
 * month first: such a date is then a bad value, dropped.
 */
export function stopsAtUnreadableDate(text: string, format: DateFormat): boolean {
  return format === 'auto' && dateFormatHint(text, format) !== '';
}

/** Whether `name` is a time zone this runtime's Intl knows (IANA names such as `Europe/London`, and `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Offsets change on quarter hours at the finest (zones are whole quarter hours off UTC and switch on local quarter hours). */
const OFFSET_BUCKET_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

/**
 * `instant => the same instant's wall-clock time in timeZone, written as UTC`: the epoch
 * milliseconds whose UTC calendar day is the zone's, which is what orders keep. Intl gives the
 * zone's rules (the tz database of the runtime's ICU), but one formatToParts is a few
 * microseconds, more than the rest of a line's parsing: so the offset is computed at the start
 * and end of each UTC day, and where they agree (every day but those of a change of offset:
 * no zone changes twice in a day and back) it holds all day; on a day of change, each quarter
 * hour's offset is computed once.
 */
export function wallClockIn(timeZone: string): (time: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (time: number): number => {
    const values: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const part of format.formatToParts(time)) values[part.type] = Number(part.value);
    const wall = Date.UTC(values.year!, values.month! - 1, values.day!, values.hour!, values.minute!, values.second!);
    return wall - (time - (((time % 1000) + 1000) % 1000));
  };
  /** Per UTC day, its offset, or null on a day the offset changes. */
  const days = new Map<number, number | null>();
  const quarters = new Map<number, number>();
  return (time) => {
    const day = Math.floor(time / DAY_MS);
    let offset = days.get(day);
    if (offset === undefined) {
      const start = offsetAt(day * DAY_MS);
      offset = start === offsetAt((day + 1) * DAY_MS - OFFSET_BUCKET_MS) ? start : null;
      days.set(day, offset);
    }
    if (offset !== null) return time + offset;
    const quarter = Math.floor(time / OFFSET_BUCKET_MS);
    let exact = quarters.get(quarter);
    if (exact === undefined) {
      exact = offsetAt(quarter * OFFSET_BUCKET_MS);
      quarters.set(quarter, exact);
    }
    return time + exact;
  };
}

/**
 * The zone's offset from UTC in milliseconds at the start of a calendar day there (epoch day
 * `day`): the offset of the instant whose wall-clock time is that midnight. Where clocks skip
 * midnight, the offset before the change.
 */
export function midnightOffset(timeZone: string, day: number): number {
  const toWallClock = wallClockIn(timeZone);
  const wall = day * DAY_MS;
  const guess = toWallClock(wall) - wall;
  return toWallClock(wall - guess) - (wall - guess);
}

/**
 * The parser of one date format: text (already trimmed) to epoch milliseconds, NaN when it is
 * not a date. Wall-clock times (no zone written) are kept as written, as if UTC, so that their
 * calendar day is the one written. With a `timeZone`, an instant (a `Z` or an offset, a Unix
 * time) is moved to its wall-clock time in that zone; without one, it stays on its UTC day.
 */
export function timeParser(format: DateFormat, timeZone?: string): (text: string) => number {
  const parse = PARSERS[format];
  if (timeZone === undefined) return parse;
  const toWallClock = wallClockIn(timeZone);
  return (text) => {
    zoned = false;
    const time = parse(text);
    return zoned && !Number.isNaN(time) ? toWallClock(time) : time;
  };
}

/**
 * Parses an invoice timestamp as the UCI CSV writes it (`12/1/2010 8:26`, month first) or as
 * ISO 8601. Times without a zone are taken as UTC. Returns null when the text is not a date.
 */
export function parseInvoiceDate(text: string): Date | null {
  const time = parseAutoTime(text.trim());
  return Number.isNaN(time) ? null : new Date(time);
}
