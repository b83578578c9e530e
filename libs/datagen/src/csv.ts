import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ONLINE_RETAIL_COLUMNS } from '@nextbuy/contracts';
import { formatMoment } from './calendar';
import { GeneratorOptionsError } from './errors';
import { generateInvoices, planDataset, type DatasetPlan } from './generator';
import type { GeneratorOptions } from './options';

/** A field as RFC 4180 writes it: quoted when it holds a comma, quote or line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** What writeOnlineRetailCsv wrote. */
export interface CsvWriteSummary {
  path: string;
  rows: number;
  invoices: number;
  customers: number;
}

export interface CsvWriteOptions extends GeneratorOptions {
  /** Called after each chunk with the rows written so far (for progress reports). */
  onProgress?: (rowsWritten: number) => void;
}

/** About 1 MB of text per chunk: few enough writes to be fast, small enough to stream. */
const CHUNK_CHARS = 1 << 20;

/** The CSV text (header first) in chunks, counting into `summary` as it goes. */
function* csvChunks(plan: DatasetPlan, summary: CsvWriteSummary, onProgress?: (rows: number) => void): Generator<string> {
  const { catalogue, calendar } = plan;
  const stockCodes = catalogue.stockCodes.map(csvField);
  const descriptions = catalogue.descriptions.map(csvField);
  const customers = new Set<string>();
  let chunk = `${ONLINE_RETAIL_COLUMNS.join(',')}\n`;
  for (const invoice of generateInvoices(plan)) {
    const tail = `${formatMoment(calendar, invoice.moment)},`;
    const owner = `,${invoice.customerId},${csvField(invoice.country)}\n`;
    for (let line = 0; line < invoice.lineCount; line++) {
      const product = invoice.product[line]!;
      chunk += `${invoice.invoiceNo},${stockCodes[product]},${descriptions[product]},${invoice.quantity[line]},${tail}${invoice.unitPrice[line]}${owner}`;
    }
    summary.rows += invoice.lineCount;
    summary.invoices++;
    if (invoice.customerId !== '') customers.add(invoice.customerId);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
      onProgress?.(summary.rows);
    }
  }
  summary.customers = customers.size;
  yield chunk;
  onProgress?.(summary.rows);
}

/**
 * Generates a data set straight into a `.csv` or `.csv.gz` file (parent folders created),
 * streaming with back-pressure: memory stays flat whatever the row count.
 */
export async function writeOnlineRetailCsv(path: string, options: CsvWriteOptions): Promise<CsvWriteSummary> {
  checkCsvPath(path);
  const plan = planDataset(options);
  const summary: CsvWriteSummary = { path, rows: 0, invoices: 0, customers: 0 };
  await writeCsvChunks(path, csvChunks(plan, summary, options.onProgress));
  return summary;
}

/** Rejects an output path that is neither `.csv` nor `.csv.gz`. */
export function checkCsvPath(path: string): void {
  if (!path.endsWith('.csv.gz') && !path.endsWith('.csv')) throw new GeneratorOptionsError('out', `must end in .csv or .csv.gz, got "${path}"`);
}

/** Streams text chunks into a `.csv` or `.csv.gz` file (gzip by the name), parent folders created. */
export async function writeCsvChunks(path: string, chunks: Iterable<string>): Promise<void> {
  checkCsvPath(path);
  await mkdir(dirname(path), { recursive: true });
  const source = Readable.from(chunks);
  const file = createWriteStream(path);
  if (path.endsWith('.csv.gz')) await pipeline(source, createGzip(), file);
  else await pipeline(source, file);
}
