import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Runs SQL statements in a fresh in-memory DuckDB (one thread: the machine is shared), so that
 * test files are written by another tool than nextbuy: `COPY (SELECT ...) TO 'x.parquet'
 * (FORMAT parquet)`.
 */
export async function runDuckDb(...statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    for (const statement of statements) await connection.run(statement);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The rows of a DuckDB query, as JS values. */
export async function queryDuckDb(sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Online Retail transactions as DuckDB generates them from `range(rows)`, typed as a data lake
 * export would be: VARCHAR invoice, BIGINT quantity and customer id, DECIMAL price, TIMESTAMP
 * `InvoiceDate` and the same time as UCI text in VARCHAR `InvoiceDateText`. Dirty rows: every 17th
 * a cancellation (negative quantity), every 13th a null customer, every 23rd quantity 0, every
 * 29th price 0, every 31st an unparseable `InvoiceDateText`. `extra` adds more select items.
 */
export function transactionsSelect(rows: number, extra = ''): string {
  return `
    SELECT
      CASE WHEN i % 17 = 0 THEN 'C' ELSE '' END || (540000 + i // 3)::VARCHAR AS InvoiceNo,
      (20000 + i % 7)::VARCHAR AS StockCode,
      'MUG ' || (i % 5)::VARCHAR AS Description,
      (CASE WHEN i % 17 = 0 THEN -1 WHEN i % 23 = 0 THEN 0 ELSE 1 + i % 4 END)::BIGINT AS Quantity,
      TIMESTAMP '2011-01-01 08:00:00' + to_minutes((i // 3) * 97) AS InvoiceDate,
      CASE WHEN i % 31 = 0 THEN 'not a date'
           ELSE strftime(TIMESTAMP '2011-01-01 08:00:00' + to_minutes((i // 3) * 97), '%-m/%-d/%Y %-H:%M') END AS InvoiceDateText,
      (CASE WHEN i % 29 = 0 THEN 0 ELSE 1.25 + (i % 9) * 0.35 END)::DECIMAL(10, 2) AS UnitPrice,
      CASE WHEN i % 13 = 0 THEN NULL ELSE 12000 + (i // 3) % 50 END::BIGINT AS CustomerID,
      'United Kingdom' AS Country
      ${extra}
    FROM range(${rows}) AS t(i)
    ORDER BY i`;
}
