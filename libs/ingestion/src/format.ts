import { ONLINE_RETAIL_COLUMNS, type Transaction } from '@nextbuy/contracts';

/** The header line of an Online Retail CSV, newline included. */
export const ONLINE_RETAIL_CSV_HEADER = `${ONLINE_RETAIL_COLUMNS.join(',')}\n`;

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One transaction as an Online Retail CSV line, newline included. The timestamp is written as
 * ISO 8601 (exact to the millisecond, unlike the UCI form), which ONLINE_RETAIL_MAPPING reads,
 * without a zone: a transaction's time is the wall-clock time of its day (already moved to the
 * mapping's `timeZone` when it had one), so that reading the line back, with or without a
 * `timeZone`, puts it on the same day and never moves it twice.
 */
export function formatOnlineRetailLine(transaction: Transaction): string {
  return `${csvField(transaction.invoiceNo)},${csvField(transaction.stockCode)},${csvField(transaction.description)},${transaction.quantity},${transaction.invoiceDate.toISOString().slice(0, -1)},${transaction.unitPrice},${csvField(transaction.customerId)},${csvField(transaction.country)}\n`;
}
