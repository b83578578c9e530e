import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError, type Transaction } from '@nextbuy/contracts';
import type { ColumnMapping } from './mapping';
import { compileParquetRowReader } from './parquet-records';
import { openParquetFile } from './readers/parquet';
import type { RecordContext } from './records';

/**
 * Transactions made at a time from a row group's columns: a row group can hold a million rows,
 * and its columns are already in memory; its transactions need not all be at once.
 */
const ROWS_PER_BATCH = 16_384;

/**
 * The transactions of a Parquet file (local or `s3://`), in batches of at most ROWS_PER_BATCH
 * rows of one row group, with the 1-based number of the batch's first row: uncleaned, for the
 * caller's DataQualityTally.
 */
export async function* parquetTransactions(
  source: string,
  mapping: ColumnMapping,
  context: RecordContext,
  s3Client?: S3Client,
): AsyncGenerator<{ firstRow: number; transactions: Transaction[] }> {
  const file = await openParquetFile(source, s3Client);
  const reader = compileParquetRowReader(mapping, file.columns, context, file.instantColumns);
  if (file.rowCount === 0) throw new InputDataError('the source has no data rows', { source });
  for await (const { firstRow, rowCount, columns } of file.rowGroups(reader.columns)) {
    for (let start = 0; start < rowCount; start += ROWS_PER_BATCH) {
      const transactions: Transaction[] = [];
      for (let index = start; index < Math.min(rowCount, start + ROWS_PER_BATCH); index++) {
        transactions.push(reader.read(columns, index, firstRow + index));
      }
      yield { firstRow: firstRow + start, transactions };
    }
  }
}
