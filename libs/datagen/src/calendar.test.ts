import { describe, expect, it } from 'vitest';
import { isoToEpochDay } from '@nextbuy/contracts';
import { parseInvoiceDate } from '@nextbuy/ingestion';
import { formatInvoiceDate, formatMoment, momentAt, tradingCalendar } from './calendar';

describe('formatInvoiceDate', () => {
  it('writes dates as the UCI CSV does and parseInvoiceDate reads them back', () => {
    const date = new Date(Date.UTC(2010, 11, 1, 8, 26));
    expect(formatInvoiceDate(date)).toBe('12/1/2010 8:26');
    expect(formatInvoiceDate(new Date(Date.UTC(2011, 0, 9, 14, 5)))).toBe('1/9/2011 14:05');
    expect(parseInvoiceDate(formatInvoiceDate(date))).toEqual(date);
  });
});

describe('tradingCalendar', () => {
  const calendar = tradingCalendar(isoToEpochDay('2010-01-01'), isoToEpochDay('2011-12-31'));

  it('measures the window in average trading days', () => {
    expect(calendar.total).toBeCloseTo(730, 6);
  });

  it('maps business time to real time in order, on open days and trading hours only', () => {
    let previous = -1;
    for (let tau = 0; tau < calendar.total; tau += 0.37) {
      const moment = momentAt(calendar, tau);
      const date = new Date(moment.epochMs);
      expect(moment.epochMs).toBeGreaterThanOrEqual(previous);
      previous = moment.epochMs;
      expect(date.getUTCDay()).not.toBe(6);
      expect(date.getUTCMonth() === 11 && date.getUTCDate() >= 24).toBe(false);
      expect(date.getUTCHours()).toBeGreaterThanOrEqual(7);
      expect(date.getUTCHours()).toBeLessThanOrEqual(20);
      expect(formatMoment(calendar, moment)).toBe(formatInvoiceDate(date));
    }
  });

  it('packs more business time into November than into April', () => {
    const timeIn = (from: string, to: string) =>
      calendar.cumulative[isoToEpochDay(to) - calendar.startDay]! - calendar.cumulative[isoToEpochDay(from) - calendar.startDay]!;
    expect(timeIn('2011-11-01', '2011-12-01') / timeIn('2011-04-01', '2011-05-01')).toBeGreaterThan(2);
  });
});
