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
    expect(() => isoToEpochDay('12/1/2010')).toThrow(/YYYY-MM-DD/);
  });
});
