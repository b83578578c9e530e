import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { epochDayToIso, InputDataError, type DataQualityReport } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOrders, ingest, readCleanedTransactions, type ColumnMappingInput } from '../src/index';
import { queryDuckDb, runDuckDb, transactionsSelect } from './duckdb';
import { temporaryDirectory } from './fixtures';

const ROWS = 12_000;
let directory: { path: string; remove: () => Promise<void> };
const at = (name: string) => join(directory.path, name);

/** The CSV's report with its line numbers (header on line 1) as the 1-based data rows Parquet reports. */
function asRows(report: DataQualityReport): DataQualityReport {
  const dropped = Object.fromEntries(
    Object.entries(report.dropped).map(([rule, entry]) => [rule, { ...entry, firstLines: entry.firstLines.map((line) => line - 1) }]),
  ) as DataQualityReport['dropped'];
  return { ...report, source: '', dropped };
}

async function failure(promise: Promise<unknown>): Promise<InputDataError> {
  const error = await promise.then(() => null, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(InputDataError);
  return error as InputDataError;
}

const TEXT_DATES: ColumnMappingInput = {
  dateFormat: 'uci',
  columns: {
    InvoiceNo: 'InvoiceNo',
    StockCode: 'StockCode',
    Description: 'Description',
    Quantity: 'Quantity',
    InvoiceDate: 'InvoiceDateText',
    UnitPrice: 'UnitPrice',
    CustomerID: 'CustomerID',
    Country: 'Country',
  },
};

beforeAll(async () => {
  directory = await temporaryDirectory();
  const select = transactionsSelect(ROWS);
  // The same rows, written by DuckDB as Parquet (several row groups; snappy, its default, and
  // zstd) and as CSV; `typed.parquet` holds a text quantity and a DATE, for the errors below.
  await runDuckDb(
    `COPY (${select}) TO '${at('sales.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    `COPY (${select}) TO '${at('sales-zstd.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
    `COPY (${select}) TO '${at('sales.csv')}' (HEADER, DELIMITER ',')`,
    `COPY (${transactionsSelect(0)}) TO '${at('empty.parquet')}' (FORMAT parquet)`,
    `COPY (${transactionsSelect(40_000)}) TO '${at('one-group.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`,
    `COPY (SELECT * REPLACE (CASE WHEN i = 2 THEN 'abc' ELSE Quantity::VARCHAR END AS Quantity), DATE '2011-03-04' AS InvoiceDay
           FROM (${transactionsSelect(5, ', i')}) ) TO '${at('typed.parquet')}' (FORMAT parquet)`,
  );
});

afterAll(() => directory.remove());

describe('Parquet reader', () => {
  it('gives the same orders and report for a DuckDB Parquet file as for the same rows as CSV', async () => {
    const csv = await ingest(at('sales.csv'));
    const parquet = await ingest(at('sales.parquet'));
    expect(parquet.report.source).toBe(at('sales.parquet'));
    expect(parquet.report.rowsRead).toBe(ROWS);
    for (const rule of ['missing_customer_id', 'cancellation', 'non_positive_quantity', 'non_positive_price'] as const) {
      expect(parquet.report.dropped[rule].count).toBeGreaterThan(0);
    }
    // Row 1 is range's i = 0: a null customer (0 % 13), which is the first rule it breaks.
    expect(parquet.report.dropped.missing_customer_id.firstLines.slice(0, 2)).toEqual([1, 14]);
    expect({ ...parquet.report, source: '' }).toEqual(asRows(csv.report));
    expect(fingerprintOrders(parquet.orders)).toEqual(fingerprintOrders(csv.orders));
    expect(parquet.report.customers).toBe(50);
  });

  it('takes a constant quantity and price where the mapping derives them, as CSV does', async () => {
    const mapping = { columns: { CustomerID: 'CustomerID', InvoiceDate: 'InvoiceDate', InvoiceNo: 'InvoiceNo' }, derive: { Quantity: { constant: 1 }, UnitPrice: { constant: 2 } } };
    const csv = await ingest(at('sales.csv'), { mapping });
    const parquet = await ingest(at('sales.parquet'), { mapping });
    expect(fingerprintOrders(parquet.orders)).toEqual(fingerprintOrders(csv.orders));
    expect(parquet.report.dropped.non_positive_quantity.count).toBe(0);
    expect(Array.from(parquet.orders.totalPrice, (total, i) => total / parquet.orders.lines[i]!)).toEqual(Array.from(parquet.orders.totalPrice, () => 2));
  });

  it('parses a VARCHAR date column with the mapping dateFormat, as CSV text is', async () => {
    const csv = await ingest(at('sales.csv'), { mapping: TEXT_DATES });
    const parquet = await ingest(at('sales.parquet'), { mapping: TEXT_DATES });
    expect(parquet.report.dropped.unparseable_date.count).toBeGreaterThan(0);
    expect({ ...parquet.report, source: '' }).toEqual(asRows(csv.report));
    expect(fingerprintOrders(parquet.orders)).toEqual(fingerprintOrders(csv.orders));
    // The TIMESTAMP column gives the same days whatever dateFormat says (yyyymmdd fits no text here).
    const timestamps = await ingest(at('sales.parquet'), { mapping: { ...TEXT_DATES, dateFormat: 'yyyymmdd', columns: { ...TEXT_DATES.columns, InvoiceDate: 'InvoiceDate' } } });
    expect(timestamps.report.dropped.unparseable_date.count).toBe(0);
    expect(timestamps.report.rowsKept).toBe(parquet.report.rowsKept + parquet.report.dropped.unparseable_date.count);
  });

  it("puts a TIMESTAMP adjusted to UTC on the timeZone's days, and keeps a wall-clock TIMESTAMP's", async () => {
    // DuckDB writes TIMESTAMPTZ as a Parquet TIMESTAMP adjusted to UTC (an instant) and TIMESTAMP
    // as one that is not (a wall-clock time): the same three values in both columns.
    await runDuckDb(
      `SET TimeZone = 'UTC'`,
      `COPY (SELECT 7 AS customer, ts::TIMESTAMPTZ AS instant, ts::TIMESTAMP AS wall
             FROM (VALUES (TIMESTAMP '2011-12-09 20:00:00'), (TIMESTAMP '2011-12-10 03:30:00'), (TIMESTAMP '2011-12-20 23:30:00')) AS t(ts))
        TO '${at('zoned.parquet')}' (FORMAT parquet)`,
    );
    const mapping = (column: string, timeZone?: string) => ({
      columns: { CustomerID: 'customer', InvoiceDate: column },
      derive: { Quantity: { constant: 1 }, UnitPrice: { constant: 1 }, InvoiceNo: 'lineNumber' as const },
      ...(timeZone ? { timeZone } : {}),
    });
    const days = async (column: string, timeZone?: string) => Array.from((await ingest(at('zoned.parquet'), { mapping: mapping(column, timeZone) })).orders.day, epochDayToIso);
    expect(await days('instant')).toEqual(['2011-12-09', '2011-12-10', '2011-12-20']);
    expect(await days('instant', 'America/Los_Angeles')).toEqual(['2011-12-09', '2011-12-20']);
    expect(await days('instant', 'Asia/Tokyo')).toEqual(['2011-12-10', '2011-12-21']);
    expect(await days('wall', 'America/Los_Angeles')).toEqual(['2011-12-09', '2011-12-10', '2011-12-20']);
  });

  it('reads zstd pages, and a file of any name by its PAR1 magic', async () => {
    const snappy = await ingest(at('sales.parquet'));
    const zstd = await ingest(at('sales-zstd.parquet'));
    await copyFile(at('sales.parquet'), at('sales-export.dat'));
    const unnamed = await ingest(at('sales-export.dat'));
    for (const other of [zstd, unnamed]) {
      expect({ ...other.report, source: '' }).toEqual({ ...snappy.report, source: '' });
      expect(fingerprintOrders(other.orders)).toEqual(fingerprintOrders(snappy.orders));
    }
  });

  it('reads one row group at a time', async () => {
    const groups = await queryDuckDb(
      `SELECT row_group_id, max(row_group_num_rows) FROM parquet_metadata('${at('sales.parquet')}') GROUP BY ALL ORDER BY 1`,
    );
    expect(groups.length).toBeGreaterThan(3);
    const progress: number[] = [];
    const batches: number[] = [];
    const cleaned = readCleanedTransactions(at('sales.parquet'), { onProgress: (rows) => progress.push(rows) });
    for await (const batch of cleaned) batches.push(batch.length);
    let read = 0;
    expect(progress).toEqual(groups.map(([, rows]) => (read += Number(rows))));
    expect(batches).toHaveLength(groups.length);
    expect(batches.reduce((sum, rows) => sum + rows, 0)).toBe(cleaned.report().rowsKept);
  });

  it('turns a big row group into transactions a bounded batch at a time', async () => {
    const [[groups]] = (await queryDuckDb(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${at('one-group.parquet')}')`)) as [[bigint]];
    expect(groups).toBe(1n);
    const progress: number[] = [];
    const cleaned = readCleanedTransactions(at('one-group.parquet'), { onProgress: (rows) => progress.push(rows) });
    let kept = 0;
    for await (const batch of cleaned) kept += batch.length;
    expect(progress).toEqual([16_384, 32_768, 40_000]);
    expect(kept).toBe(cleaned.report().rowsKept);
  });

  it('names the row and the column of a bad value, and a null quantity is an empty cell', async () => {
    const quantity = await failure(ingest(at('typed.parquet')));
    expect(quantity.message).toBe(`${at('typed.parquet')}, row 3, column "Quantity": not a number: "abc"`);
    const nullQuantity = await failure(
      ingest(at('typed.parquet'), { mapping: { columns: { ...TEXT_DATES.columns, InvoiceDate: 'InvoiceDate', Quantity: 'CustomerID' } } }),
    );
    // CustomerID is null on row 1 (i = 0): as a quantity, it is what an empty CSV cell is.
    expect(nullQuantity.message).toBe(`${at('typed.parquet')}, row 1, column "CustomerID": not a number: null`);
    const strict = await failure(ingest(at('typed.parquet'), { strict: true, mapping: { ...TEXT_DATES, columns: { ...TEXT_DATES.columns, Quantity: 'i' } } }));
    expect(strict.message).toBe(`${at('typed.parquet')}, row 1, column "InvoiceDateText": not a date (M/D/YYYY H:MM): "not a date"`);
    // A DATE column is a time: the quantity column `i` (0 on row 1) makes row 1 a drop, not an error.
    const days = await ingest(at('typed.parquet'), { mapping: { columns: { ...TEXT_DATES.columns, InvoiceDate: 'InvoiceDay', Quantity: 'i' } } });
    expect(days.report.firstDate).toBe('2011-03-04');
    expect(days.report.rowsRead).toBe(5);
  });

  it('names a missing mapped column and the columns the file has', async () => {
    const error = await failure(ingest(at('sales.parquet'), { mapping: { columns: { ...TEXT_DATES.columns, CustomerID: 'customer' } } }));
    expect(error.message).toBe(
      `${at('sales.parquet')}: missing column "customer" (CustomerID); the file has "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "InvoiceDateText", "UnitPrice", "CustomerID", "Country"`,
    );
  });

  it('says what is wrong with an empty, truncated, corrupt or mislabelled file', async () => {
    const empty = await failure(ingest(at('empty.parquet')));
    expect(empty.message).toBe(`${at('empty.parquet')}: the source has no data rows`);

    const bytes = await readFile(at('sales.parquet'));
    await writeFile(at('truncated.parquet'), bytes.subarray(0, bytes.length >> 1));
    const truncated = await failure(ingest(at('truncated.parquet')));
    expect(truncated.message).toMatch(
      new RegExp(`^${at('truncated.parquet')}: the Parquet file is truncated or corrupt: its footer cannot be read \\(`),
    );

    // Footer intact, the column chunks of the first row group overwritten.
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0xff, 4, 4096);
    await writeFile(at('corrupt.parquet'), corrupt);
    const broken = await failure(ingest(at('corrupt.parquet')));
    expect(broken.message).toMatch(new RegExp(`^${at('corrupt.parquet')}: the row group of rows 1-2048 is corrupt or unreadable \\(`));

    await copyFile(at('sales.csv'), at('mislabelled.parquet'));
    const csv = await failure(ingest(at('mislabelled.parquet')));
    expect(csv.message).toBe(
      `${at('mislabelled.parquet')}: not a Parquet file: a Parquet file starts and ends with the bytes PAR1; this one starts with "Invo"`,
    );
    await writeFile(at('zero.parquet'), '');
    expect((await failure(ingest(at('zero.parquet')))).message).toBe(
      `${at('zero.parquet')}: the source is empty: a Parquet file starts and ends with the bytes PAR1`,
    );
    expect((await failure(ingest(at('missing.parquet')))).message).toBe(`${at('missing.parquet')}: no such file`);
  });
});
