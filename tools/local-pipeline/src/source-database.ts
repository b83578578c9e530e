import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { InputDataError, ONLINE_RETAIL_COLUMNS, type OnlineRetailColumn, type Transaction } from '@nextbuy/contracts';
import { generateTransactions } from '@nextbuy/datagen';
import { fileError, parseInvoiceDate } from '@nextbuy/ingestion';
import { parse } from 'csv-parse';
import pg from 'pg';

/** Rows per INSERT: 8 arrays of this length are one statement's parameters. */
const INSERT_BATCH = 5_000;

/** What was loaded into a source table. */
export interface SourceLoad {
  table: string;
  rows: number;
  /** `generated (seed 7)` or the file's path. */
  origin: string;
}

/**
 * The pipeline's source database: an embedded Postgres (PGlite) behind its wire-protocol server
 * on 127.0.0.1, so lambda-extract reaches it with `pg` exactly as it reaches a real one. PGlite
 * serves every connection from one backend session, so one reader at a time: the pipeline runs
 * one Extract at a time against it (see pipeline.ts).
 */
export interface SourceDatabase {
  /** `postgres://...` for SOURCE_DATABASE_URL. */
  url: string;
  /** Creates `table` with the Online Retail columns and loads generated transactions into it. */
  loadGenerated(table: string, options: { rows: number; seed: number }, onProgress?: (rows: number) => void): Promise<SourceLoad>;
  /** Creates `table` with the Online Retail columns and loads an Online Retail CSV (`.csv` or `.csv.gz`) into it. */
  loadCsv(table: string, path: string, onProgress?: (rows: number) => void): Promise<SourceLoad>;
  /** Runs one statement on a connection of its own. */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** A transactions row as the table stores it. */
interface SourceRow {
  invoiceNo: string;
  stockCode: string;
  description: string;
  quantity: number;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  invoiceDate: string;
  unitPrice: number;
  customerId: string | null;
  country: string;
}

const SQL_TABLE = /^[a-z_][a-z0-9_]*$/;

/** Starts PGlite (a few seconds, several hundred MB) and its socket server on a free port. */
export async function startSourceDatabase(): Promise<SourceDatabase> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres`;

  async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  async function load(table: string, rows: AsyncIterable<SourceRow> | Iterable<SourceRow>, onProgress?: (rows: number) => void): Promise<number> {
    if (!SQL_TABLE.test(table)) throw new RangeError(`not a plain lower-case table name: "${table}"`);
    return withClient(async (client) => {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.query(
        `CREATE TABLE ${table} ("InvoiceNo" text NOT NULL, "StockCode" text, "Description" text, "Quantity" integer NOT NULL,
           "InvoiceDate" timestamp NOT NULL, "UnitPrice" numeric NOT NULL, "CustomerID" text, "Country" text)`,
      );
      let batch: SourceRow[] = [];
      let loaded = 0;
      // COPY FROM STDIN breaks a pglite-socket session: rows go in as arrays, one INSERT per batch.
      const flush = async () => {
        await client.query(
          `INSERT INTO ${table} SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::timestamp[], $6::numeric[], $7::text[], $8::text[])`,
          [
            batch.map((row) => row.invoiceNo),
            batch.map((row) => row.stockCode),
            batch.map((row) => row.description),
            batch.map((row) => row.quantity),
            batch.map((row) => row.invoiceDate),
            batch.map((row) => row.unitPrice),
            batch.map((row) => row.customerId),
            batch.map((row) => row.country),
          ],
        );
        loaded += batch.length;
        batch = [];
        onProgress?.(loaded);
      };
      for await (const row of rows) {
        batch.push(row);
        if (batch.length === INSERT_BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      return loaded;
    });
  }

  return {
    url,
    loadGenerated: async (table, options, onProgress) => {
      const rows = await load(table, generatedRows(options), onProgress);
      return { table, rows, origin: `generated (seed ${options.seed})` };
    },
    loadCsv: async (table, path, onProgress) => {
      const rows = await load(table, csvRows(path), onProgress);
      return { table, rows, origin: path };
    },
    sql: (text, values) => withClient(async (client) => (await client.query(text, values)).rows),
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

function timestampText(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function* generatedRows(options: { rows: number; seed: number }): Generator<SourceRow> {
  for (const transaction of generateTransactions(options)) yield sourceRow(transaction);
}

function sourceRow(transaction: Transaction): SourceRow {
  return {
    invoiceNo: transaction.invoiceNo,
    stockCode: transaction.stockCode,
    description: transaction.description,
    quantity: transaction.quantity,
    invoiceDate: timestampText(transaction.invoiceDate),
    unitPrice: transaction.unitPrice,
    // A sale without a customer account has no customer id: NULL, as in a real sales table.
    customerId: transaction.customerId === '' ? null : transaction.customerId,
    country: transaction.country,
  };
}

/**
 * The rows of an Online Retail CSV, converted to the table's column types. Dirty rows the
 * Extract step cleans (cancellations, missing customers, zero prices) load as they are; a value
 * the column type cannot hold stops the load naming its line and column.
 */
async function* csvRows(path: string): AsyncGenerator<SourceRow> {
  const records = parse({ bom: true, skip_empty_lines: true, info: true });
  // pipeline, not pipe: a file that cannot be read (missing, a directory, broken gzip) then fails
  // the parser and so the loop below, not an unhandled error event that kills the process. The
  // loop reports the failure; the pipeline's own promise has nothing to add.
  const file = createReadStream(path);
  void (path.endsWith('.gz') ? pipeline(file, createGunzip(), records) : pipeline(file, records)).catch(() => undefined);
  let position: Record<OnlineRetailColumn, number> | undefined;
  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!position) {
        position = headerPositions(record, path);
        continue;
      }
      const line = info.lines;
      const field = (column: OnlineRetailColumn) => record[position![column]] ?? '';
      const fail = (column: OnlineRetailColumn, message: string): never => {
        throw new InputDataError(message, { source: path, line, column });
      };
      const quantity = Number(field('Quantity'));
      if (field('Quantity').trim() === '' || !Number.isInteger(quantity)) fail('Quantity', `not a whole number: "${field('Quantity')}"`);
      const unitPrice = Number(field('UnitPrice'));
      if (field('UnitPrice').trim() === '' || !Number.isFinite(unitPrice)) fail('UnitPrice', `not a number: "${field('UnitPrice')}"`);
      const date = parseInvoiceDate(field('InvoiceDate'));
      if (!date) fail('InvoiceDate', `not a date: "${field('InvoiceDate')}"`);
      yield {
        invoiceNo: field('InvoiceNo'),
        stockCode: field('StockCode'),
        description: field('Description'),
        quantity,
        invoiceDate: timestampText(date!),
        unitPrice,
        customerId: field('CustomerID').trim() === '' ? null : field('CustomerID'),
        country: field('Country'),
      };
    }
  } catch (error) {
    throw fileError(error, path);
  }
  if (!position) throw new InputDataError('the file is empty: expected an Online Retail CSV with a header line', { source: path });
}

function headerPositions(header: string[], path: string): Record<OnlineRetailColumn, number> {
  const names = header.map((name) => name.trim());
  const position = {} as Record<OnlineRetailColumn, number>;
  for (const column of ONLINE_RETAIL_COLUMNS) {
    const index = names.indexOf(column);
    if (index < 0) {
      throw new InputDataError(`no "${column}" column: an Online Retail CSV has ${ONLINE_RETAIL_COLUMNS.join(', ')} (found ${names.join(', ')})`, {
        source: path,
        line: 1,
        column,
      });
    }
    position[column] = index;
  }
  return position;
}
