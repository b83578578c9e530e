import { CDNOW_MAPPING, ONLINE_RETAIL_MAPPING } from '@nextbuy/ingestion';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { ConfigurationError } from './errors';

const required = { DATA_BUCKET: 'nextbuy-data', IDEMPOTENCY_TABLE: 'idempotency', SOURCE_TABLE: 'sales' };

describe('loadConfig', () => {
  it('reads a database URL and the Online Retail layout by default', () => {
    expect(loadConfig({ ...required, SOURCE_DATABASE_URL: 'postgres://etl@db:5432/shop' })).toEqual({
      bucket: 'nextbuy-data',
      idempotencyTable: 'idempotency',
      idempotencyExpiresAfterSeconds: 3600,
      s3ForcePathStyle: false,
      database: { connectionString: 'postgres://etl@db:5432/shop' },
      source: { table: 'sales', query: undefined, dateColumn: 'InvoiceDate', mapping: ONLINE_RETAIL_MAPPING, fetchRows: 10_000 },
    });
  });

  it('reads libpq settings, a secret and a column mapping', () => {
    const config = loadConfig({
      DATA_BUCKET: 'nextbuy-data',
      IDEMPOTENCY_TABLE: 'idempotency',
      SOURCE_QUERY: 'SELECT * FROM cdnow',
      PGHOST: 'db.internal',
      PGPORT: '5433',
      PGUSER: 'etl',
      PGDATABASE: 'shop',
      PGSSLMODE: 'verify-full',
      SOURCE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:source-AbCdEf',
      SOURCE_COLUMN_MAPPING: JSON.stringify({
        delimiter: 'whitespace',
        dateFormat: 'yyyymmdd',
        columns: { CustomerID: 'customer_id', InvoiceDate: 'date', Quantity: 'number_of_cds' },
        derive: { UnitPrice: { amountColumn: 'dollar_value' }, InvoiceNo: 'lineNumber' },
      }),
    });
    expect(config.database).toEqual({ host: 'db.internal', port: 5433, user: 'etl', database: 'shop', password: undefined, ssl: { rejectUnauthorized: true } });
    expect(config.secretArn).toMatch(/secret:source/);
    expect(config.source).toMatchObject({ query: 'SELECT * FROM cdnow', dateColumn: 'date', mapping: CDNOW_MAPPING });
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig({ ...required })).toThrow(ConfigurationError);
    expect(() => loadConfig({ ...required })).toThrow(/"SOURCE_DATABASE_URL"/);
    expect(() => loadConfig({ ...required, PGHOST: 'db', SOURCE_QUERY: 'SELECT 1' })).toThrow(/"SOURCE_TABLE": set exactly one/);
    expect(() => loadConfig({ ...required, PGHOST: 'db', SOURCE_TABLE: 'sales; DROP TABLE x' })).toThrow(/"SOURCE_TABLE"/);
    expect(() => loadConfig({ ...required, PGHOST: 'db', SOURCE_DATE_COLUMN: '"x"' })).toThrow(/"SOURCE_DATE_COLUMN"/);
    expect(() => loadConfig({ ...required, PGHOST: 'db', SOURCE_COLUMN_MAPPING: '{"columns":{}}' })).toThrow(/"SOURCE_COLUMN_MAPPING"/);
    expect(() => loadConfig({ ...required, PGHOST: 'db', SOURCE_COLUMN_MAPPING: 'oops' })).toThrow(/"SOURCE_COLUMN_MAPPING": not JSON/);
  });
});
