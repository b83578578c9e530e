import { createServer, type AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { customerHistorySchema, InputDataError } from '@nextbuy/contracts';
import { ONLINE_RETAIL_CSV_HEADER } from '@nextbuy/ingestion';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ExtractConfig } from '../src/config';
import { NoCleanTransactionsError } from '../src/errors';
import { extractStep } from '../src/handler';
import { startDynamo, startS3, type LocalDynamo, type LocalS3 } from '@nextbuy/local-aws';
import { startPostgres, type LocalPostgres } from './local-postgres';

const BUCKET = 'nextbuy-data';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:nextbuy-source-AbCdEf';
const logger = new Logger({ serviceName: 'lambda-extract', logLevel: 'SILENT' });
const context = { awsRequestId: 'test', functionName: 'lambda-extract', getRemainingTimeInMillis: () => 60_000 };

interface Row {
  invoiceNo: string;
  quantity: number;
  date: string;
  unitPrice: number;
  customerId: string | null;
}

/**
 * 12 customers; customer c orders on days 3c, 3c+40 and 3c+80 of 2011 (the last order of odd
 * customers has two lines), plus one row for each cleaning rule.
 */
function sales(): { rows: Row[]; kept: number; dirty: number } {
  const rows: Row[] = [];
  const day = (n: number) => new Date(Date.UTC(2011, 0, 1 + n, 10, 30)).toISOString().replace('T', ' ').slice(0, 19);
  for (let c = 1; c <= 12; c++) {
    for (const [k, offset] of [0, 40, 80].entries()) {
      const invoiceNo = String(500000 + c * 10 + k);
      rows.push({ invoiceNo, quantity: c, date: day(3 * c + offset), unitPrice: 1.25, customerId: String(12000 + c) });
      if (k === 2 && c % 2 === 1) rows.push({ invoiceNo, quantity: 2, date: day(3 * c + offset), unitPrice: 3.5, customerId: String(12000 + c) });
    }
  }
  const kept = rows.length;
  rows.push({ invoiceNo: '599001', quantity: 1, date: day(5), unitPrice: 1, customerId: null });
  rows.push({ invoiceNo: 'C599002', quantity: -1, date: day(6), unitPrice: 1, customerId: '12001' });
  rows.push({ invoiceNo: '599003', quantity: 0, date: day(7), unitPrice: 1, customerId: '12002' });
  rows.push({ invoiceNo: '599004', quantity: 1, date: day(8), unitPrice: 0, customerId: '12003' });
  return { rows, kept, dirty: rows.length - kept };
}

const data = sales();
let postgres: LocalPostgres;
let s3Server: LocalS3;
let dynamoServer: LocalDynamo;
let s3: S3Client;
let config: ExtractConfig;

async function createSalesTable(name: string, rows: Row[]): Promise<void> {
  await postgres.sql(
    `CREATE TABLE ${name} ("InvoiceNo" text, "StockCode" text, "Description" text, "Quantity" integer,
       "InvoiceDate" timestamp, "UnitPrice" numeric(10, 2), "CustomerID" text, "Country" text)`,
  );
  await insertSales(name, rows);
}

// COPY FROM STDIN breaks a pglite-socket session: rows go in as arrays, one INSERT per batch.
async function insertSales(name: string, rows: Row[]): Promise<void> {
  await postgres.sql(
    `INSERT INTO ${name} SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::timestamp[], $6::numeric[], $7::text[], $8::text[])`,
    [
      rows.map((row) => row.invoiceNo),
      rows.map(() => '85123A'),
      rows.map(() => 'WHITE HANGING HEART, "T-LIGHT" HOLDER'),
      rows.map((row) => row.quantity),
      rows.map((row) => row.date),
      rows.map((row) => row.unitPrice),
      rows.map((row) => row.customerId),
      rows.map(() => 'United Kingdom'),
    ],
  );
}

async function objectText(key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = Buffer.from(await object.Body!.transformToByteArray());
  return (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

function step(overrides: { source?: Partial<ExtractConfig['source']>; s3?: S3Client; now?: () => Date } = {}) {
  return extractStep({
    config: { ...config, source: { ...config.source, ...overrides.source } },
    s3: overrides.s3 ?? s3,
    secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
    idempotency: dynamoServer.client(),
    logger,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
}

beforeAll(async () => {
  [postgres, s3Server, dynamoServer] = await Promise.all([startPostgres(), startS3([BUCKET]), startDynamo()]);
  await dynamoServer.createTable('idempotency', 'id');
  await createSalesTable('sales', data.rows);
  s3 = s3Server.client();
  config = loadConfig({ DATA_BUCKET: BUCKET, IDEMPOTENCY_TABLE: 'idempotency', SOURCE_DATABASE_URL: postgres.url, SOURCE_TABLE: 'sales' });
});

afterAll(async () => {
  s3?.destroy();
  await Promise.all([postgres?.stop(), s3Server?.stop(), dynamoServer?.stop()]);
});

describe('Extract step', () => {
  it('writes the cleaned transactions and one batch-input line per customer, and reports what it dropped', async () => {
    const output = await step()({ dataset: 'retail', run: 'r1' }, context);

    expect(output).toMatchObject({
      dataset: 'retail',
      run: 'r1',
      transactions: { uri: `s3://${BUCKET}/retail/raw/r1/transactions.csv.gz`, rows: data.kept },
      batchInput: { uri: `s3://${BUCKET}/retail/batch-input/r1/customers.jsonl`, customers: 12, asOfDate: '2011-04-28' },
      report: { source: 'postgres:sales', rowsRead: data.rows.length, rowsKept: data.kept, customers: 12, orders: 36 },
    });
    expect(output.report.dropped).toEqual({
      missing_customer_id: { count: 1, firstLines: [43] },
      cancellation: { count: 1, firstLines: [44] },
      non_positive_quantity: { count: 1, firstLines: [45] },
      non_positive_price: { count: 1, firstLines: [46] },
      unparseable_date: { count: 0, firstLines: [] },
      future_date: { count: 0, firstLines: [] },
    });

    const csv = await objectText('retail/raw/r1/transactions.csv.gz');
    expect(csv.startsWith(ONLINE_RETAIL_CSV_HEADER)).toBe(true);
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(data.kept + 1);
    expect(lines[1]).toBe('500010,85123A,"WHITE HANGING HEART, ""T-LIGHT"" HOLDER",1,2011-01-04T10:30:00.000,1.25,12001,United Kingdom');

    const histories = (await objectText('retail/batch-input/r1/customers.jsonl')).trimEnd().split('\n').map((line) => customerHistorySchema.parse(JSON.parse(line)));
    expect(histories.map((history) => history.customer_id)).toEqual(Array.from({ length: 12 }, (_, i) => String(12001 + i)));
    expect(histories[0]).toEqual({
      customer_id: '12001',
      as_of_date: '2011-04-28',
      orders: [
        { date: '2011-01-04', total_price: 1.25, quantity: 1, lines: 1, invoices: 1 },
        { date: '2011-02-13', total_price: 1.25, quantity: 1, lines: 1, invoices: 1 },
        { date: '2011-03-25', total_price: 8.25, quantity: 3, lines: 2, invoices: 1 },
      ],
    });
  });

  it('reads only the input dates, both included, and scores as of the last one', async () => {
    const output = await step()({ dataset: 'retail', run: 'r-range', from: '2011-02-13', to: '2011-03-25' }, context);

    // Orders on days 3c+40 (c = 1..12: Feb 13 - Mar 18) and 3c+80 for c = 1 (Mar 25, two lines).
    expect(output.transactions.rows).toBe(14);
    expect(output.report.firstDate).toBe('2011-02-13');
    expect(output.report.lastDate).toBe('2011-03-25');
    expect(output.batchInput).toMatchObject({ customers: 12, asOfDate: '2011-03-26' });
    expect(output.report.source).toMatch(/"InvoiceDate" >= \$1 AND "InvoiceDate" < \$2/);
  });

  it("reads a timestamptz column's input dates as days of the mapping's timeZone, and writes their wall-clock times", async () => {
    await postgres.sql(
      `CREATE TABLE sales_tz ("InvoiceNo" text, "StockCode" text, "Description" text, "Quantity" integer,
         "InvoiceDate" timestamptz, "UnitPrice" numeric(10, 2), "CustomerID" text, "Country" text)`,
    );
    // In New York: 12 March 22:30 EST, 13 March 01:00 EST, 19 March 23:30 EDT, 20 March 01:00 EDT.
    await postgres.sql(
      `INSERT INTO sales_tz VALUES
         ('1', 'X', 'x', 1, '2011-03-13 03:30:00+00', 2, '7', 'US'), ('2', 'X', 'x', 1, '2011-03-13 06:00:00+00', 2, '7', 'US'),
         ('3', 'X', 'x', 1, '2011-03-20 03:30:00+00', 2, '7', 'US'), ('4', 'X', 'x', 1, '2011-03-20 05:00:00+00', 2, '7', 'US')`,
    );
    const range = { from: '2011-03-13', to: '2011-03-19' };
    const local = await step({ source: { table: 'sales_tz', mapping: { ...config.source.mapping, timeZone: 'America/New_York' } } })({ dataset: 'tz', run: 'ny', ...range }, context);
    expect(local.transactions.rows).toBe(2);
    expect([local.report.firstDate, local.report.lastDate]).toEqual(['2011-03-13', '2011-03-19']);
    expect(local.batchInput.asOfDate).toBe('2011-03-20');
    const lines = (await objectText('tz/raw/ny/transactions.csv.gz')).trimEnd().split('\n').slice(1);
    expect(lines.map((line) => line.split(',')[0])).toEqual(['2', '3']);
    expect(lines.map((line) => line.split(',')[4])).toEqual(['2011-03-13T01:00:00.000', '2011-03-19T23:30:00.000']);
    // Without a zone, the same range is of UTC days: the two orders of 13 March UTC.
    const utc = await step({ source: { table: 'sales_tz' } })({ dataset: 'tz', run: 'utc', ...range }, context);
    expect(utc.transactions.rows).toBe(2);
    expect([utc.report.firstDate, utc.report.lastDate]).toEqual(['2011-03-13', '2011-03-13']);
  });

  it('answers a repeated input from the stored result, with the same default run id, without reading again', async () => {
    await createSalesTable('sales_retry', data.rows.slice(0, 10));
    let clock = Date.UTC(2026, 10, 26, 7, 5, 0, 123);
    const extract = step({ source: { table: 'sales_retry' }, now: () => new Date(clock++) });

    const first = await extract({ dataset: 'retry' }, context);
    await insertSales('sales_retry', data.rows.slice(10, 20));
    const { LastModified } = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'retry/raw/2026-11-26-07-05-00-123/transactions.csv.gz' }));
    const second = await extract({ dataset: 'retry' }, context);
    const later = await extract({ dataset: 'retry', run: 'later' }, context);

    expect(first.run).toBe('2026-11-26-07-05-00-123');
    expect(second).toEqual(first);
    expect(first.transactions.rows).toBe(10);
    const after = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'retry/raw/2026-11-26-07-05-00-123/transactions.csv.gz' }));
    expect(after.LastModified).toEqual(LastModified);
    expect((await objectText(`retry/raw/${first.run}/transactions.csv.gz`)).trimEnd().split('\n')).toHaveLength(11);
    expect(later.transactions.rows).toBe(20);
  });

  it('ends with the right objects when S3 fails a write once', async () => {
    const flaky = s3Server.client();
    const puts: string[] = [];
    flaky.middlewareStack.add(
      (next, { commandName }) => async (args) => {
        const key = String((args.input as { Key?: string }).Key);
        if (commandName === 'PutObjectCommand') {
          puts.push(key);
          if (puts.length === 1) {
            throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
          }
        }
        return next(args);
      },
      { step: 'deserialize', name: 'failFirstPut' },
    );

    const output = await step({ s3: flaky })({ dataset: 'flaky', run: 'r1' }, context);

    expect(puts).toEqual(['flaky/raw/r1/transactions.csv.gz', 'flaky/raw/r1/transactions.csv.gz', 'flaky/batch-input/r1/customers.jsonl']);
    expect(output.transactions.rows).toBe(data.kept);
    expect((await objectText('flaky/raw/r1/transactions.csv.gz')).trimEnd().split('\n')).toHaveLength(data.kept + 1);
    expect((await objectText('flaky/batch-input/r1/customers.jsonl')).trimEnd().split('\n')).toHaveLength(12);
    flaky.destroy();
  });

  it('takes the connection from a Secrets Manager secret', async () => {
    const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
    const secretsMock = mockClient(secrets);
    secretsMock
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify({ username: 'postgres', password: 'from-the-secret', host: postgres.host, port: postgres.port, dbname: 'postgres' }) });
    const extract = extractStep({
      config: { ...config, database: { host: 'unreachable.invalid' }, secretArn: SECRET_ARN },
      s3,
      secrets,
      idempotency: dynamoServer.client(),
      logger,
    });

    const output = await extract({ dataset: 'secret', run: 'r1' }, context);

    expect(output.transactions.rows).toBe(data.kept);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('names the row and column of a bad value, and leaves no object', async () => {
    const query = `SELECT "InvoiceNo", "StockCode", "Description",
      CASE WHEN "InvoiceNo" = '500032' THEN 'three' ELSE "Quantity"::text END AS "Quantity",
      "InvoiceDate", "UnitPrice", "CustomerID", "Country" FROM sales ORDER BY "InvoiceNo", "Quantity"`;
    const failure = step({ source: { table: undefined, query } })({ dataset: 'broken', run: 'r1' }, context);

    await expect(failure).rejects.toThrow(InputDataError);
    await expect(failure).rejects.toThrow(/line 10, column "Quantity": not a number: "three"/);
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'broken/raw/r1/transactions.csv.gz' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('fails when cleaning keeps nothing, naming the rules that dropped the rows', async () => {
    const failure = step({ source: { table: undefined, query: `SELECT * FROM sales WHERE "CustomerID" IS NULL OR "InvoiceNo" LIKE 'C%'` } })({ dataset: 'dropped', run: 'r1' }, context);

    await expect(failure).rejects.toThrow(NoCleanTransactionsError);
    await expect(failure).rejects.toThrow(/none of the 2 rows read passed cleaning: missing_customer_id 1 .*cancellation 1/);
  });
});

/**
 * A server that speaks just enough of the Postgres protocol (v3) to refuse a password, as a real
 * Postgres does: it asks for the password in clear, then answers ErrorResponse SQLSTATE 28P01.
 * PGlite cannot be used here: its socket server accepts any password.
 */
async function passwordRefusingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((socket) => {
    let startup = true;
    socket.on('data', (chunk) => {
      if (startup) {
        startup = false;
        const ask = Buffer.alloc(9);
        ask.write('R', 0);
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5);
        socket.write(ask);
        return;
      }
      if (chunk[0] !== 0x70) return;
      const fields = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "analyst"\0\0');
      const error = Buffer.alloc(5);
      error.write('E', 0);
      error.writeInt32BE(4 + fields.length, 1);
      socket.end(Buffer.concat([error, fields]));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((done) => server.close(() => done())) };
}

describe('Extract step, when the source database cannot be read', () => {
  function stepWith(database: ExtractConfig['database'], source: Partial<ExtractConfig['source']> = {}) {
    return extractStep({
      config: { ...config, database, source: { ...config.source, ...source } },
      s3,
      secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
      idempotency: dynamoServer.client(),
      logger,
    });
  }

  async function expectNoObjects(dataset: string): Promise<void> {
    for (const key of [`${dataset}/raw/r1/transactions.csv.gz`, `${dataset}/batch-input/r1/customers.jsonl`]) {
      await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })), key).rejects.toMatchObject({ name: 'NotFound' });
    }
  }

  it('fails naming the address when nothing listens there', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));

    const failure = stepWith({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' })({ dataset: 'unreachable', run: 'r1' }, context);

    await expect(failure).rejects.toThrow(`connect ECONNREFUSED 127.0.0.1:${port}`);
    await expectNoObjects('unreachable');
  });

  it('fails with the server\'s own message when the password is wrong', async () => {
    const refusing = await passwordRefusingServer();
    try {
      const failure = stepWith({ host: '127.0.0.1', port: refusing.port, user: 'analyst', password: 'wrong', database: 'sales' })({ dataset: 'wrong-password', run: 'r1' }, context);
      await expect(failure).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed for user "analyst"' });
    } finally {
      await refusing.close();
    }
    await expectNoObjects('wrong-password');
  });

  it('fails naming the table when it does not exist, and leaves no object', async () => {
    const failure = stepWith(config.database, { table: 'no_such_sales' })({ dataset: 'missing-table', run: 'r1' }, context);

    await expect(failure).rejects.toThrow('relation "no_such_sales" does not exist');
    await expectNoObjects('missing-table');
    // The one backend session PGlite has is still usable afterwards.
    expect(await postgres.sql('SELECT count(*)::int AS n FROM sales')).toEqual([{ n: data.rows.length }]);
  });
});
