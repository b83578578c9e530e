import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError, type Transaction } from '@nextbuy/contracts';
import type { ColumnMapping } from './mapping';
import { compileParquetRowReader } from './parquet-records';
import { openParquetFile } from './readers/parquet';
import type { RecordContext } from './records';

/**
 * The transactions of a Parquet file (local or `s3://`), one batch per row group, with the
 * 1-based number of the batch's first row: uncleaned, for the caller's DataQualityTally.
 */
export async function* parquetTransactions(
  source: string,
  mapping: ColumnMapping,
  context: RecordContext,
  s3Client?: S3Client,
): AsyncGenerator<{ firstRow: number; transactions: Transaction[] }> {
  const file = await openParquetFile(source, s3Client);
  const reader = compileParquetRowReader(mapping, file.columns, context);
  if (file.rowCount === 0) throw new InputDataError('the source has no data rows', { source });
  for await (const { firstRow, rows } of file.rowGroups(reader.columns)) {
    yield { firstRow, transactions: rows.map((values, index) => reader.read(values, firstRow + index)) };
  }
}
