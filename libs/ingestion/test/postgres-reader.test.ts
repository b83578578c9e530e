import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { epochDayToIso, InputDataError } from '@nextbuy/contracts';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOrders, ingest, type IngestResult, ONLINE_RETAIL_MAPPING } from '../src/index';
import { generatedCsv, temporaryDirectory, writeSample } from './fixtures';

// One PGlite for the file: a fresh one takes seconds and ~770 MB.
let db: PGlite;
let server: PGLiteSocketServer;
let connectionString: string;
let client: pg.Client;
let fromCsv: IngestResult;
const ROWS = 3_000;

beforeAll(async () => {
  db = new PGlite();
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  connectionString = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  client = new pg.Client({ connectionString });
  await client.connect();
  // Unquoted names fold to lower case, as in most real schemas: the mapping must still find them.
  await client.query(`CREATE TABLE sales (
    InvoiceNo text, StockCode text, Description text, Quantity integer, InvoiceDate timestamp,
    UnitPrice numeric(10, 2), CustomerID text, Country text)`);
  const text = generatedCsv(ROWS);
  const records = parse(text, { from_line: 2 }) as string[][];
  const columns = Array.from({ length: 8 }, (_, column) => records.map((record) => record[column]!));
  // COPY FROM STDIN breaks a pglite-socket session: batched INSERT ... SELECT unnest(...) instead.
  await client.query(
    `INSERT INTO sales
     SELECT i, s, d, q::integer, to_timestamp(t, 'MM/DD/YYYY HH24:MI')::timestamp, p::numeric, NULLIF(c, ''), co
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       AS u(i, s, d, q, t, p, c, co)`,
    columns,
  );
  const directory = await temporaryDirectory();
  fromCsv = await ingest(await writeSample(directory.path, 'sales.csv', text));
  await directory.remove();
});

afterAll(async () => {
  await client?.end();
  await server?.stop();
  await db?.close();
});

describe('Postgres reader (pg + pg-query-stream, PGlite over its wire protocol)', () => {
  it('reads a table through a connection string to the same orders and report as the CSV export', async () => {
    const { orders, report } = await ingest({ kind: 'postgres', connectionString, table: 'sales' });
    expect(report.source).toBe('postgres:sales');
    expect(report.rowsRead).toBe(ROWS);
    expect(fingerprintOrders(orders)).toEqual(fingerprintOrders(fromCsv.orders));
    // Row numbers are the CSV's line numbers less its header line.
    for (const [rule, dropped] of Object.entries(report.dropped)) {
      const csv = fromCsv.report.dropped[rule as keyof typeof report.dropped];
      expect(dropped.count, rule).toBe(csv.count);
      expect(dropped.firstLines, rule).toEqual(csv.firstLines.map((line) => line - 1));
    }
    expect(report.dropped.missing_customer_id.count).toBeGreaterThan(0);
    expect(report.dropped.cancellation.count).toBeGreaterThan(0);
    // A mapping written for a decimal-comma CSV reads Postgres's numbers (printed with a point) all the same.
    const european = await ingest({ kind: 'postgres', connectionString, table: 'sales' }, { mapping: { ...ONLINE_RETAIL_MAPPING, decimalSeparator: 'comma' } });
    expect(fingerprintOrders(european.orders)).toEqual(fingerprintOrders(orders));
  });

  it('streams a parameterized query through a given client in batches, leaving the client open', async () => {
    const progress: number[] = [];
    const { report } = await ingest(
      { kind: 'postgres', client, query: 'SELECT * FROM sales WHERE quantity > $1', values: [2] },
      { batchSize: 250, onProgress: (rows) => progress.push(rows) },
    );
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM sales WHERE quantity > 2');
    expect(report.rowsRead).toBe(Number(rows[0]!.n));
    expect(progress.length).toBe(Math.ceil(report.rowsRead / 250));
    expect(report.dropped.non_positive_quantity.count).toBe(0);
  });

  it('drops NULL dates as unparseable, or rejects them in strict mode naming row and column', async () => {
    const kept = "customerid IS NOT NULL AND invoiceno NOT LIKE 'C%' AND unitprice > 0";
    const query = `SELECT invoiceno, stockcode, description, quantity,
      CASE WHEN quantity = 2 THEN NULL ELSE invoicedate END AS invoicedate, unitprice, customerid, country
      FROM sales WHERE ${kept}`;
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM sales WHERE ${kept} AND quantity = 2`);
    const { report } = await ingest({ kind: 'postgres', client, query });
    expect(report.dropped.unparseable_date.count).toBe(Number(rows[0]!.n));
    expect(report.dropped.unparseable_date.count).toBeGreaterThan(10);
    const error = await ingest({ kind: 'postgres', client, query }, { strict: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as InputDataError).location).toEqual({
      source: `postgres:(${query})`,
      line: report.dropped.unparseable_date.firstLines[0],
      column: 'invoicedate',
    });
  });

  it("reads a timestamptz as the instant it prints, on the mapping's timeZone's day", async () => {
    // The session prints timestamptz in its own zone, with the offset: '2011-12-09 19:30:00-08'.
    await client.query(`SET TimeZone = 'America/Los_Angeles'`);
    try {
      const query = `SELECT '7' AS customer, at AS ordered_at
        FROM (VALUES (timestamptz '2011-12-09 20:00:00+00'), (timestamptz '2011-12-10 03:30:00+00'), (timestamptz '2011-12-20 23:30:00+00')) AS t(at)`;
      const mapping = { columns: { CustomerID: 'customer', InvoiceDate: 'ordered_at' }, derive: { Quantity: { constant: 1 }, UnitPrice: { constant: 1 }, InvoiceNo: 'lineNumber' as const } };
      const utc = await ingest({ kind: 'postgres', client, query }, { mapping });
      expect(Array.from(utc.orders.day, epochDayToIso)).toEqual(['2011-12-09', '2011-12-10', '2011-12-20']);
      const local = await ingest({ kind: 'postgres', client, query }, { mapping: { ...mapping, timeZone: 'America/Los_Angeles' } });
      expect(Array.from(local.orders.day, epochDayToIso)).toEqual(['2011-12-09', '2011-12-20']);
      const tokyo = await ingest({ kind: 'postgres', client, query }, { mapping: { ...mapping, timeZone: 'Asia/Tokyo' } });
      expect(Array.from(tokyo.orders.day, epochDayToIso)).toEqual(['2011-12-10', '2011-12-21']);
    } finally {
      await client.query('RESET TimeZone');
    }
  });

  it('names the source, row and column of bad values and missing columns', async () => {
    const words = `SELECT invoiceno, stockcode, description, 'six' AS quantity, invoicedate, unitprice, customerid, country FROM sales`;
    await expect(ingest({ kind: 'postgres', client, query: words })).rejects.toThrow(
      `postgres:(${words}), line 1, column "quantity": not a number: "six"`,
    );
    await expect(ingest({ kind: 'postgres', client, query: 'SELECT invoiceno, customerid FROM sales' })).rejects.toThrow(
      'postgres:(SELECT invoiceno, customerid FROM sales): missing columns "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "Country"; the header has "invoiceno", "customerid"',
    );
    await expect(ingest({ kind: 'postgres', client, query: 'SELECT * FROM sales WHERE false' })).rejects.toThrow('the table or query has no rows');
    await expect(ingest({ kind: 'postgres', client, table: 'sales; DROP TABLE sales' })).rejects.toThrow(
      'not a plain table name (use query for anything else)',
    );
    await expect(ingest({ kind: 'postgres', client })).rejects.toThrow('a Postgres source needs exactly one of table or query');
  });
});
