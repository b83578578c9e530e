import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { epochDayToIso, isoToEpochDay } from '@nextbuy/contracts';
import { midnightOffset } from '@nextbuy/ingestion';
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

/** An offset in milliseconds as ISO 8601 writes it: `+05:45`, `-04:00`. */
function offsetText(offset: number): string {
  const minutes = Math.round(Math.abs(offset) / 60_000);
  return `${offset < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** What @nextbuy/ingestion reads: the configured table or query. */
export type SourceSelection = { table: string } | { query: string; values?: unknown[] };

/**
 * The table or query to read, limited to `from`..`to` (both days included) on the date column
 * when the input gives dates. The bounds are midnights written with their offset: UTC's, or the
 * mapping's `timeZone`'s (`2011-03-13T00:00:00-05:00`), the days orders are put on. A
 * `timestamptz` column compares with that instant; a `timestamp` or `date` column with the wall
 * clock (Postgres drops the offset when casting to them), which is the day written; each
 * exactly, so an index on the column can serve the filter.
 */
export function sourceSelection(source: ExtractConfig['source'], range: { from?: string; to?: string }): SourceSelection {
  if (!range.from && !range.to) return source.table ? { table: source.table } : { query: source.query! };
  if (!source.dateColumn) {
    throw new ConfigurationError('SOURCE_DATE_COLUMN', 'the input has dates but the mapping names the date column by position');
  }
  const column = `"${source.dateColumn}"`;
  const conditions: string[] = [];
  const values: string[] = [];
  const { timeZone } = source.mapping;
  const midnight = (day: number) => `${epochDayToIso(day)}T00:00:00${timeZone === undefined ? 'Z' : offsetText(midnightOffset(timeZone, day))}`;
  if (range.from) {
    values.push(midnight(isoToEpochDay(range.from)));
    conditions.push(`${column} >= $${values.length}`);
  }
  if (range.to) {
    values.push(midnight(isoToEpochDay(range.to) + 1));
    conditions.push(`${column} < $${values.length}`);
  }
  const from = source.table ?? `(${source.query!.trim().replace(/;+\s*$/, '')}) AS source`;
  return { query: `SELECT * FROM ${from} WHERE ${conditions.join(' AND ')}`, values };
}
