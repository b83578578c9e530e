/**
 * Trading intensity per calendar month (January first), per average day. Shaped on Online
 * Retail's 2011 row counts: flat spring and summer, rising from September to a November peak.
 */
const MONTH_INTENSITY = [1.0, 0.95, 1.0, 0.85, 1.0, 1.0, 1.05, 0.95, 1.4, 1.6, 2.3, 1.5];
/** Per weekday, Sunday first. Online Retail has no Saturday trade and peaks on Thursday. */
const WEEKDAY_INTENSITY = [0.7, 0.95, 1.0, 1.05, 1.2, 0.85, 0];
/** Invoices per hour of day from 7:00 to 20:59, Online Retail's profile (thousands of rows). */
const HOUR_INTENSITY = [0.4, 9, 34, 49, 58, 79, 72, 67, 78, 55, 29, 8, 4, 1];
const FIRST_HOUR = 7;
const MS_PER_DAY = 86_400_000;

/** Closed from Christmas Eve to 3 January, as the Online Retail shop was. */
function isHoliday(month: number, dayOfMonth: number): boolean {
  return (month === 11 && dayOfMonth >= 24) || (month === 0 && dayOfMonth <= 3);
}

/**
 * The window's "business time": one unit is one average trading day. A process that runs at a
 * constant rate in business time runs faster in November and not at all on Saturdays in real
 * time, which is how every purchase process of the generator gets its seasonality.
 */
export interface TradingCalendar {
  startDay: number;
  /** Business time at the start of each day of the window; `length` = days + 1. */
  cumulative: Float64Array;
  /** Business time of the whole window. */
  total: number;
  /** `M/D/YYYY ` of each day, as the UCI CSV writes dates. */
  datePrefixes: readonly string[];
}

/** The trading calendar of the days `[startDay, endDay]` (at least 4 weeks, so some are open). */
export function tradingCalendar(startDay: number, endDay: number): TradingCalendar {
  const days = endDay - startDay + 1;
  const weights = new Float64Array(days);
  const datePrefixes: string[] = [];
  let sum = 0;
  for (let d = 0; d < days; d++) {
    const date = new Date((startDay + d) * MS_PER_DAY);
    const month = date.getUTCMonth();
    const open = !isHoliday(month, date.getUTCDate());
    weights[d] = open ? MONTH_INTENSITY[month]! * WEEKDAY_INTENSITY[date.getUTCDay()]! : 0;
    sum += weights[d]!;
    datePrefixes.push(`${month + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} `);
  }
  const cumulative = new Float64Array(days + 1);
  // Normalised so the window's mean day weighs 1: rates are per average trading day.
  for (let d = 0; d < days; d++) cumulative[d + 1] = cumulative[d]! + (weights[d]! * days) / sum;
  return { startDay, cumulative, total: cumulative[days]!, datePrefixes };
}

const HOUR_CUMULATIVE = (() => {
  const total = HOUR_INTENSITY.reduce((a, b) => a + b, 0);
  let sum = 0;
  return HOUR_INTENSITY.map((w) => (sum += w / total));
})();

/** A moment of the window: day index, minute of that day and epoch milliseconds. */
export interface CalendarMoment {
  dayIndex: number;
  minuteOfDay: number;
  epochMs: number;
}

/**
 * The real time of business time `tau` (0 <= tau < total). Within a day the fraction of its
 * business time maps through the hour-of-day profile, so order in business time is order in
 * real time.
 */
export function momentAt(calendar: TradingCalendar, tau: number): CalendarMoment {
  const { cumulative } = calendar;
  let lo = 0;
  let hi = cumulative.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (cumulative[mid]! <= tau) lo = mid;
    else hi = mid - 1;
  }
  const fraction = (tau - cumulative[lo]!) / (cumulative[lo + 1]! - cumulative[lo]!);
  let hour = 0;
  while (hour < HOUR_CUMULATIVE.length - 1 && HOUR_CUMULATIVE[hour]! <= fraction) hour++;
  const hourStart = hour === 0 ? 0 : HOUR_CUMULATIVE[hour - 1]!;
  const withinHour = (fraction - hourStart) / (HOUR_CUMULATIVE[hour]! - hourStart);
  const minuteOfDay = (FIRST_HOUR + hour) * 60 + Math.min(59, Math.floor(withinHour * 60));
  return { dayIndex: lo, minuteOfDay, epochMs: (calendar.startDay + lo) * MS_PER_DAY + minuteOfDay * 60_000 };
}

/** A timestamp as the UCI Online Retail CSV writes it: `12/1/2010 8:26` (UTC). */
export function formatInvoiceDate(date: Date): string {
  const minutes = date.getUTCMinutes();
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${date.getUTCHours()}:${minutes < 10 ? '0' : ''}${minutes}`;
}

/** `formatInvoiceDate` of a moment, from the calendar's cached day prefixes. */
export function formatMoment(calendar: TradingCalendar, moment: CalendarMoment): string {
  const minutes = moment.minuteOfDay % 60;
  return `${calendar.datePrefixes[moment.dayIndex]}${(moment.minuteOfDay - minutes) / 60}:${minutes < 10 ? '0' : ''}${minutes}`;
}
