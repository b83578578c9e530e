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

  it('agrees with Date on every day from year 0 to 9999, and refuses what Date calls another day', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (epochDay) => {
        const iso = new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
        expect(isoToEpochDay(iso)).toBe(epochDay);
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (y, m, d) => {
        const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const time = Date.parse(`${iso}T00:00:00Z`);
        const valid = !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === iso;
        if (valid) expect(isoToEpochDay(iso)).toBe(time / 86_400_000);
        else expect(() => isoToEpochDay(iso)).toThrow(RangeError);
      }),
      { numRuns: 20_000 },
    );
  });
});
