import { InputDataError, type Transaction } from '@nextbuy/contracts';
import type { ColumnMapping } from './mapping';
import { constantNumbers, customerIdOf, decimalHint, numberReader, resolveMappedColumns, unreadableDateError, type RecordContext, type ResolvedColumn } from './records';
import { timeParser, wallClockIn } from './timestamps';

/**
 * Turns one row of a row group into a transaction: `columns` holds the group's values of the
 * selected columns (in their order), `index` is the row's place in the group, `row` its 1-based
 * number in the file.
 */
export type ParquetRowReader = (columns: readonly ArrayLike<unknown>[], index: number, row: number) => Transaction;

/** How an error message shows a value: text quoted as a CSV cell's is, anything else as itself. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? String(item) : item));
  return String(value);
}

/**
 * Resolves the mapping against a Parquet file's column names, as a CSV header is (the same
 * "missing column" error, naming the file's columns), and returns the columns to read and the
 * reader of their rows. Parquet values are typed: a TIMESTAMP or DATE column is a time whatever
 * the mapping's `dateFormat`, a text column is parsed with it as CSV text is; numeric columns
 * (INT64's bigint and DECIMAL included) are numbers, a text one is parsed as CSV text is; a null
 * is what an empty CSV cell is. With the mapping's `timeZone`, a date column among
 * `instantColumns` (its values instants, not wall-clock times) is put on that zone's days.
 */
export function compileParquetRowReader(
  mapping: ColumnMapping,
  fileColumns: readonly string[],
  context: RecordContext,
  instantColumns: ReadonlySet<string> = new Set(),
): { columns: string[]; read: ParquetRowReader } {
  const mapped = resolveMappedColumns(mapping, fileColumns, { source: context.source, columnsOf: 'the file' });
  const constants = constantNumbers(mapping);
  const { source, strict } = context;
  const columns: string[] = [];
  // The position of a mapped column among the ones read: each is read once however often mapped.
  const slot = (column: ResolvedColumn | null): number | null => {
    if (!column) return null;
    const name = fileColumns[column.index]!;
    const at = columns.indexOf(name);
    return at >= 0 ? at : columns.push(name) - 1;
  };
  const at = {
    invoiceNo: slot(mapped.invoiceNo),
    stockCode: slot(mapped.stockCode),
    description: slot(mapped.description),
    quantity: slot(mapped.quantity),
    invoiceDate: slot(mapped.invoiceDate)!,
    unitPrice: slot(mapped.unitPrice),
    amount: slot(mapped.amount),
    customerId: slot(mapped.customerId)!,
    country: slot(mapped.country),
  };

  const textOf = (value: unknown, column: ResolvedColumn, row: number): string => {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    if (value instanceof Date) return value.toISOString();
    throw new InputDataError(`not a plain value: ${shown(value)}`, { source, row, column: column.label });
  };
  const readNumber = numberReader(mapping.decimalSeparator);
  const numberOf = (value: unknown, column: ResolvedColumn, row: number): number => {
    const number =
      typeof value === 'number' ? (Number.isFinite(value) ? value : NaN)
      : typeof value === 'bigint' ? Number(value)
      : typeof value === 'string' ? readNumber(value)
      : NaN;
    if (!Number.isNaN(number)) return number;
    throw new InputDataError(`not a number: ${shown(value)}${typeof value === 'string' ? decimalHint(value, mapping.decimalSeparator) : ''}`, { source, row, column: column.label });
  };
  const field = (slotAt: number | null, column: ResolvedColumn | null, constant: { constant: string } | undefined) =>
    slotAt === null || !column
      ? () => constant?.constant ?? ''
      : (columns: readonly ArrayLike<unknown>[], index: number, row: number) => textOf(columns[slotAt]![index], column, row);
  const { derive } = mapping;
  const stockCodeOf = field(at.stockCode, mapped.stockCode, derive.StockCode);
  const descriptionOf = field(at.description, mapped.description, derive.Description);
  const countryOf = field(at.country, mapped.country, derive.Country);
  const parseTime = timeParser(mapping.dateFormat, mapping.timeZone);
  const instantToWallClock =
    mapping.timeZone !== undefined && instantColumns.has(fileColumns[mapped.invoiceDate.index]!) ? wallClockIn(mapping.timeZone) : null;
  let lastDateText: string | null = null;
  let lastTime = NaN;
  const timeOf = (value: unknown): number => {
    if (value instanceof Date) return instantToWallClock ? instantToWallClock(value.getTime()) : value.getTime();
    if (value === null || value === undefined) return NaN;
    if (typeof value === 'object') return NaN;
    // Text (or a number such as 19970101 for `yyyymmdd`) is read with the mapping's dateFormat.
    const text = String(value);
    if (text !== lastDateText) {
      lastDateText = text;
      lastTime = parseTime(text.trim());
    }
    return lastTime;
  };

  const read: ParquetRowReader = (columns, index, row) => {
    const dateValue = columns[at.invoiceDate]![index];
    const time = timeOf(dateValue);
    if (Number.isNaN(time)) {
      const error = unreadableDateError(typeof dateValue === 'string' ? dateValue : null, shown(dateValue), mapping, strict, { source, row, column: mapped.invoiceDate.label });
      if (error) throw error;
    }
    const quantity = at.quantity === null ? constants.quantity! : numberOf(columns[at.quantity]![index], mapped.quantity!, row);
    return {
      invoiceNo: at.invoiceNo === null ? String(row) : textOf(columns[at.invoiceNo]![index], mapped.invoiceNo!, row).trim(),
      stockCode: stockCodeOf(columns, index, row),
      description: descriptionOf(columns, index, row),
      quantity,
      invoiceDate: new Date(time),
      unitPrice:
        at.unitPrice !== null
          ? numberOf(columns[at.unitPrice]![index], mapped.unitPrice!, row)
          : at.amount !== null
            ? numberOf(columns[at.amount]![index], mapped.amount!, row) / quantity
            : constants.unitPrice!,
      customerId: customerIdOf(textOf(columns[at.customerId]![index], mapped.customerId, row)),
      country: countryOf(columns, index, row),
    };
  };
  return { columns, read };
}
