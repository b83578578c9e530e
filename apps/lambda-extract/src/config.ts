import { ONLINE_RETAIL_MAPPING, parseColumnMapping, type ColumnMapping } from '@nextbuy/ingestion';
import { z } from 'zod';
import { parseConfiguration } from '@nextbuy/contracts';
import { ConfigurationError } from './errors';

/** A table as `name` or `schema.name`, written as in SQL: what @nextbuy/ingestion reads as a table. */
const SQL_TABLE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;
const SQL_COLUMN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

const optionalText = z.string().min(1).optional();

/**
 * Every environment variable lambda-extract reads. Region, credentials and endpoints are the AWS
 * SDK's own (`AWS_REGION`, `AWS_ENDPOINT_URL_S3`, ...); the PG* variables are libpq's names.
 */
const configSchema = z
  .object({
    /** The pipeline bucket (design.md "Storage"). */
    DATA_BUCKET: z.string().min(3),
    /** Powertools idempotency records: partition key `id` (S), TTL attribute `expiration`. */
    IDEMPOTENCY_TABLE: z.string().min(3),
    /** How long a finished extract answers retries of the same input from its stored result. */
    IDEMPOTENCY_EXPIRES_AFTER_SECONDS: z.coerce.number().int().positive().default(3600),
    /** Path-style S3 addresses, for S3-compatible servers without virtual-host buckets. */
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
    /** `postgres://user:password@host:port/database?sslmode=...`; or the PG* variables below. */
    SOURCE_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional(),
    PGHOST: optionalText,
    PGPORT: z.coerce.number().int().min(1).max(65535).optional(),
    PGDATABASE: optionalText,
    PGUSER: optionalText,
    PGPASSWORD: optionalText,
    PGSSLMODE: z.enum(['disable', 'require', 'verify-full']).optional(),
    /** A Secrets Manager secret holding the password: the password itself, or JSON with `password` (RDS style). */
    SOURCE_SECRET_ARN: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/, 'a Secrets Manager secret ARN').optional(),
    /** The transactions table (`name` or `schema.name`), or ... */
    SOURCE_TABLE: z.string().regex(SQL_TABLE, 'a table name, `name` or `schema.name`').optional(),
    /** ... a query returning them. */
    SOURCE_QUERY: optionalText,
    /** The date or timestamp column the Extract input's dates filter on; default: the mapping's InvoiceDate column. */
    SOURCE_DATE_COLUMN: z.string().regex(SQL_COLUMN, 'a column name as stored (case-sensitive)').optional(),
    /** Which source column feeds each transaction field (JSON, @nextbuy/ingestion's ColumnMapping); default: Online Retail's names. */
    SOURCE_COLUMN_MAPPING: optionalText,
    /** Rows per fetch from the server-side cursor. */
    SOURCE_FETCH_ROWS: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  })
  .superRefine((env, context) => {
    if ((env.SOURCE_TABLE === undefined) === (env.SOURCE_QUERY === undefined)) {
      context.addIssue({ code: 'custom', path: ['SOURCE_TABLE'], message: 'set exactly one of SOURCE_TABLE and SOURCE_QUERY' });
    }
    if (env.SOURCE_DATABASE_URL === undefined && env.PGHOST === undefined) {
      context.addIssue({ code: 'custom', path: ['SOURCE_DATABASE_URL'], message: 'set SOURCE_DATABASE_URL, or PGHOST and the other PG* variables' });
    }
  });

/** How to reach the source database: node-postgres settings, the password possibly still in Secrets Manager. */
export interface DatabaseSettings {
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
}

export interface ExtractConfig {
  bucket: string;
  idempotencyTable: string;
  idempotencyExpiresAfterSeconds: number;
  s3ForcePathStyle: boolean;
  database: DatabaseSettings;
  secretArn?: string;
  source: {
    table?: string;
    query?: string;
    /** Undefined when the mapping names the date column by position and no SOURCE_DATE_COLUMN is set. */
    dateColumn?: string;
    mapping: ColumnMapping;
    fetchRows: number;
  };
}

const SSL_OF_MODE = { disable: false, require: { rejectUnauthorized: false }, 'verify-full': { rejectUnauthorized: true } } as const;

function columnMapping(text: string | undefined): ColumnMapping {
  if (text === undefined) return ONLINE_RETAIL_MAPPING;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigurationError('SOURCE_COLUMN_MAPPING', 'not JSON');
  }
  try {
    return parseColumnMapping(value, 'SOURCE_COLUMN_MAPPING');
  } catch (error) {
    throw new ConfigurationError('SOURCE_COLUMN_MAPPING', (error as Error).message);
  }
}

/** Reads and validates the configuration; ConfigurationError names the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ExtractConfig {
  const settings = parseConfiguration(configSchema, env);
  const mapping = columnMapping(settings.SOURCE_COLUMN_MAPPING);
  const mappedDate = mapping.columns.InvoiceDate;
  const database: DatabaseSettings = settings.SOURCE_DATABASE_URL
    ? { connectionString: settings.SOURCE_DATABASE_URL }
    : {
        host: settings.PGHOST,
        port: settings.PGPORT,
        database: settings.PGDATABASE,
        user: settings.PGUSER,
        password: settings.PGPASSWORD,
        ...(settings.PGSSLMODE ? { ssl: SSL_OF_MODE[settings.PGSSLMODE] } : {}),
      };
  return {
    bucket: settings.DATA_BUCKET,
    idempotencyTable: settings.IDEMPOTENCY_TABLE,
    idempotencyExpiresAfterSeconds: settings.IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
    s3ForcePathStyle: settings.S3_FORCE_PATH_STYLE === 'true',
    database,
    ...(settings.SOURCE_SECRET_ARN ? { secretArn: settings.SOURCE_SECRET_ARN } : {}),
    source: {
      table: settings.SOURCE_TABLE,
      query: settings.SOURCE_QUERY,
      dateColumn: settings.SOURCE_DATE_COLUMN ?? (typeof mappedDate === 'string' ? mappedDate : undefined),
      mapping,
      fetchRows: settings.SOURCE_FETCH_ROWS,
    },
  };
}
