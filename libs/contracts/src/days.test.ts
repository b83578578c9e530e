import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochDayToIso, isoToEpochDay, toEpochDay } from './days';

describe('epoch days', () => {
  it('round-trips ISO dates', () => {
    expect(isoToEpochDay('1970-01-02')).toBe(1);
    expect(epochDayToIso(isoToEpochDay('2011-12-09'))).toBe('2011-12-09');
    expect(toEpochDay(new Date('2011-12-09T23:59:00Z'))).toBe(isoToEpochDay('2011-12-09'));
  });
  it('refuses impossible dates', () => {
    expect(() => isoToEpochDay('2011-02-30')).toThrow(/calendar date/);
    expect(() => isoToEpochDay('2100-02-29')).toThrow(/calendar date/);
    expect(() => isoToEpochDay('2011-13-01')).toThrow(/calendar date/);
    expect(() => isoToEpochDay('2011-00-10')).toThrow(/calendar date/);
    expect(() => isoToEpochDay('12/1/2010')).toThrow(/YYYY-MM-DD/);
    for (const bad of ['2011-1-01', '2011-01-1 ', '2011_01_01', '２011-01-01', '+011-01-01', '']) expect(() => isoToEpochDay(bad), bad).toThrow(/YYYY-MM-DD/);
    expect(isoToEpochDay('2000-02-29')).toBe(11_016);
  });

  it('agrees with Date on every day from year 0 to 9999, and refuses every month 00 or 13 and every day 00 or past the month', () => {
    // Every year, month 0-13 and day 0-32: each valid date (3,652,425 of them) and each invalid
    // one next to a valid one, 4.6 million in all (a few seconds). setUTCFullYear, unlike Date.UTC,
    // does not read years 0-99 as 1900-1999.
    const pad = (value: number, width: number) => String(value).padStart(width, '0');
    const months = Array.from({ length: 14 }, (_, m) => pad(m, 2));
    const days = Array.from({ length: 33 }, (_, d) => pad(d, 2));
    const date = new Date(0);
    let valid = 0;
    // A million RangeErrors: without their stack traces they cost a tenth.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const mismatches: string[] = [];
    for (let y = 0; y <= 9999; y++) {
      const year = pad(y, 4);
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const iso = `${year}-${months[m]}-${days[d]}`;
          const time = date.setUTCFullYear(y, m - 1, d);
          const isDate = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
          let epochDay: number | RangeError;
          try {
            epochDay = isoToEpochDay(iso);
          } catch (error) {
            epochDay = error as RangeError;
          }
          if (isDate) valid++;
          const expected = isDate ? time / 86_400_000 : 'RangeError';
          const got = epochDay instanceof RangeError ? 'RangeError' : epochDay;
          if (got !== expected && mismatches.length < 10) mismatches.push(`${iso}: ${got}, Date says ${expected}`);
        }
      }
    }
    Error.stackTraceLimit = stackTraceLimit;
    expect(mismatches).toEqual([]);
    expect(valid).toBe(3_652_425);
  });

  it('refuses months and days of two digits past the calendar (seeded sample of 00-99)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (y, m, d) => {
        fc.pre(m > 13 || d > 32);
        const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(() => isoToEpochDay(iso)).toThrow(RangeError);
      }),
      { numRuns: 5_000, seed: 19 },
    );
  });
});
