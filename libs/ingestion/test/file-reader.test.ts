import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { InputDataError, epochDayToIso } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CDNOW_MAPPING,
  fingerprintOrders,
  formatOnlineRetailLine,
  ingest,
  ONLINE_RETAIL_CSV_HEADER,
  ONLINE_RETAIL_MAPPING,
  readCleanedTransactions,
  type IngestOptions,
  type TransactionSource,
} from '../src/index';
import { generatedCsv, RULES_SAMPLE, temporaryDirectory, writeSample } from './fixtures';

let directory: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  directory = await temporaryDirectory();
});
afterAll(() => directory.remove());

async function inputError(source: TransactionSource, options?: IngestOptions): Promise<InputDataError> {
  const error = await ingest(source, options).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputDataError);
  return error as InputDataError;
}

describe('local CSV reader', () => {
  it('cleans by rule with counts and line numbers, then aggregates orders', async () => {
    const path = await writeSample(directory.path, 'rules.csv', RULES_SAMPLE);
    const { orders, report } = await ingest(path);
    expect(report).toEqual({
      source: path,
      rowsRead: 12,
      rowsKept: 5,
      dropped: {
        missing_customer_id: { count: 1, firstLines: [5] },
        cancellation: { count: 1, firstLines: [6] },
        non_positive_quantity: { count: 2, firstLines: [7, 8] },
        non_positive_price: { count: 1, firstLines: [9] },
        unparseable_date: { count: 1, firstLines: [10] },
        future_date: { count: 1, firstLines: [13] },
      },
      customers: 2,
      orders: 3,
      firstDate: '2010-12-01',
      lastDate: '2010-12-02',
    });
    expect(orders.customerIds).toEqual(['12583', '12583', '17850']);
    expect(Array.from(orders.day, epochDayToIso)).toEqual(['2010-12-01', '2010-12-02', '2010-12-01']);
    expect(Array.from(orders.totalPrice)).toEqual([90, 90, 6 * 2.55 + 6 * 3.39 + 6 * 1.85]);
    expect(Array.from(orders.quantity)).toEqual([24, 24, 18]);
    expect(Array.from(orders.lines)).toEqual([1, 1, 3]);
    expect(Array.from(orders.invoices)).toEqual([1, 1, 2]);
  });

  it('reads gzip files to the same orders', async () => {
    const text = generatedCsv(3_000);
    const plain = await ingest(await writeSample(directory.path, 'generated.csv', text));
    const zipped = await ingest(await writeSample(directory.path, 'generated.csv.gz', gzipSync(text)));
    expect(plain.report.rowsRead).toBe(3_000);
    expect(plain.orders.nRows).toBeGreaterThan(100);
    expect(fingerprintOrders(zipped.orders)).toEqual(fingerprintOrders(plain.orders));
    expect({ ...zipped.report, source: '' }).toEqual({ ...plain.report, source: '' });
  });

  it('reads a header-less tab-separated latin-1 file through an index mapping', async () => {
    const text = '17850\t2010-12-01 08:26\t6\t2.55\tCaf\u00e9 cr\u00e8me\n17850\t2010-12-01 09:00\t1\t0.45\tTh\u00e9\n';
    const path = await writeSample(directory.path, 'sales.tsv', Buffer.from(text, 'latin1'));
    const chunks: string[] = [];
    const stream = readCleanedTransactions(path, {
      mapping: {
        delimiter: 'tab',
        header: false,
        dateFormat: 'iso',
        encoding: 'latin1',
        columns: { CustomerID: 0, InvoiceDate: 1, Quantity: 2, UnitPrice: 3, Description: 4 },
        derive: { InvoiceNo: 'lineNumber', Country: { constant: 'France' } },
      },
    });
    for await (const batch of stream) for (const transaction of batch) chunks.push(formatOnlineRetailLine(transaction));
    expect(chunks).toEqual([
      '1,,Caf\u00e9 cr\u00e8me,6,2010-12-01T08:26:00.000,2.55,17850,France\n',
      '2,,Th\u00e9,1,2010-12-01T09:00:00.000,0.45,17850,France\n',
    ]);
    expect(stream.report()).toMatchObject({ rowsRead: 2, rowsKept: 2, customers: 1, orders: 1 });
  });

  it('streams cleaned transactions that, written as gzip CSV, read back to the same orders', async () => {
    const path = await writeSample(directory.path, 'round-trip.csv', RULES_SAMPLE + generatedCsv(500).slice(ONLINE_RETAIL_CSV_HEADER.length));
    const stream = readCleanedTransactions(path);
    expect(() => stream.report()).toThrow(/once every batch is read/);
    let csv = ONLINE_RETAIL_CSV_HEADER;
    for await (const batch of stream) for (const transaction of batch) csv += formatOnlineRetailLine(transaction);
    const original = await ingest(path);
    const copy = await ingest(await writeSample(directory.path, 'cleaned.csv.gz', gzipSync(csv)));
    expect(fingerprintOrders(copy.orders)).toEqual(fingerprintOrders(original.orders));
    expect(stream.report()).toEqual(original.report);
    expect(copy.report.rowsRead).toBe(original.report.rowsKept);
    expect(copy.report.rowsKept).toBe(original.report.rowsKept);
  });
});

describe('mapped sources', () => {
  it('derives UnitPrice from an amount and invoices from line numbers (CDNOW layout)', async () => {
    const text = ' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n 00003 19970102  0    0.00\r\n 00004 19970102  2    0.00\r\n';
    const path = await writeSample(directory.path, 'cdnow.txt', text);
    const transactions = [];
    for await (const batch of readCleanedTransactions(path, { mapping: CDNOW_MAPPING })) transactions.push(...batch);
    expect(transactions[2]).toMatchObject({ invoiceNo: '4', customerId: '00002', quantity: 5, unitPrice: 15.4, stockCode: '', country: '' });
    const { orders, report } = await ingest(path, { mapping: CDNOW_MAPPING });
    expect(report.dropped.non_positive_quantity).toEqual({ count: 1, firstLines: [5] });
    expect(report.dropped.non_positive_price).toEqual({ count: 1, firstLines: [6] });
    expect(orders.customerIds).toEqual(['00001', '00002']);
    expect(Array.from(orders.totalPrice)).toEqual([11.77, 89]);
    expect(Array.from(orders.invoices)).toEqual([1, 2]);
  });

  it('names a renamed column the header lacks, and a column index past the end of a line', async () => {
    const path = await writeSample(directory.path, 'no-amount.txt', 'customer_id date number_of_cds\n1 19970101 1\n');
    expect((await inputError(path, { mapping: CDNOW_MAPPING })).message).toBe(
      `${path}, line 1: missing column "dollar_value" (UnitPrice); the header has "customer_id", "date", "number_of_cds"`,
    );
    const headerless = await writeSample(directory.path, 'headerless.txt', '1 19970101 1 5\n2 19970101 1\n');
    const mapping = { ...CDNOW_MAPPING, header: false, columns: { CustomerID: 0, InvoiceDate: 1, Quantity: 2 }, derive: { UnitPrice: { amountColumn: 3 }, InvoiceNo: 'lineNumber' as const } };
    expect((await inputError(headerless, { mapping })).message).toBe(`${headerless}, line 2, column "UnitPrice (#3)": the line has 3 fields; this column is field 4`);
  });

  it('iterates a cleaned-transaction stream once', async () => {
    const path = await writeSample(directory.path, 'once.csv', RULES_SAMPLE);
    const stream = readCleanedTransactions(path);
    for await (const _batch of stream) break;
    await expect(async () => {
      for await (const _batch of stream) break;
    }).rejects.toThrow('a source is iterated once');
  });
});

describe('streaming', () => {
  it('reads a file many times larger than its buffer chunk by chunk, never whole', async () => {
    const path = await writeSample(directory.path, 'large.csv', generatedCsv(40_000));
    const { size } = await stat(path);
    const highWaterMark = 4_096;
    const stream = createReadStream(path, { highWaterMark });
    const bytesAtProgress: number[] = [];
    const streamed = await ingest(
      { kind: 'stream', name: 'large.csv', stream },
      { onProgress: () => bytesAtProgress.push(stream.bytesRead) },
    );
    expect(size).toBeGreaterThan(500 * highWaterMark);
    // The first rows were cleaned and counted when at most two buffers had been read.
    expect(bytesAtProgress[0]).toBeLessThanOrEqual(2 * highWaterMark);
    expect(bytesAtProgress.length).toBeGreaterThan(size / highWaterMark - 2);
    expect(bytesAtProgress.at(-1)).toBe(size);
    const whole = await ingest(path);
    expect(streamed.report.rowsRead).toBe(40_000);
    expect(fingerprintOrders(streamed.orders)).toEqual(fingerprintOrders(whole.orders));
  });

  it('passes highWaterMark to the file reader and reports progress as rows accumulate', async () => {
    const path = await writeSample(directory.path, 'progress.csv', generatedCsv(5_000));
    const progress: number[] = [];
    await ingest(path, { highWaterMark: 1_024, onProgress: (rows) => progress.push(rows) });
    expect(progress.length).toBeGreaterThan(200);
    expect(progress.every((rows, index) => index === 0 || rows >= progress[index - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(5_000);
  });

  it('stops reading, plain or gzip, when the consumer stops', async () => {
    const text = generatedCsv(40_000);
    for (const path of [await writeSample(directory.path, 'stop.csv', text), await writeSample(directory.path, 'stop.csv.gz', gzipSync(text))]) {
      const { size } = await stat(path);
      const stream = createReadStream(path, { highWaterMark: 1_024 });
      let batches = 0;
      for await (const _batch of readCleanedTransactions({ kind: 'stream', name: path, stream })) {
        if (++batches === 3) break;
      }
      // Closing is asynchronous behind gunzip: wait for it, then check how little was read.
      if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
      expect(stream.bytesRead).toBeLessThan(size / 4);
    }
  });

  it('reads from any byte stream, gzip included, split anywhere', async () => {
    const bytes = gzipSync(RULES_SAMPLE);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, index) => bytes.subarray(index * 7, index * 7 + 7));
    const { report } = await ingest({ kind: 'stream', name: 'upload', stream: Readable.from(pieces) });
    expect(report).toMatchObject({ source: 'upload', rowsRead: 12, rowsKept: 5 });
  });
});

describe('bad input', () => {
  const header = ONLINE_RETAIL_CSV_HEADER;
  const good = '536365,85123A,HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom\n';

  it('names every missing column of the header', async () => {
    const path = await writeSample(directory.path, 'missing.csv', 'InvoiceNo,StockCode,Description,InvoiceDate,CustomerID,Country\n1,2,3,4,5,6\n');
    const error = await inputError(path);
    expect(error.message).toBe(
      `${path}, line 1: missing columns "Quantity", "UnitPrice"; the header has "InvoiceNo", "StockCode", "Description", "InvoiceDate", "CustomerID", "Country"`,
    );
  });

  it('rejects a non-numeric quantity or price, naming file, line and column', async () => {
    const quantity = await writeSample(directory.path, 'quantity.csv', `${header}${good}536366,1,X,six,12/1/2010 8:26,2.55,17850,UK\n`);
    expect((await inputError(quantity)).message).toBe(`${quantity}, line 3, column "Quantity": not a number: "six"`);
    const price = await writeSample(directory.path, 'price.csv', `${header}${good}${good}536366,1,X,1,12/1/2010 8:26,,17850,UK\n`);
    const error = await inputError(price);
    expect(error.message).toBe(`${price}, line 4, column "UnitPrice": not a number: ""`);
    expect(error.location).toEqual({ source: price, line: 4, column: 'UnitPrice' });
  });

  it('rejects an unparseable date in strict mode, and drops and counts it otherwise', async () => {
    const path = await writeSample(directory.path, 'date.csv', `${header}${good}536366,1,X,1,2010-13-45,1,17850,UK\n`);
    expect((await inputError(path, { strict: true })).message).toBe(`${path}, line 3, column "InvoiceDate": not a date (M/D/YYYY H:MM, YYYY/MM/DD or ISO 8601): "2010-13-45"`);
    const { report } = await ingest(path);
    expect(report.dropped.unparseable_date).toEqual({ count: 1, firstLines: [3] });
  });

  it('reads orders without a quantity (one unit each) and visits without money (one unit, price 1)', async () => {
    // customer, day, order value: one line per order, as CLV data often comes.
    const path = await writeSample(directory.path, 'order-values.csv', 'customer,day,value\n7,2011-01-02,20.5\n7,2011-01-02,4.5\n7,2011-02-01,10\n8,2011-01-05,0\n');
    const { orders, report } = await ingest(path, {
      mapping: { columns: { CustomerID: 'customer', InvoiceDate: 'day', UnitPrice: 'value' }, derive: { Quantity: { constant: 1 }, InvoiceNo: 'lineNumber' } },
    });
    expect(report.dropped.non_positive_price.firstLines).toEqual([5]);
    expect(Array.from(orders.totalPrice)).toEqual([25, 10]);
    expect(Array.from(orders.quantity)).toEqual([2, 1]);
    expect(Array.from(orders.invoices)).toEqual([2, 1]);
    const visits = await ingest(path, {
      mapping: { columns: { CustomerID: 'customer', InvoiceDate: 'day' }, derive: { Quantity: { constant: 1 }, UnitPrice: { constant: 1 }, InvoiceNo: 'lineNumber' } },
    });
    expect(visits.report.rowsKept).toBe(4);
    expect(Array.from(visits.orders.totalPrice)).toEqual([2, 1, 1]);
  });

  it('reads a semicolon export with decimal commas, and says so when a mapping reads it as commas', async () => {
    const text = 'InvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID;Country\n536365;85123A;"MUG; BLUE";6;2010-12-01 08:26;2,55;17850;France\n536366;22633;HAND WARMER;2;2010-12-03 09:00;1.234,50;17850;France\n';
    const path = await writeSample(directory.path, 'european.csv', text);
    const mapping = { ...ONLINE_RETAIL_MAPPING, delimiter: 'semicolon' as const, decimalSeparator: 'comma' as const };
    const { orders, report } = await ingest(path, { mapping });
    expect(report.rowsKept).toBe(2);
    expect(Array.from(orders.totalPrice)).toEqual([6 * 2.55, 2 * 1234.5]);
    expect((await inputError(path)).message).toBe(
      `${path}, line 1: missing columns "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"; the header has "InvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID;Country"; it looks semicolon-separated: set the mapping's "delimiter" to "semicolon"`,
    );
    expect((await inputError(path, { mapping: { ...mapping, decimalSeparator: 'point' } })).message).toBe(
      `${path}, line 2, column "UnitPrice": not a number: "2,55"; it has a decimal comma: set the mapping's "decimalSeparator" to "comma"`,
    );
  });

  it('reads a source day first under auto once a date can only be day first, from the start; a stream it cannot read again stops there; uci drops such dates', async () => {
    const text = `${header}536366,1,X,1,02/01/2011 9:00,1,17850,UK\n536367,1,X,1,13/01/2011 9:00,1,17850,UK\n`;
    const path = await writeSample(directory.path, 'day-first.csv', text);
    // The 02/01/2011 of line 2 was read as February 1 before line 3 showed the file day first.
    for (const strict of [false, true]) {
      const auto = await ingest(path, { strict });
      expect([auto.report.rowsKept, auto.report.firstDate, auto.report.lastDate]).toEqual([2, '2011-01-02', '2011-01-13']);
      expect(auto.dayFirst).toBe(`"13/01/2011 9:00" (${path}, line 3) can only be day first`);
    }
    const dmy = await ingest(path, { mapping: { ...ONLINE_RETAIL_MAPPING, dateFormat: 'dmy' } });
    expect(dmy.orders).toEqual((await ingest(path)).orders);
    expect(dmy.dayFirst).toBeUndefined();
    const stream = { kind: 'stream' as const, name: 'upload', stream: (async function* () { yield Buffer.from(text); })() };
    expect((await inputError(stream)).message).toBe(
      `upload, line 3, column "InvoiceDate": not a date (M/D/YYYY H:MM, YYYY/MM/DD or ISO 8601): "13/01/2011 9:00"; it looks day first: set the mapping's "dateFormat" to "dmy" ("auto" reads 02/01/2011 as February 1, so it stops here rather than misread the day-first dates it can read; "uci" reads month first and drops such dates)`,
    );
    const uci = await ingest(path, { mapping: { ...ONLINE_RETAIL_MAPPING, dateFormat: 'uci' } });
    expect([uci.report.rowsKept, uci.report.dropped.unparseable_date.count, uci.report.firstDate]).toEqual([1, 1, '2011-02-01']);
    expect(uci.dayFirst).toBeUndefined();
  });

  it("puts zoned timestamps on the mapping's timeZone's days, and rejects an unknown zone naming the key", async () => {
    // Two purchases on the evening of 9 December in Los Angeles, the second after midnight UTC;
    // and one written without a zone, on the day written.
    const path = await writeSample(directory.path, 'zoned.csv', 'customer,at\n7,2011-12-09T20:00:00Z\n7,2011-12-10T03:30:00Z\n7,2011-12-20 23:30\n');
    const mapping = { columns: { CustomerID: 'customer', InvoiceDate: 'at' }, derive: { Quantity: { constant: 1 }, UnitPrice: { constant: 1 }, InvoiceNo: 'lineNumber' as const } };
    const utc = await ingest(path, { mapping });
    expect(Array.from(utc.orders.day, epochDayToIso)).toEqual(['2011-12-09', '2011-12-10', '2011-12-20']);
    const local = await ingest(path, { mapping: { ...mapping, timeZone: 'America/Los_Angeles' } });
    expect(Array.from(local.orders.day, epochDayToIso)).toEqual(['2011-12-09', '2011-12-20']);
    expect(Array.from(local.orders.lines)).toEqual([2, 1]);
    const error = await inputError(path, { mapping: { ...mapping, timeZone: 'America/Los Angeles' } });
    expect(error.message).toBe('column mapping, column "timeZone": invalid column mapping: not a time zone (an IANA name such as "Europe/London" or "America/New_York"), got "America/Los Angeles"');
  });

  it('rejects a line with too few fields', async () => {
    const path = await writeSample(directory.path, 'short.csv', `${header}${good}536366,1,X,1\n`);
    expect((await inputError(path)).message).toBe(`${path}, line 3, column "Country": the line has 4 fields; this column is field 8`);
  });

  it('rejects an empty file and a header without rows', async () => {
    const empty = await writeSample(directory.path, 'empty.csv', '');
    expect((await inputError(empty)).message).toBe(`${empty}: the source is empty: no header line`);
    const blank = await writeSample(directory.path, 'blank.csv.gz', gzipSync('\n\n'));
    expect((await inputError(blank)).message).toBe(`${blank}: the source is empty: no header line`);
    const headerOnly = await writeSample(directory.path, 'header.csv', header);
    expect((await inputError(headerOnly)).message).toBe(`${headerOnly}: the source has no data lines after its header`);
  });

  it('rejects a truncated gzip file, naming the line where the data ends', async () => {
    const zipped = gzipSync(generatedCsv(2_000));
    const path = await writeSample(directory.path, 'truncated.csv.gz', zipped.subarray(0, Math.floor(zipped.length * 0.6)));
    const error = await inputError(path);
    expect(error.message).toMatch(new RegExp(`^${path}, line \\d+: the gzip data is truncated or corrupt \\(unexpected end of file\\)$`));
    expect(error.location.line).toBeGreaterThan(100);
    expect(error.location.line).toBeLessThan(2_001);
  });

  it('rejects a file that does not exist', async () => {
    const path = `${directory.path}/nowhere.csv`;
    expect((await inputError(path)).message).toBe(`${path}: no such file`);
  });
});
