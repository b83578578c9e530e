const MS_PER_DAY = 86_400_000;

/** Whole days since 1970-01-01 of a date's UTC calendar day. */
export function toEpochDay(date: Date): number {
  return Math.floor(date.getTime() / MS_PER_DAY);
}

/** `YYYY-MM-DD` of an epoch day. */
export function epochDayToIso(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Epoch day of a `YYYY-MM-DD` string; throws on anything else. */
export function isoToEpochDay(iso: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new RangeError(`not a YYYY-MM-DD date: "${iso}"`);
  const time = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== iso) {
    throw new RangeError(`not a calendar date: "${iso}"`);
  }
  return time / MS_PER_DAY;
}
