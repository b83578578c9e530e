import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { epochDayToIso, isoToEpochDay } from '@nextbuy/contracts';
import { z } from 'zod';
import type { DatabaseSettings, ExtractConfig } from './config';
import { ConfigurationError, SecretFormatError } from './errors';

// The fields of an RDS-style database secret this function uses; others are ignored.
const databaseSecretSchema = z.object({
  password: z.string().min(1),
  username: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  dbname: z.string().min(1).optional(),
});

/**
 * The connection settings a secret's text overrides: a JSON object (RDS style: `password`, and
 * optionally `username`, `host`, `port`, `dbname`) or, if the text is not JSON, the password itself.
 */
export function databaseSecretSettings(text: string, secretArn: string): DatabaseSettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { password: text };
  }
  const result = databaseSecretSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SecretFormatError(`secret ${secretArn}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  const secret = result.data;
  return {
    password: secret.password,
    ...(secret.username ? { user: secret.username } : {}),
    ...(secret.host ? { host: secret.host } : {}),
    ...(secret.port ? { port: secret.port } : {}),
    ...(secret.dbname ? { database: secret.dbname } : {}),
  };
}

/** The node-postgres settings of the source, with the secret's fields (if configured) fetched and applied. */
export async function databaseSettings(config: Pick<ExtractConfig, 'database' | 'secretArn'>, secrets: SecretsManagerClient): Promise<DatabaseSettings> {
  if (!config.secretArn) return config.database;
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: config.secretArn }));
  if (secret.SecretString === undefined) throw new SecretFormatError(`secret ${config.secretArn} holds no text (SecretString)`);
  return { ...config.database, ...databaseSecretSettings(secret.SecretString, config.secretArn) };
}

/** What @nextbuy/ingestion reads: the configured table or query. */
export type SourceSelection = { table: string } | { query: string; values?: unknown[] };

/**
 * The table or query to read, limited to `from`..`to` (both days included) on the date column
 * when the input gives dates. The bounds are UTC midnights, so a `date`, `timestamp` or
 * `timestamptz` column compares with them exactly (and an index on it can serve the filter).
 */
export function sourceSelection(source: ExtractConfig['source'], range: { from?: string; to?: string }): SourceSelection {
  if (!range.from && !range.to) return source.table ? { table: source.table } : { query: source.query! };
  if (!source.dateColumn) {
    throw new ConfigurationError('SOURCE_DATE_COLUMN', 'the input has dates but the mapping names the date column by position');
  }
  const column = `"${source.dateColumn}"`;
  const conditions: string[] = [];
  const values: string[] = [];
  if (range.from) {
    values.push(`${range.from}T00:00:00Z`);
    conditions.push(`${column} >= $${values.length}`);
  }
  if (range.to) {
    values.push(`${epochDayToIso(isoToEpochDay(range.to) + 1)}T00:00:00Z`);
    conditions.push(`${column} < $${values.length}`);
  }
  const from = source.table ?? `(${source.query!.trim().replace(/;+\s*$/, '')}) AS source`;
  return { query: `SELECT * FROM ${from} WHERE ${conditions.join(' AND ')}`, values };
}
