import { describe, expect, it } from 'vitest';
import { dateFormatHint, stopsAtUnreadableDate, isTimeZone, parseDmyTime, parseInvoiceDate, parseIsoTime, parseUciTime, parseYyyymmddTime, timeParser, midnightOffset, wallClockIn } from './timestamps';

const iso = (time: number) => new Date(time).toISOString();

describe('parseInvoiceDate', () => {
  it('reads the UCI Online Retail format, month first', () => {
    expect(parseInvoiceDate('12/1/2010 8:26')?.toISOString()).toBe('2010-12-01T08:26:00.000Z');
  });
  it('reads ISO 8601 with and without a zone', () => {
    expect(parseInvoiceDate('2010-12-01T08:26:00Z')?.toISOString()).toBe('2010-12-01T08:26:00.000Z');
    expect(parseInvoiceDate('2010-12-01 08:26')?.toISOString()).toBe('2010-12-01T08:26:00.000Z');
    expect(parseInvoiceDate('2010-12-01')?.toISOString()).toBe('2010-12-01T00:00:00.000Z');
  });
  it('returns null for text that is not a date', () => {
    expect(parseInvoiceDate('2/30/2011 10:00')).toBeNull();
    expect(parseInvoiceDate('yesterday')).toBeNull();
    expect(parseInvoiceDate('')).toBeNull();
  });
});

describe('date formats', () => {
  it('reads UCI timestamps with seconds, two-digit parts and no time', () => {
    expect(iso(parseUciTime('12/09/2011 12:50:59'))).toBe('2011-12-09T12:50:59.000Z');
    expect(iso(parseUciTime('1/4/2011'))).toBe('2011-01-04T00:00:00.000Z');
    expect(iso(parseUciTime('2/29/2012 23:59'))).toBe('2012-02-29T23:59:00.000Z');
  });
  it('rejects UCI text out of range or malformed', () => {
    for (const text of ['13/1/2010 8:26', '2/29/2011 8:26', '12/1/2010 24:00', '12/1/2010 8:60', '12/1/10 8:26', '12/1/2010 8:26 PM', '12-1-2010']) {
      expect(parseUciTime(text), text).toBeNaN();
    }
  });
  it('reads ISO fractions and zone offsets as UTC instants', () => {
    expect(iso(parseIsoTime('2010-12-01T08:26:00.5Z'))).toBe('2010-12-01T08:26:00.500Z');
    expect(iso(parseIsoTime('2010-12-01 08:26:00.123456'))).toBe('2010-12-01T08:26:00.123Z');
    expect(iso(parseIsoTime('2010-12-01T08:26:00+01:00'))).toBe('2010-12-01T07:26:00.000Z');
    expect(iso(parseIsoTime('2010-12-01T08:26:00-0530'))).toBe('2010-12-01T13:56:00.000Z');
    expect(iso(parseIsoTime('2010-12-01 08:26:00+00'))).toBe('2010-12-01T08:26:00.000Z');
  });
  it('rejects malformed ISO text', () => {
    for (const text of ['2010-12-1', '2010-13-01', '2010-12-01T8:26', '2010-12-01T08:26Z0', '2010-12-01X08:26', '2010-12-01T08:26+1']) {
      expect(parseIsoTime(text), text).toBeNaN();
    }
  });
  it('reads YYYYMMDD and nothing longer or shorter', () => {
    expect(iso(parseYyyymmddTime('19970101'))).toBe('1997-01-01T00:00:00.000Z');
    for (const text of ['1997011', '199701011', '19970230', '1997-01-01']) expect(parseYyyymmddTime(text), text).toBeNaN();
  });
  it('reads day-first dates with /, . or - between the parts, and rejects mixed separators and impossible days', () => {
    for (const text of ['31/12/2010', '31.12.2010', '31-12-2010', '31/12/2010 0:00']) expect(iso(parseDmyTime(text)), text).toBe('2010-12-31T00:00:00.000Z');
    expect(iso(parseDmyTime('1/2/2011 8:26:05'))).toBe('2011-02-01T08:26:05.000Z');
    // dmy also reads a year first, the one way it can be read; a day first whose second slash is fifth stays day first.
    const dmy = timeParser('dmy');
    expect(iso(dmy('13/1/2010 12:17'))).toBe('2010-01-13T12:17:00.000Z');
    expect(iso(dmy('2010-01-13T12:17:00Z'))).toBe('2010-01-13T12:17:00.000Z');
    expect(iso(dmy('2010/01/13'))).toBe('2010-01-13T00:00:00.000Z');
    expect(dmy('1/13/2010 9:05')).toBeNaN();
    for (const text of ['12/31/2010', '31/12.2010', '31/12/10', '29/02/2011', '31/12/2010T08:26', '2010-12-31']) expect(parseDmyTime(text), text).toBeNaN();
  });
  it('reads Unix seconds and milliseconds, whole or fractional, and nothing else', () => {
    expect(iso(timeParser('unix_seconds')('1293753600'))).toBe('2010-12-31T00:00:00.000Z');
    expect(iso(timeParser('unix_seconds')('1293753600.5'))).toBe('2010-12-31T00:00:00.500Z');
    expect(iso(timeParser('unix_millis')('1293753600000'))).toBe('2010-12-31T00:00:00.000Z');
    for (const text of ['-1', '1e9', '', '12/31/2010', '99999999999999999']) expect(timeParser('unix_seconds')(text), text).toBeNaN();
  });
  it('hints at dmy when a month-first format meets a day-first date, and only then', () => {
    expect(dateFormatHint('13/01/2011 8:26', 'auto')).toBe(
      '; it looks day first: set the mapping\'s "dateFormat" to "dmy" ("auto" reads 02/01/2011 as February 1, so it stops here rather than misread the day-first dates it can read; "uci" reads month first and drops such dates)',
    );
    expect(dateFormatHint('31.12.2010', 'uci')).toBe('; it looks day first: set the mapping\'s "dateFormat" to "dmy"');
    expect(stopsAtUnreadableDate('13/01/2011 8:26', 'auto')).toBe(true);
    expect(stopsAtUnreadableDate('13/01/2011 8:26', 'uci')).toBe(false);
    expect(stopsAtUnreadableDate('2011-13-01', 'auto')).toBe(false);
    expect(stopsAtUnreadableDate('garbage', 'auto')).toBe(false);
    expect(dateFormatHint('12/01/2011', 'auto')).toBe('');
    expect(dateFormatHint('13/13/2011', 'auto')).toBe('');
    expect(dateFormatHint('13/01/2011', 'iso')).toBe('');
  });
  it('auto tells ISO from UCI value by value', () => {
    const auto = timeParser('auto');
    // Year first with slashes: ISO's reading, the only one.
    expect(iso(auto('2011/12/10 08:26'))).toBe('2011-12-10T08:26:00.000Z');
    expect(iso(auto('2011/01/05'))).toBe('2011-01-05T00:00:00.000Z');
    for (const text of ['2011/13/10', '2011/1/5', '2011/12', '2011//10', '2011/12/1x']) expect(auto(text), text).toBeNaN();
    // A month first whose second slash is fifth too stays UCI.
    expect(iso(auto('12/1/2010 8:26'))).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(auto('1/12/2010 8:26'))).toBe('2010-01-12T08:26:00.000Z');
    expect(iso(auto('12/1/2010 8:26'))).toBe(iso(auto('2010-12-01T08:26')));
    expect(timeParser('uci')('2010-12-01T08:26')).toBeNaN();
  });
});

describe('time zones', () => {
  it('puts an instant on its wall-clock time in the zone, and leaves wall-clock times as written', () => {
    const newYork = timeParser('auto', 'America/New_York');
    // 03:30 UTC on 10 December is 22:30 on the 9th in New York (EST, UTC-5): the order's day there.
    expect(iso(newYork('2011-12-10T03:30:00Z'))).toBe('2011-12-09T22:30:00.000Z');
    expect(iso(newYork('2011-12-10T04:30:00+01:00'))).toBe('2011-12-09T22:30:00.000Z');
    // Summer time (EDT, UTC-4).
    expect(iso(newYork('2011-07-10T03:30:00Z'))).toBe('2011-07-09T23:30:00.000Z');
    // No zone written: the day written, whatever the zone.
    expect(iso(newYork('2011-12-10T03:30:00'))).toBe('2011-12-10T03:30:00.000Z');
    expect(iso(newYork('12/10/2011 3:30'))).toBe('2011-12-10T03:30:00.000Z');
    expect(iso(timeParser('dmy', 'America/New_York')('10/12/2011 3:30'))).toBe('2011-12-10T03:30:00.000Z');
    expect(iso(timeParser('yyyymmdd', 'Asia/Tokyo')('20111210'))).toBe('2011-12-10T00:00:00.000Z');
    // Unix times are instants.
    expect(iso(timeParser('unix_seconds', 'Asia/Tokyo')('1323487800'))).toBe('2011-12-10T12:30:00.000Z');
    expect(iso(timeParser('unix_millis', 'America/New_York')('1323487800000'))).toBe('2011-12-09T22:30:00.000Z');
    // A wall-clock value after a zoned one is not moved (the flag is per value).
    expect(iso(newYork('2011-12-10T03:30:00Z'))).toBe('2011-12-09T22:30:00.000Z');
    expect(iso(newYork('2011-12-10 03:30'))).toBe('2011-12-10T03:30:00.000Z');
    expect(newYork('2011-12-32T03:30:00Z')).toBeNaN();
  });

  it('follows the zone across a change of offset to the second, and zones a quarter hour off', () => {
    const toNewYork = wallClockIn('America/New_York');
    // Clocks went forward at 07:00 UTC on 13 March 2011: 01:59:59 EST, then 03:00:00 EDT.
    expect(iso(toNewYork(Date.UTC(2011, 2, 13, 6, 59, 59)))).toBe('2011-03-13T01:59:59.000Z');
    expect(iso(toNewYork(Date.UTC(2011, 2, 13, 7, 0, 0)))).toBe('2011-03-13T03:00:00.000Z');
    // Kathmandu is UTC+5:45; Lord Howe Island moves by half an hour (UTC+11 in its summer).
    expect(iso(wallClockIn('Asia/Kathmandu')(Date.UTC(2011, 11, 9, 18, 20)))).toBe('2011-12-10T00:05:00.000Z');
    expect(iso(wallClockIn('Australia/Lord_Howe')(Date.UTC(2011, 11, 9, 12, 59, 59, 500)))).toBe('2011-12-09T23:59:59.500Z');
    expect(iso(wallClockIn('UTC')(Date.UTC(2011, 11, 9, 12)))).toBe('2011-12-09T12:00:00.000Z');
  });

  it("gives the offset at a local day's midnight, on either side of a change", () => {
    const day = (iso: string) => Date.parse(iso) / 86_400_000;
    const hours = (ms: number) => ms / 3_600_000;
    expect(hours(midnightOffset('America/New_York', day('2011-03-13')))).toBe(-5);
    expect(hours(midnightOffset('America/New_York', day('2011-03-14')))).toBe(-4);
    // Clocks go back at 01:00 UTC, which is 20:00 the evening before in New York.
    expect(hours(midnightOffset('America/New_York', day('2011-11-06')))).toBe(-4);
    expect(hours(midnightOffset('America/New_York', day('2011-11-07')))).toBe(-5);
    // Auckland's midnight of 25 September 2011 is 12:00 UTC the day before: the change came at 14:00 UTC.
    expect(hours(midnightOffset('Pacific/Auckland', day('2011-09-25')))).toBe(12);
    expect(hours(midnightOffset('Pacific/Auckland', day('2011-09-26')))).toBe(13);
    expect(hours(midnightOffset('Asia/Kathmandu', day('2011-12-01')))).toBe(5.75);
  });

  it('knows the IANA names and nothing else', () => {
    for (const name of ['UTC', 'Europe/London', 'America/Los_Angeles', 'Asia/Kolkata']) expect(isTimeZone(name), name).toBe(true);
    for (const name of ['Mars/Olympus_Mons', '', 'GMT+25']) expect(isTimeZone(name), name).toBe(false);
  });
});
