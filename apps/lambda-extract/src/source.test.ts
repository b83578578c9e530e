import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ONLINE_RETAIL_MAPPING } from '@nextbuy/ingestion';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, SecretFormatError } from './errors';
import { databaseSecretSettings, databaseSettings, sourceSelection } from './source';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:source-AbCdEf';
const source = { table: 'sales', dateColumn: 'InvoiceDate', mapping: ONLINE_RETAIL_MAPPING, fetchRows: 10_000 };

describe('sourceSelection', () => {
  it('reads the table as it is without dates', () => {
    expect(sourceSelection(source, {})).toEqual({ table: 'sales' });
    expect(sourceSelection({ ...source, table: undefined, query: 'SELECT 1' }, {})).toEqual({ query: 'SELECT 1' });
  });

  it('filters on the date column from the first day to the end of the last, as UTC midnights', () => {
    expect(sourceSelection(source, { from: '2011-01-01', to: '2011-12-31' })).toEqual({
      query: 'SELECT * FROM sales WHERE "InvoiceDate" >= $1 AND "InvoiceDate" < $2',
      values: ['2011-01-01T00:00:00Z', '2012-01-01T00:00:00Z'],
    });
    expect(sourceSelection({ ...source, table: undefined, query: 'SELECT * FROM orders_view;' }, { to: '2011-02-28' })).toEqual({
      query: 'SELECT * FROM (SELECT * FROM orders_view) AS source WHERE "InvoiceDate" < $1',
      values: ['2011-03-01T00:00:00Z'],
    });
  });

  it("filters on the mapping's timeZone's midnights, written with their offsets, summer time included", () => {
    const newYork = { ...source, mapping: { ...ONLINE_RETAIL_MAPPING, timeZone: 'America/New_York' } };
    expect(sourceSelection(newYork, { from: '2011-03-13', to: '2011-11-05' })).toEqual({
      query: 'SELECT * FROM sales WHERE "InvoiceDate" >= $1 AND "InvoiceDate" < $2',
      values: ['2011-03-13T00:00:00-05:00', '2011-11-06T00:00:00-04:00'],
    });
    const kathmandu = { ...source, mapping: { ...ONLINE_RETAIL_MAPPING, timeZone: 'Asia/Kathmandu' } };
    expect(sourceSelection(kathmandu, { from: '2011-12-01' })).toEqual({ query: 'SELECT * FROM sales WHERE "InvoiceDate" >= $1', values: ['2011-12-01T00:00:00+05:45'] });
  });

  it('needs a named date column to filter on', () => {
    expect(() => sourceSelection({ ...source, dateColumn: undefined }, { from: '2011-01-01' })).toThrow(ConfigurationError);
  });
});

describe('database secret', () => {
  it('is a password, or RDS-style JSON whose fields override the settings', () => {
    expect(databaseSecretSettings('s3cr3t{', ARN)).toEqual({ password: 's3cr3t{' });
    expect(databaseSecretSettings('{"username":"etl","password":"pw","host":"db.internal","port":"5433","dbname":"shop","engine":"postgres"}', ARN)).toEqual({
      user: 'etl',
      password: 'pw',
      host: 'db.internal',
      port: 5433,
      database: 'shop',
    });
    expect(() => databaseSecretSettings('{"username":"etl"}', ARN)).toThrow(SecretFormatError);
    expect(() => databaseSecretSettings('{"username":"etl"}', ARN)).toThrow(/"password"/);
  });

  it('is fetched only when configured', async () => {
    const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
    const secretsMock = mockClient(secrets);
    secretsMock.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: '{"password":"pw"}' });

    expect(await databaseSettings({ database: { host: 'db', user: 'etl' } }, secrets)).toEqual({ host: 'db', user: 'etl' });
    expect(secretsMock.calls()).toHaveLength(0);
    expect(await databaseSettings({ database: { host: 'db', user: 'etl' }, secretArn: ARN }, secrets)).toEqual({ host: 'db', user: 'etl', password: 'pw' });
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    secretsMock.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(databaseSettings({ database: {}, secretArn: ARN }, secrets)).rejects.toThrow(/holds no text/);
  });
});
