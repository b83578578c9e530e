import { open } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputDataError } from '@nextbuy/contracts';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { s3ObjectRanges } from './s3';
import { fileError } from '../file-errors';

/** The four bytes a Parquet file starts and ends with. */
export const PARQUET_MAGIC = 'PAR1';
const PARQUET_NAME = /\.parquet$/i;

/** One row group's values of the selected columns, column by column (as Parquet stores them). */
export interface ParquetColumns {
  /** 1-based number of the group's first row in the file. */
  firstRow: number;
  rowCount: number;
  /** One array per selected column, in their order, each `rowCount` long. */
  columns: ArrayLike<unknown>[];
}

/** An open Parquet file: its top-level column names, and its rows read one row group at a time. */
export interface ParquetFile {
  columns: string[];
  /**
   * The columns whose values are instants: a TIMESTAMP adjusted to UTC (or the legacy
   * TIMESTAMP_MILLIS / _MICROS, which are), or Spark's INT96. A TIMESTAMP not adjusted to UTC
   * (DuckDB's TIMESTAMP, Spark's TIMESTAMP_NTZ) and a DATE are wall-clock: hyparquet gives both
   * kinds as Dates, and only this tells them apart.
   */
  instantColumns: ReadonlySet<string>;
  rowCount: number;
  rowGroups(selected: readonly string[]): AsyncGenerator<ParquetColumns>;
}

/** A column's pieces (hyparquet hands a column chunk over in one or more) as one array of the group's rows. */
function joinedColumn(pieces: { rowStart: number; data: ArrayLike<unknown> }[], start: number, rowCount: number): ArrayLike<unknown> {
  const only = pieces.length === 1 ? pieces[0]! : null;
  if (only && only.rowStart === start && only.data.length === rowCount) return only.data;
  const column = new Array<unknown>(rowCount).fill(null);
  for (const { rowStart, data } of pieces) {
    for (let index = Math.max(0, start - rowStart); index < data.length && rowStart + index < start + rowCount; index++) {
      column[rowStart + index - start] = data[index];
    }
  }
  return column;
}

/** Whether a local file starts with Parquet's magic bytes (false when it cannot be read at all). */
async function startsWithParquetMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(PARQUET_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.toString('latin1') === PARQUET_MAGIC;
  } catch {
    return false; // a directory: the text reader says so
  } finally {
    await handle.close();
  }
}

/**
 * Whether a source string is a Parquet file: a name ending in `.parquet` (local or `s3://`), or a
 * local file of any name whose first bytes are Parquet's magic `PAR1`. An S3 object of another
 * name is looked at when its bytes are streamed (`unlessParquet` in ingest.ts), to spend no
 * request on every CSV object.
 */
export async function isParquetSource(source: string): Promise<boolean> {
  if (PARQUET_NAME.test(source)) return true;
  return !source.startsWith('s3://') && startsWithParquetMagic(source);
}

async function hyparquet() {
  // Loaded on first use, like the AWS SDK and pg: code reading CSV never loads them.
  const [reader, { compressors }] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  return { ...reader, compressors };
}

function asText(bytes: ArrayBuffer): string {
  return JSON.stringify(Buffer.from(bytes).toString('latin1'));
}

/** Why a file's footer could not be read, told from its first and last bytes. */
async function unreadableFooter(file: AsyncBuffer, source: string, error: unknown): Promise<InputDataError> {
  const expected = `a Parquet file starts and ends with the bytes ${PARQUET_MAGIC}`;
  if (file.byteLength === 0) return new InputDataError(`the source is empty: ${expected}`, { source }, { cause: error });
  const head = await file.slice(0, Math.min(PARQUET_MAGIC.length, file.byteLength));
  if (Buffer.from(head).toString('latin1') !== PARQUET_MAGIC) {
    return new InputDataError(`not a Parquet file: ${expected}; this one starts with ${asText(head)}`, { source }, { cause: error });
  }
  return new InputDataError(
    `the Parquet file is truncated or corrupt: its footer cannot be read (${(error as Error).message})`,
    { source },
    { cause: error },
  );
}

/**
 * Opens a local Parquet file or an `s3://` object and reads its footer. Row groups are read one
 * at a time, and only the selected columns' chunks of each, so memory follows the largest row
 * group rather than the file; from S3 every read is a ranged GET. A footer or page that does not
 * decode is an InputDataError naming the source (and the row group's rows); a failure to
 * fetch bytes (the network, S3) is left as it is.
 */
export async function openParquetFile(source: string, s3Client?: S3Client): Promise<ParquetFile> {
  const { asyncBufferFromFile, compressors, parquetMetadataAsync, parquetRead, parquetSchema } = await hyparquet();
  let file: AsyncBuffer;
  try {
    file = source.startsWith('s3://') ? await s3ObjectRanges(source, s3Client) : await asyncBufferFromFile(source);
  } catch (error) {
    throw fileError(error, source);
  }
  // Errors of fetching bytes pass through; anything else hyparquet throws is about the data.
  const fetchErrors = new WeakSet<object>();
  const fetched: AsyncBuffer = {
    byteLength: file.byteLength,
    async slice(start, end) {
      try {
        return await file.slice(start, end);
      } catch (error) {
        if (error instanceof Object) fetchErrors.add(error);
        throw error;
      }
    },
  };
  const isDataError = (error: unknown) => !(error instanceof InputDataError) && !(error instanceof Object && fetchErrors.has(error));

  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(fetched);
  } catch (error) {
    throw isDataError(error) ? await unreadableFooter(fetched, source, error) : fileError(error, source);
  }
  const children = parquetSchema(metadata).children.map((child) => child.element);
  const columns = children.map((element) => element.name);
  const instantColumns = new Set(
    children
      .filter(({ type, logical_type, converted_type }) =>
        logical_type?.type === 'TIMESTAMP'
          ? logical_type.isAdjustedToUTC
          : type === 'INT96' || converted_type === 'TIMESTAMP_MILLIS' || converted_type === 'TIMESTAMP_MICROS',
      )
      .map((element) => element.name),
  );

  async function* rowGroups(selected: readonly string[]): AsyncGenerator<ParquetColumns> {
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      const pieces = selected.map(() => [] as { rowStart: number; data: ArrayLike<unknown> }[]);
      try {
        // Column by column (onChunk), not row arrays (onComplete): hyparquet's transposition
        // into rows took a third of the read time and a row group's worth of arrays.
        await parquetRead({
          file: fetched,
          metadata,
          compressors,
          columns: [...selected],
          rowStart: start,
          rowEnd: end,
          onChunk: ({ columnName, columnData, rowStart }) => pieces[selected.indexOf(columnName)]!.push({ rowStart, data: columnData }),
        });
      } catch (error) {
        if (!isDataError(error)) throw error;
        throw new InputDataError(
          `the row group of rows ${start + 1}-${end} is corrupt or unreadable (${(error as Error).message})`,
          { source },
          { cause: error },
        );
      }
      if (end > start) yield { firstRow: start + 1, rowCount: end - start, columns: pieces.map((column) => joinedColumn(column, start, end - start)) };
      start = end;
    }
  }

  return { columns, instantColumns, rowCount: Number(metadata.num_rows), rowGroups };
}
