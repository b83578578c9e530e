const UCI_TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an invoice timestamp as the UCI CSV writes it (`12/1/2010 8:26`, month first) or as
 * ISO 8601. Times without a zone are taken as UTC. Returns null when the text is not a date.
 */
export function parseInvoiceDate(text: string): Date | null {
  const trimmed = text.trim();
  const uci = UCI_TIMESTAMP.exec(trimmed);
  if (uci) {
    const [, month, day, year, hour, minute, second] = uci.map(Number) as number[];
    const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second || 0));
    // Date.UTC rolls 2/30 over to 3/2: reject instead of guessing.
    if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day! || hour! > 23 || minute! > 59) return null;
    return date;
  }
  if (ISO_TIMESTAMP.test(trimmed)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(trimmed) && trimmed.length > 10;
    const time = Date.parse(hasZone ? trimmed : `${trimmed.replace(' ', 'T')}${trimmed.length === 10 ? 'T00:00:00' : ''}Z`);
    return Number.isNaN(time) ? null : new Date(time);
  }
  return null;
}
