import { InputDataError } from '@nextbuy/contracts';
import type { ClientBase } from 'pg';

/** Transactions in a Postgres table, or returned by a query. */
export interface PostgresSource {
  kind: 'postgres';
  /** Used to open (and afterwards close) a connection when no `client` is given. */
  connectionString?: string;
  /** A connected client, left open. */
  client?: ClientBase;
  /** `name` or `schema.name`, written as in SQL (unquoted names fold to lower case). */
  table?: string;
  query?: string;
  values?: unknown[];
}

/** Rows of a result, each value as Postgres prints it (null for NULL), with the column names. */
export interface PostgresBatch {
  columns: string[];
  rows: (string | null)[][];
}

const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

// Every value as the text Postgres sends: the same text a CSV export holds, parsed by the same
// mapping. The driver's defaults would turn a `timestamp` into a Date in the process's zone.
const TEXT_VALUES = { getTypeParser: () => (value: string) => value };

/** How reports and errors name the source. */
export function postgresSourceName(source: PostgresSource): string {
  return source.table !== undefined ? `postgres:${source.table}` : `postgres:(${source.query ?? ''})`;
}

function queryText(source: PostgresSource): string {
  const name = postgresSourceName(source);
  if ((source.table === undefined) === (source.query === undefined)) {
    throw new InputDataError('a Postgres source needs exactly one of table or query', { source: name });
  }
  if (!source.client && !source.connectionString) {
    throw new InputDataError('a Postgres source needs a client or a connectionString', { source: name });
  }
  if (source.query !== undefined) return source.query;
  if (!SQL_NAME.test(source.table!)) {
    throw new InputDataError('not a plain table name (use query for anything else)', { source: name });
  }
  return `SELECT * FROM ${source.table}`;
}

/** Streams a table or query through a server-side cursor, `batchSize` rows at a time. */
export async function* postgresBatches(source: PostgresSource, batchSize: number): AsyncGenerator<PostgresBatch> {
  const text = queryText(source);
  // Loaded on first use so that code reading files never loads the driver.
  const [{ default: pg }, { default: QueryStream }] = await Promise.all([import('pg'), import('pg-query-stream')]);
  const owned = source.client ? null : new pg.Client({ connectionString: source.connectionString });
  const client = source.client ?? owned!;
  await owned?.connect();
  try {
    const stream = client.query(new QueryStream(text, source.values, { batchSize, rowMode: 'array', types: TEXT_VALUES }));
    let rows: (string | null)[][] = [];
    // pg-query-stream exposes the column names only on its result (filled before the first row).
    const columns = () => (stream._result as { fields: { name: string }[] }).fields.map((field) => field.name);
    for await (const row of stream) {
      rows.push(row as (string | null)[]);
      if (rows.length === batchSize) {
        yield { columns: columns(), rows };
        rows = [];
      }
    }
    if (rows.length > 0) yield { columns: columns(), rows };
  } finally {
    await owned?.end();
  }
}
