import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError, locationText, type DataQualityReport, type OrderTable, type Transaction } from '@nextbuy/contracts';
import { DataQualityTally } from './cleaning';
import { readInBlocks } from './blocks/in-blocks';
import { DelimitedTextParser } from './delimited';
import { ONLINE_RETAIL_MAPPING, parseColumnMapping, type ColumnMappingInput } from './mapping';
import { OrderAccumulator } from './orders';
import { parquetTransactions } from './parquet';
import { folderFiles } from './readers/folders';
import { decompressed, prepended } from './readers/gzip';
import { isParquetSource, PARQUET_MAGIC } from './readers/parquet';
import { postgresBatches, postgresSourceName, type PostgresSource } from './readers/postgres';
import { s3ObjectBytes } from './readers/s3';
import { compileRecordReader, DayFirstDateError, type RecordContext, type RecordReader } from './records';
import { fileError } from './file-errors';

/** Bytes from anywhere (an HTTP body, a test's generator), plain or gzip. */
export interface StreamSource {
  kind: 'stream';
  /** How reports and errors name it. */
  name: string;
  stream: AsyncIterable<Uint8Array>;
}

/**
 * A local path (CSV plain or gzip, or Parquet), an `s3://bucket/key` URI (the same; Parquet when
 * the name ends in `.parquet` or the bytes start with `PAR1`), a folder of such files (a local directory, or an `s3://bucket/prefix/` URI
 * ending in `/`), a byte stream, or a Postgres table or query.
 */
export type TransactionSource = string | StreamSource | PostgresSource;

export interface IngestOptions {
  /** Where each schema field comes from; the Online Retail CSV layout by default. */
  mapping?: ColumnMappingInput;
  /** Make an unparseable date an error instead of a row dropped under `unparseable_date`. */
  strict?: boolean;
  /** The client for `s3://` sources; one from the environment's AWS configuration by default. */
  s3Client?: S3Client;
  /** Bytes per read from a local file (the stream's buffer size). */
  highWaterMark?: number;
  /** Rows per fetch from Postgres. */
  batchSize?: number;
  /** Called after every chunk read, with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
  /**
   * Threads that read a large local delimited file (four blocks of 16 MiB or more, not gzip) in
   * blocks; the machine's available parallelism by default, 1 to read it whole on this thread.
   */
  threads?: number;
  /** Bytes per block of such a read (tests make them small). */
  blockBytes?: number;
}

/** Orders and the data-quality report of one source. */
export interface IngestResult {
  orders: OrderTable;
  report: DataQualityReport;
  /** How a local file was read in blocks on worker threads; absent when it was read whole. */
  readIn?: { blocks: number; threads: number };
  /**
   * Present when `dateFormat: auto` found the source day first and read it again as `dmy`: the
   * date that showed it (`"13/01/2011 9:00" (sales.csv, line 4) can only be day first`).
   */
  dayFirst?: string;
}

/** How reports and errors name a source. */
export function sourceName(source: TransactionSource): string {
  if (typeof source === 'string') return source;
  return source.kind === 'stream' ? source.name : postgresSourceName(source);
}

async function sourceBytes(source: string | StreamSource, options: IngestOptions): Promise<AsyncIterable<Uint8Array>> {
  if (typeof source !== 'string') return source.stream;
  if (source.startsWith('s3://')) return s3ObjectBytes(source, options.s3Client);
  return createReadStream(source, options.highWaterMark ? { highWaterMark: options.highWaterMark } : {});
}

/**
 * An S3 object's bytes, or null (the stream closed) when they start with Parquet's magic `PAR1`,
 * whatever the key: Athena's UNLOAD writes Parquet objects without an extension. The text reader
 * streams the object anyway, so looking costs a CSV object no request; a Parquet one is then read
 * by ranged GETs. (A local file's first bytes are read by `isParquetSource`.)
 */
async function unlessParquet(stream: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array> | null> {
  const iterator = stream[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < PARQUET_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
  }
  // An empty object: its stream, already at its end.
  if (head.length === 0) return { [Symbol.asyncIterator]: () => iterator };
  const first = Buffer.concat(head);
  if (first.subarray(0, PARQUET_MAGIC.length).toString('latin1') === PARQUET_MAGIC) {
    await iterator.return?.();
    return null;
  }
  return prepended(first, iterator);
}

/** A read failure as the user's input error where it is one (missing file, broken gzip). */
function readError(error: unknown, source: string, linesRead: number): unknown {
  if (error instanceof InputDataError) return error;
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT' || code === 'EISDIR') return fileError(error, source);
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') {
    return new InputDataError(`the gzip data is truncated or corrupt (${message})`, { source, line: linesRead + 1 }, { cause: error });
  }
  return error;
}

/**
 * The cleaned transactions of a source, one batch per chunk read, while `tally` counts every
 * row read and dropped. Batches rather than single rows: a promise per row would cost more than
 * reading the row.
 */
async function* keptBatches(
  source: TransactionSource,
  options: IngestOptions,
  tally: DataQualityTally,
  descriptive: boolean,
): AsyncGenerator<Transaction[]> {
  const mapping = options.mapping ? parseColumnMapping(options.mapping) : ONLINE_RETAIL_MAPPING;
  const context: RecordContext = { source: tally.source, strict: options.strict ?? false, descriptive };
  let kept: Transaction[] = [];
  const check = (transaction: Transaction, line: number) => {
    if (tally.check(transaction, line)) kept.push(transaction);
  };

  if (typeof source !== 'string' && source.kind === 'postgres') {
    let reader: RecordReader | null = null;
    let row = 0;
    for await (const batch of postgresBatches(source, options.batchSize ?? 10_000)) {
      // Postgres prints its numbers with a point in every locale: a decimalSeparator is for text files.
      reader ??= compileRecordReader({ ...mapping, decimalSeparator: 'point' }, batch.columns, context);
      for (const values of batch.rows) {
        row++;
        for (let column = 0; column < values.length; column++) values[column] ??= '';
        check(reader(values as string[], row), row);
      }
      options.onProgress?.(tally.rowsRead);
      yield kept;
      kept = [];
    }
    if (row === 0) throw new InputDataError('the table or query has no rows', { source: tally.source });
    return;
  }

  let bytes: AsyncIterable<Uint8Array> | null = null;
  let parquet = typeof source === 'string' && (await isParquetSource(source));
  if (!parquet && typeof source === 'string' && source.startsWith('s3://')) {
    bytes = await unlessParquet(await s3ObjectBytes(source, options.s3Client));
    parquet = bytes === null;
  }
  if (parquet) {
    for await (const { firstRow, transactions } of parquetTransactions(source as string, mapping, context, options.s3Client)) {
      for (let index = 0; index < transactions.length; index++) check(transactions[index]!, firstRow + index);
      options.onProgress?.(tally.rowsRead);
      yield kept;
      kept = [];
    }
    return;
  }

  const parser = new DelimitedTextParser(mapping, context, check);
  const decoder = new StringDecoder(mapping.encoding);
  try {
    for await (const chunk of decompressed(bytes ?? (await sourceBytes(source, options)))) {
      parser.write(decoder.write(chunk));
      options.onProgress?.(tally.rowsRead);
      if (kept.length > 0) {
        yield kept;
        kept = [];
      }
    }
    parser.write(decoder.end());
    parser.end();
  } catch (error) {
    throw readError(error, tally.source, parser.linesRead);
  }
  options.onProgress?.(tally.rowsRead);
  if (kept.length > 0) yield kept;
}

/** A plain local file's size, or null when it is gzip, missing or not a file (the whole-file read says why). */
async function plainFileSize(path: string): Promise<number | null> {
  let file;
  try {
    file = await open(path);
  } catch {
    return null;
  }
  try {
    const stats = await file.stat();
    if (!stats.isFile()) return null;
    const { buffer, bytesRead } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b ? null : stats.size;
  } finally {
    await file.close();
  }
}

/** A large plain local file read in blocks on worker threads (blocks/in-blocks.ts), or null. */
async function ingestInBlocks(path: string, options: IngestOptions) {
  if (await isParquetSource(path)) return null;
  const size = await plainFileSize(path);
  if (size === null) return null;
  const mapping = options.mapping ? parseColumnMapping(options.mapping) : ONLINE_RETAIL_MAPPING;
  return readInBlocks(path, size, mapping, { source: path, strict: options.strict ?? false }, options);
}

/**
 * Reads a source, cleans every transaction (evaluation.md "Orders") and aggregates the kept ones
 * into orders as they stream in: memory grows with the orders, not the size of the source.
 *
 * Under `dateFormat: auto`, a date that can only be day first (`13/01/2011`) means the source is
 * day first, and its `02/01/2011` was read as February 1: a source that can be read again (a file,
 * a folder, an S3 object or prefix, a Postgres query) is read again from the start as `dmy`, and
 * the result says why (`dayFirst`); a byte stream cannot be, and the error says to set `dmy`.
 */
export async function ingest(source: TransactionSource, options: IngestOptions = {}): Promise<IngestResult> {
  try {
    return await ingestAsMapped(source, options);
  } catch (error) {
    const mapping = options.mapping ? parseColumnMapping(options.mapping) : ONLINE_RETAIL_MAPPING;
    const rereadable = typeof source === 'string' || source.kind === 'postgres';
    if (!(error instanceof DayFirstDateError) || mapping.dateFormat !== 'auto' || !rereadable) throw error;
    const dayFirst = `"${error.value}" (${locationText({ ...error.location, column: undefined })}) can only be day first`;
    return { ...(await ingestAsMapped(source, { ...options, mapping: { ...mapping, dateFormat: 'dmy' } })), dayFirst };
  }
}

async function ingestAsMapped(source: TransactionSource, options: IngestOptions): Promise<IngestResult> {
  if (typeof source === 'string') {
    const files = await folderFiles(source, options.s3Client);
    if (files) return ingestFolder(source, files, options);
  }
  if (typeof source === 'string' && !source.startsWith('s3://')) {
    const read = await ingestInBlocks(source, options);
    if (read) {
      return {
        orders: read.orders.finish(),
        report: read.tally.report({ customers: read.orders.customerCount, orders: read.orders.orderCount }),
        readIn: read.readIn,
      };
    }
  }
  const tally = new DataQualityTally(sourceName(source));
  const accumulator = new OrderAccumulator();
  // Orders need no stock code, description or country: they are not read.
  for await (const batch of keptBatches(source, options, tally, false)) {
    for (const transaction of batch) accumulator.add(transaction);
  }
  return {
    orders: accumulator.finish(),
    report: tally.report({ customers: accumulator.customerCount, orders: accumulator.orderCount }),
  };
}

/**
 * The files of a folder read one after another, on this thread, into one set of orders: as if
 * they were one file (an order whose lines are split across files is one order). The report
 * sums the files' counts and lists each file's own, with its line numbers (`files`); an error
 * names the file at fault.
 */
async function ingestFolder(folder: string, files: readonly string[], options: IngestOptions): Promise<IngestResult> {
  if (files.length === 0) {
    throw new InputDataError('the folder holds no data file (empty files, and names starting with "." or "_", are skipped)', { source: folder });
  }
  const total = new DataQualityTally(folder);
  const accumulator = new OrderAccumulator();
  const parts: NonNullable<DataQualityReport['files']> = [];
  for (const file of files) {
    const tally = new DataQualityTally(file);
    const before = total.rowsRead;
    const onProgress = options.onProgress && ((rows: number) => options.onProgress!(before + rows));
    for await (const batch of keptBatches(file, { ...options, onProgress }, tally, false)) {
      for (const transaction of batch) accumulator.add(transaction);
    }
    const part = tally.state();
    total.absorb(part);
    parts.push({ source: file, rowsRead: part.rowsRead, rowsKept: part.rowsKept, dropped: part.dropped });
  }
  return {
    orders: accumulator.finish(),
    report: { ...total.report({ customers: accumulator.customerCount, orders: accumulator.orderCount }), files: parts },
  };
}

/** The cleaned transactions of a source, streamed in batches, and the report once they are all read. */
export interface CleanedTransactions extends AsyncIterable<Transaction[]> {
  /** The data-quality report; throws until the last batch has been read. */
  report(): DataQualityReport;
}

/**
 * Streams the cleaned transactions of a source, batch by batch, holding none of them after
 * their batch is consumed; only the order keys are kept, for the report's counts. Iterate once.
 */
export function readCleanedTransactions(source: TransactionSource, options: IngestOptions = {}): CleanedTransactions {
  const tally = new DataQualityTally(sourceName(source));
  const orders = new OrderAccumulator();
  let state: 'new' | 'reading' | 'done' = 'new';
  return {
    async *[Symbol.asyncIterator]() {
      if (state !== 'new') throw new Error('readCleanedTransactions: a source is iterated once');
      state = 'reading';
      for await (const batch of keptBatches(source, options, tally, true)) {
        for (const transaction of batch) orders.add(transaction);
        yield batch;
      }
      state = 'done';
    },
    report() {
      if (state !== 'done') throw new Error('readCleanedTransactions: the report is ready once every batch is read');
      return tally.report({ customers: orders.customerCount, orders: orders.orderCount });
    },
  };
}

/**
 * Cleans transactions already in memory (say, the raw transactions of an inference request) and
 * aggregates them into orders. Line numbers in the report are 1-based positions in `transactions`.
 */
export function ordersFromTransactions(transactions: Iterable<Transaction>, source = 'transactions'): IngestResult {
  const tally = new DataQualityTally(source);
  const accumulator = new OrderAccumulator();
  let line = 0;
  for (const transaction of transactions) {
    if (tally.check(transaction, ++line)) accumulator.add(transaction);
  }
  return {
    orders: accumulator.finish(),
    report: tally.report({ customers: accumulator.customerCount, orders: accumulator.orderCount }),
  };
}
