// The DuckDB peer of bench:data: the same read, clean, customer-day orders and per-order window
// features as nextbuy and the pandas peer, in one SQL query, with the result brought back into
// JavaScript as typed columns (what a Node user of DuckDB needs before training). Run as a script
// (`duckdb-peer.ts <csv>`) it prints one JSON line, so that its peak RSS is its own process's.
import { availableParallelism } from 'node:os';
import { DuckDBInstance, type DuckDBDataChunk, type DuckDBVector } from '@duckdb/node-api';
import { FEATURE_NAMES } from '@nextbuy/features';

/** The numeric columns the query returns, in order, after `customer`. */
export const DUCKDB_NUMBER_COLUMNS = ['day', 'Lines', 'Invoices', ...FEATURE_NAMES, 'NextGapDays'] as const;
export type DuckDbNumberColumn = (typeof DUCKDB_NUMBER_COLUMNS)[number];

/** One row per customer-day order, ordered by customer then day; NULLs read as NaN. */
export interface DuckDbOrderFeatures {
  customerIds: string[];
  columns: Record<DuckDbNumberColumn, Float64Array>;
}

const TWO_PI_OVER = (period: number) => `2 * pi() / ${period}`;

/**
 * The query, as a DuckDB user would write it: typed columns, the projection pushed down into
 * read_csv (the unused text columns are not converted), one pass of window functions over
 * customer-day orders and a second for the ones that need the gaps. The timestamp is read as text
 * and parsed with `try_strptime`, so a date that does not parse drops its row (nextbuy's rule)
 * while a quantity or price that is not a number fails the read, as nextbuy refuses it. Tried on
 * the 5.4M-row file (2 threads, a loaded machine, so judged by CPU seconds as well as wall time):
 * a typed TIMESTAMP column with `timestampformat` and `ignore_errors` (which would also drop
 * malformed numbers) cost the same; `CustomerID` as BIGINT, no final ORDER BY, and
 * `preserve_insertion_order = false` were within the noise, so the ids stay text (as nextbuy and
 * pandas keep them) and the rows come back sorted like theirs. Whole numbers are cast to INTEGER:
 * a BIGINT arrives in JavaScript as a BigInt, slower to convert.
 */
export function ordersAndFeaturesSql(csvPath: string): string {
  const file = `'${csvPath.replaceAll("'", "''")}'`;
  const cyclic = (name: string, expression: string, period: number) =>
    `sin(${TWO_PI_OVER(period)} * ${expression}) AS "${name}Sin", cos(${TWO_PI_OVER(period)} * ${expression}) AS "${name}Cos"`;
  return `
WITH parsed AS (
  SELECT CustomerID AS customer, try_strptime(InvoiceDate, '%m/%d/%Y %H:%M') AS invoice_time, InvoiceNo, Quantity, UnitPrice
  FROM read_csv(${file}, header = true,
    columns = {'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR', 'Description': 'VARCHAR', 'Quantity': 'DOUBLE',
               'InvoiceDate': 'VARCHAR', 'UnitPrice': 'DOUBLE', 'CustomerID': 'VARCHAR', 'Country': 'VARCHAR'})
),
kept AS (
  SELECT customer, CAST(invoice_time AS DATE) AS day, InvoiceNo, Quantity, UnitPrice
  FROM parsed
  WHERE customer IS NOT NULL AND NOT starts_with(InvoiceNo, 'C') AND Quantity > 0 AND UnitPrice > 0 AND invoice_time IS NOT NULL
),
orders AS (
  SELECT customer, day, sum(Quantity * UnitPrice) AS total_price, sum(Quantity) AS quantity,
         count(*) AS lines, count(DISTINCT InvoiceNo) AS invoices
  FROM kept GROUP BY customer, day
),
gaps AS (
  SELECT *, CAST(day - lag(day) OVER w AS INTEGER) AS prev_gap, CAST(row_number() OVER w AS INTEGER) AS k,
         sum(total_price) OVER w AS cumulative_total_price, CAST(day - first_value(day) OVER w AS INTEGER) AS days_since_first,
         CAST(lead(day) OVER w - day AS INTEGER) AS next_gap
  FROM orders WINDOW w AS (PARTITION BY customer ORDER BY day)
)
SELECT customer, CAST(day - DATE '1970-01-01' AS INTEGER) AS day, CAST(lines AS INTEGER) AS "Lines", CAST(invoices AS INTEGER) AS "Invoices",
  prev_gap AS "PrevGapDays",
  avg(prev_gap) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS "RollingAvgGap",
  CASE WHEN k > 1 THEN days_since_first / (k - 1) END AS "MeanGap",
  stddev_samp(prev_gap) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "StdGap",
  k AS "OrderCount", total_price AS "TotalPrice", quantity AS "Quantity",
  cumulative_total_price AS "CumulativeTotalPrice", cumulative_total_price / k AS "AvgOrderValue",
  days_since_first AS "DaysSinceFirstOrder", CAST(year(day) AS INTEGER) AS "year",
  ${cyclic('Weekday', '(isodow(day) - 1)', 7)}, ${cyclic('DayOfMonth', 'dayofmonth(day)', 31)},
  ${cyclic('Month', 'month(day)', 12)}, ${cyclic('Quarter', 'quarter(day)', 4)},
  next_gap AS "NextGapDays"
FROM gaps WINDOW w AS (PARTITION BY customer ORDER BY day)
ORDER BY customer, day`;
}

/**
 * One column of every chunk into a Float64Array. The node-api's public way to a column is a
 * vector per chunk and `getItem` per value; a chunk's row count is a native call, so it is read
 * once per chunk. At 5.4M rows (222k orders, 24 columns) this took about 0.35 s after the engine's
 * work, where the result's `getColumns` took 0.7 s and `getColumnsObjectJS` 0.9 s.
 */
function numberColumn(chunks: readonly DuckDBDataChunk[], counts: readonly number[], rows: number, column: number): Float64Array {
  const out = new Float64Array(rows);
  let row = 0;
  chunks.forEach((chunk, c) => {
    const vector = chunk.getColumnVector(column) as DuckDBVector<number | bigint>;
    for (let i = 0; i < counts[c]!; i++) {
      const value = vector.getItem(i);
      out[row++] = value === null ? NaN : Number(value);
    }
  });
  return out;
}

function textColumn(chunks: readonly DuckDBDataChunk[], counts: readonly number[], rows: number, column: number): string[] {
  const out = new Array<string>(rows);
  let row = 0;
  chunks.forEach((chunk, c) => {
    const vector = chunk.getColumnVector(column) as DuckDBVector<string>;
    for (let i = 0; i < counts[c]!; i++) out[row++] = vector.getItem(i) ?? '';
  });
  return out;
}

/** Runs the query on `threads` threads (default: the machine's cores) and reads its columns into JavaScript. */
export async function duckdbOrdersAndFeatures(csvPath: string, threads = availableParallelism()): Promise<DuckDbOrderFeatures> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  try {
    const connection = await instance.connect();
    try {
      const result = await connection.run(ordersAndFeaturesSql(csvPath));
      const names = result.columnNames();
      const expected = ['customer', ...DUCKDB_NUMBER_COLUMNS];
      if (names.join() !== expected.join()) throw new Error(`DuckDB peer: the query returned columns ${names.join(', ')}, expected ${expected.join(', ')}`);
      const chunks = await result.fetchAllChunks();
      const counts = chunks.map((chunk) => chunk.rowCount);
      const rows = counts.reduce((a, b) => a + b, 0);
      const columns = Object.fromEntries(DUCKDB_NUMBER_COLUMNS.map((name, i) => [name, numberColumn(chunks, counts, rows, i + 1)])) as DuckDbOrderFeatures['columns'];
      return { customerIds: textColumn(chunks, counts, rows, 0), columns };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

if (process.argv[1] === import.meta.filename) {
  const start = process.hrtime.bigint();
  const threads = availableParallelism();
  const { customerIds } = await duckdbOrdersAndFeatures(process.argv[2]!, threads);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, orders: customerIds.length, threads }));
}
