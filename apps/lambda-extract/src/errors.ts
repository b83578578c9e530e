import { NextBuyError, type DataQualityReport } from '@nextbuy/contracts';

export { ConfigurationError, InvalidEventError } from '@nextbuy/contracts';

/** The database secret is not a password nor a JSON object holding one. */
export class SecretFormatError extends NextBuyError {}

/**
 * Rows were read but cleaning kept none: nothing to train on or score. The report's counts say
 * which rule dropped them.
 */
export class NoCleanTransactionsError extends NextBuyError {
  constructor(readonly report: DataQualityReport) {
    const dropped = Object.entries(report.dropped)
      .filter(([, entry]) => entry.count > 0)
      .map(([rule, entry]) => `${rule} ${entry.count} (first at rows ${entry.firstLines.join(', ')})`)
      .join('; ');
    super(`${report.source}: none of the ${report.rowsRead} rows read passed cleaning: ${dropped}`);
  }
}
