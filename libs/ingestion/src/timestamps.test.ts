import { describe, expect, it } from 'vitest';
import { parseInvoiceDate } from './timestamps';

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
