import { InputDataError, type OnlineRetailColumn, type Transaction } from '@nextbuy/contracts';
import { amountColumn, type ColumnMapping, type ColumnRef } from './mapping';
import { DATE_FORMAT_SHAPES, dateFormatHint, stopsAtUnreadableDate, timeParser } from './timestamps';

/**
 * A date that can only be day first (`13/01/2011`) read under `dateFormat: auto`, which reads
 * `02/01/2011` month first: `ingest` reads a source it can read again day first instead.
 */
export class DayFirstDateError extends InputDataError {
  constructor(
    message: string,
    location: InputDataError['location'],
    /** The date as written. */
    readonly value: string,
  ) {
    super(message, location);
  }
}

/**
 * The error a date the mapping's format could not read stops the reading with, or null where it
 * is dropped instead: with `strict`, any; under `auto`, one that can only be day first (a
 * `DayFirstDateError`). `text` is the value when it is text (null for a Parquet value of another
 * type), `shown` the value as the message quotes it. The CSV and Parquet readers both ask it.
 */
export function unreadableDateError(text: string | null, shown: string, mapping: ColumnMapping, strict: boolean, location: InputDataError['location']): InputDataError | null {
  const trimmed = text?.trim();
  const dayFirst = trimmed !== undefined && stopsAtUnreadableDate(trimmed, mapping.dateFormat);
  if (!strict && !dayFirst) return null;
  const message = `not a date (${DATE_FORMAT_SHAPES[mapping.dateFormat]}): ${shown}${trimmed === undefined ? '' : dateFormatHint(trimmed, mapping.dateFormat)}`;
  return dayFirst ? new DayFirstDateError(message, location, text!) : new InputDataError(message, location);
}

/**
 * Turns the fields of one source record, read at a 1-based line, into a transaction. `wanted`
 * says which fields it reads (by position): a splitter may leave the others empty.
 */
export type RecordReader = ((fields: readonly string[], line: number) => Transaction) & { readonly wanted: readonly boolean[] };

export interface RecordContext {
  /** The source's name in error messages and the report. */
  source: string;
  /** Unparseable dates are errors instead of rows dropped under `unparseable_date`. */
  strict: boolean;
  /**
   * Whether transactions carry their stock code, description and country; false (left empty)
   * when only orders are made of them. True by default.
   */
  descriptive?: boolean;
}

export interface ResolvedColumn {
  index: number;
  /** How error messages name the column. */
  label: string;
}

// pandas writes an integer id column holding blanks as floats ("17850.0"); the id is "17850".
const FLOAT_WRITTEN_ID = /^\d+\.0+$/;

/** A customer id as written in a cell, trimmed, with a float-written integer id made whole. */
export function customerIdOf(text: string): string {
  const id = text.trim();
  return id.endsWith('0') && FLOAT_WRITTEN_ID.test(id) ? id.slice(0, id.indexOf('.')) : id;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, power) => 10 ** power);

/**
 * `+text` for the plain decimals that fill transaction files (`12`, `-3`, `1.65`), read from the
 * character codes, or NaN for anything else (then `+text` decides). Written by hand because
 * `+text` is a third of a line's reading time. Exact: a mantissa below 2^53 and a power of ten up
 * to 10^15 are both exact doubles, and IEEE division rounds their quotient correctly, as `+text`
 * rounds the decimal (Clinger's fast path).
 */
export function plainDecimal(text: string): number {
  const length = text.length;
  let index = text.charCodeAt(0) === 45 ? 1 : 0;
  const negative = index === 1;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === 46 && decimals < 0) {
      decimals = 0;
      continue;
    }
    const digit = code - 48;
    if (digit < 0 || digit > 9) return NaN;
    mantissa = mantissa * 10 + digit;
    digits++;
    if (decimals >= 0) decimals++;
  }
  if (digits === 0 || digits > 15) return NaN;
  const value = decimals > 0 ? mantissa / POWERS_OF_TEN[decimals]! : mantissa;
  return negative ? -value : value;
}

function headerIndex(header: readonly string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  // Postgres folds unquoted identifiers to lower case: `InvoiceNo` comes back as `invoiceno`.
  const lower = name.toLowerCase();
  const matches = header.flatMap((column, index) => (column.toLowerCase() === lower ? [index] : []));
  return matches.length === 1 ? matches[0]! : -1;
}

/** The source column of every schema field the mapping reads from a column (null: derived or absent). */
export interface MappedColumns {
  invoiceNo: ResolvedColumn | null;
  stockCode: ResolvedColumn | null;
  description: ResolvedColumn | null;
  /** Null when `derive.Quantity` gives a constant. */
  quantity: ResolvedColumn | null;
  invoiceDate: ResolvedColumn;
  unitPrice: ResolvedColumn | null;
  /** `derive.UnitPrice.amountColumn`. */
  amount: ResolvedColumn | null;
  customerId: ResolvedColumn;
  country: ResolvedColumn | null;
}

/** The quantity and unit price a mapping gives as constants (`derive.Quantity`, `derive.UnitPrice`), undefined where a column gives them. */
export function constantNumbers(mapping: ColumnMapping): { quantity?: number; unitPrice?: number } {
  const { Quantity, UnitPrice } = mapping.derive;
  return { quantity: Quantity?.constant, unitPrice: UnitPrice && 'constant' in UnitPrice ? UnitPrice.constant : undefined };
}

/**
 * Resolves the mapping against a source's column names (null when it has none). Throws
 * InputDataError naming every mapped column it lacks and the columns it has; `columnsOf` says
 * whose they are in that message ("the header", "the file").
 */
export function resolveMappedColumns(
  mapping: ColumnMapping,
  header: readonly string[] | null,
  context: { source: string; headerLine?: number; columnsOf?: string },
): MappedColumns {
  const columnsOf = context.columnsOf ?? 'the header';
  const missing: string[] = [];
  const resolve = (field: OnlineRetailColumn, ref: ColumnRef | undefined): ResolvedColumn | null => {
    if (ref === undefined) return null;
    if (typeof ref === 'number') {
      if (header && ref >= header.length) missing.push(`#${ref} (${field}; ${columnsOf} has ${header.length} columns)`);
      return { index: ref, label: header?.[ref] ?? `${field} (#${ref})` };
    }
    const index = header ? headerIndex(header, ref) : -1;
    if (index < 0) missing.push(ref === field ? `"${ref}"` : `"${ref}" (${field})`);
    return { index, label: header?.[index] ?? ref };
  };
  const { columns, derive } = mapping;
  const resolved: MappedColumns = {
    invoiceNo: resolve('InvoiceNo', columns.InvoiceNo),
    stockCode: resolve('StockCode', columns.StockCode),
    description: resolve('Description', columns.Description),
    quantity: resolve('Quantity', columns.Quantity),
    invoiceDate: resolve('InvoiceDate', columns.InvoiceDate)!,
    unitPrice: resolve('UnitPrice', columns.UnitPrice),
    amount: resolve('UnitPrice', amountColumn(derive)),
    customerId: resolve('CustomerID', columns.CustomerID)!,
    country: resolve('Country', columns.Country),
  };
  if (missing.length > 0) {
    throw new InputDataError(
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ${columnsOf} has ${header!.map((name) => `"${name}"`).join(', ')}${delimiterHint(header!, mapping.delimiter)}`,
      { source: context.source, line: context.headerLine },
    );
  }
  return resolved;
}

/**
 * A hint for a header read as one column that another delimiter splits into several: a semicolon
 * export (spreadsheets in locales with a decimal comma write them) read as comma-separated.
 */
function delimiterHint(header: readonly string[], delimiter: ColumnMapping['delimiter']): string {
  if (header.length !== 1) return '';
  const split: Array<[ColumnMapping['delimiter'], string]> = [['semicolon', ';'], ['tab', '\t'], ['comma', ',']];
  const fits = split.find(([name, character]) => name !== delimiter && header[0]!.split(character).length > 1);
  return fits ? `; it looks ${fits[0]}-separated: set the mapping's "delimiter" to "${fits[0]}"` : '';
}

/** The number in a cell's text, or NaN for text that is not one (an empty cell included: `+''` is 0). */
export function numberFromText(text: string): number {
  const plain = plainDecimal(text);
  if (!Number.isNaN(plain)) return plain;
  const value = +text;
  return Number.isFinite(value) && (value !== 0 || text.trim() !== '') ? value : NaN;
}

/** `1,5`, `-1.234,50`, `1234,5`: a decimal comma, with points grouping thousands or none. */
const DECIMAL_COMMA = /^\s*[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*$/;

/**
 * The number in a cell's text written with a decimal comma, or NaN. A point is a thousands
 * separator only in groups of three (`1.234,5`); `1.5` is not a number here, as it is ambiguous in
 * such a file (a thousand and five hundred, or one and a half) and the source says which it means.
 */
export function numberFromDecimalCommaText(text: string): number {
  if (!DECIMAL_COMMA.test(text)) return NaN;
  return numberFromText(text.replaceAll('.', '').replace(',', '.'));
}

/**
 * A hint for a number the mapping could not read that has a decimal comma where points are
 * expected; `1,000` may as well group thousands, which no mapping reads, and is said to be either.
 */
export function decimalHint(text: string, decimalSeparator: ColumnMapping['decimalSeparator']): string {
  if (decimalSeparator !== 'point' || !text.includes(',') || !DECIMAL_COMMA.test(text)) return '';
  if (/,\d{3}\s*$/.test(text) && !text.includes('.')) return '; if its comma is a decimal comma, set the mapping\'s "decimalSeparator" to "comma"; numbers grouped in thousands (1,000) are read by no mapping: write them without the comma';
  return '; it has a decimal comma: set the mapping\'s "decimalSeparator" to "comma"';
}

/** The number reader of a mapping's `decimalSeparator`. */
export function numberReader(decimalSeparator: ColumnMapping['decimalSeparator']): (text: string) => number {
  return decimalSeparator === 'comma' ? numberFromDecimalCommaText : numberFromText;
}

/**
 * Resolves the mapping against a source's header (null when it has none) and returns the reader
 * of its records. Throws InputDataError naming every mapped column the header lacks.
 */
export function compileRecordReader(
  mapping: ColumnMapping,
  header: readonly string[] | null,
  context: RecordContext & { headerLine?: number },
): RecordReader {
  const { invoiceNo, stockCode, description, quantity, invoiceDate, unitPrice, amount, customerId, country } =
    resolveMappedColumns(mapping, header, context);
  const { derive } = mapping;
  const { source, strict } = context;
  const used = [invoiceNo, stockCode, description, quantity, invoiceDate, unitPrice, amount, customerId, country];
  let widest = invoiceDate;
  for (const column of used) if (column && column.index > widest.index) widest = column;
  const constants = constantNumbers(mapping);
  const required = widest.index + 1;
  const readNumber = numberReader(mapping.decimalSeparator);
  const numberAt = (fields: readonly string[], column: ResolvedColumn, line: number): number => {
    const text = fields[column.index]!;
    const value = readNumber(text);
    if (!Number.isNaN(value)) return value;
    throw new InputDataError(`not a number${mapping.decimalSeparator === 'comma' ? ' (decimal comma: 1,5 or 1.234,50)' : ''}: "${text}"${decimalHint(text, mapping.decimalSeparator)}`, { source, line, column: column.label });
  };
  const text = (column: ResolvedColumn | null, constant: { constant: string } | undefined) =>
    column ? (fields: readonly string[]) => fields[column.index]! : () => constant?.constant ?? '';
  const descriptive = context.descriptive ?? true;
  const stockCodeOf = text(descriptive ? stockCode : null, derive.StockCode);
  const descriptionOf = text(descriptive ? description : null, derive.Description);
  const countryOf = text(descriptive ? country : null, derive.Country);
  const wanted = Array.from({ length: required }, () => false);
  for (const column of descriptive ? used : [invoiceNo, quantity, invoiceDate, unitPrice, amount, customerId]) {
    if (column) wanted[column.index] = true;
  }
  const parseTime = timeParser(mapping.dateFormat, mapping.timeZone);
  // Lines of one invoice repeat its timestamp: parse each distinct text once in a row, and share
  // one Date between those lines (nothing here or downstream changes a transaction's date).
  let lastDateText: string | null = null;
  let lastTime = NaN;
  let lastDate = new Date(NaN);

  const read = (fields: readonly string[], line: number): Transaction => {
    if (fields.length < required) {
      throw new InputDataError(`the line has ${fields.length} fields; this column is field ${required}`, {
        source,
        line,
        column: widest.label,
      });
    }
    const dateText = fields[invoiceDate.index]!;
    if (dateText !== lastDateText) {
      lastDateText = dateText;
      lastTime = parseTime(dateText.trim());
      lastDate = new Date(lastTime);
    }
    if (Number.isNaN(lastTime)) {
      const error = unreadableDateError(dateText, `"${dateText}"`, mapping, strict, { source, line, column: invoiceDate.label });
      if (error) throw error;
    }
    const lineQuantity = quantity ? numberAt(fields, quantity, line) : constants.quantity!;
    return {
      invoiceNo: invoiceNo ? fields[invoiceNo.index]!.trim() : String(line),
      stockCode: stockCodeOf(fields),
      description: descriptionOf(fields),
      quantity: lineQuantity,
      invoiceDate: lastDate,
      unitPrice: unitPrice ? numberAt(fields, unitPrice, line) : amount ? numberAt(fields, amount, line) / lineQuantity : constants.unitPrice!,
      customerId: customerIdOf(fields[customerId.index]!),
      country: countryOf(fields),
    };
  };
  return Object.assign(read, { wanted });
}
