import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Writes an Online Retail CSV's rows as Parquet with DuckDB, typed as a data lake export is:
 * TIMESTAMP dates, INTEGER quantities, DOUBLE prices, BIGINT customer ids (null for a guest).
 */
export async function csvToParquet(csv: string, parquet: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(`
      COPY (
        SELECT InvoiceNo, StockCode, Description, Quantity::INTEGER AS Quantity,
               strptime(InvoiceDate, '%m/%d/%Y %H:%M') AS InvoiceDate, UnitPrice::DOUBLE AS UnitPrice,
               CustomerID::BIGINT AS CustomerID, Country
        FROM read_csv('${csv}', header = true, all_varchar = true)
      ) TO '${parquet}' (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
