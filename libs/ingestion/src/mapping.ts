import { readFile } from 'node:fs/promises';
import { InputDataError, ONLINE_RETAIL_COLUMNS, type OnlineRetailColumn } from '@nextbuy/contracts';
import { z } from 'zod';
import { DATE_FORMATS, isTimeZone } from './timestamps';

/** A source column: its header name, or its 0-based position (header-less files). */
const columnRef = z.union([z.string().min(1), z.number().int().nonnegative()]);
export type ColumnRef = z.infer<typeof columnRef>;

const textConstant = z.object({ constant: z.string() }).strict();
/** The same positive number on every line: for sources that record orders, not lines (1 unit), or no money at all. */
const numberConstant = z.object({ constant: z.number().positive().finite() }).strict();

export const columnMappingSchema = z
  .object({
    /** `whitespace` splits on runs of spaces and tabs and has no quoting. */
    delimiter: z.enum(['comma', 'semicolon', 'tab', 'whitespace']).default('comma'),
    /**
     * `comma`: numbers as continental Europe writes them (`1,5`, `1.234,50`), as the semicolon
     * exports of a spreadsheet in those locales do. Text cells only (Parquet numbers are numbers).
     */
    decimalSeparator: z.enum(['point', 'comma']).default('point'),
    /** Whether the first line names the columns. */
    header: z.boolean().default(true),
    dateFormat: z.enum(DATE_FORMATS).default('auto'),
    /**
     * The retailer's time zone (IANA, `Europe/Paris`): a timestamp that names its instant (ISO
     * with `Z` or an offset, a Unix time, a Parquet TIMESTAMP adjusted to UTC) is put on its
     * calendar day there. Without it, on its UTC day. Times written without a zone keep their day.
     */
    timeZone: z
      .string()
      .refine(isTimeZone, { error: (issue) => `not a time zone (an IANA name such as "Europe/London" or "America/New_York"), got ${JSON.stringify(issue.input)}` })
      .optional(),
    encoding: z.enum(['utf8', 'latin1']).default('utf8'),
    /** Which source column feeds each schema field. */
    columns: z
      .object({
        InvoiceNo: columnRef.optional(),
        StockCode: columnRef.optional(),
        Description: columnRef.optional(),
        Quantity: columnRef.optional(),
        InvoiceDate: columnRef,
        UnitPrice: columnRef.optional(),
        CustomerID: columnRef,
        Country: columnRef.optional(),
      })
      .strict(),
    /** How to make the fields the source lacks. Text fields with neither a column nor a rule are empty. */
    derive: z
      .object({
        /**
         * `{ amountColumn }`: `UnitPrice = amount / Quantity`, for sources that record a line's
         * amount instead of its unit price; `{ constant }`: the same price on every line, for
         * sources without money (spend features then count units).
         */
        UnitPrice: z.union([z.object({ amountColumn: columnRef }).strict(), numberConstant]).optional(),
        /** `{ constant: 1 }`: every line is one unit, for sources with one line per order or item and no quantity. */
        Quantity: numberConstant.optional(),
        /** `lineNumber`: every line is an invoice of its own, numbered by its line in the source. */
        InvoiceNo: z.literal('lineNumber').optional(),
        StockCode: textConstant.optional(),
        Description: textConstant.optional(),
        Country: textConstant.optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((mapping, context) => {
    const derived = mapping.derive as Partial<Record<OnlineRetailColumn, unknown>>;
    for (const field of ONLINE_RETAIL_COLUMNS) {
      if (mapping.columns[field] !== undefined && derived[field] !== undefined) {
        context.addIssue({ code: 'custom', path: ['derive', field], message: `${field} has both a column and a derive rule` });
      }
    }
    for (const field of ['Quantity', 'UnitPrice', 'InvoiceNo'] as const) {
      if (mapping.columns[field] === undefined && derived[field] === undefined) {
        context.addIssue({ code: 'custom', path: ['columns', field], message: `${field} needs a column or a derive rule` });
      }
    }
    if (!mapping.header) {
      const refs = [...Object.entries(mapping.columns), ['UnitPrice', amountColumn(mapping.derive)] as const];
      for (const [field, ref] of refs) {
        if (typeof ref === 'string') {
          context.addIssue({
            code: 'custom',
            path: ['columns', field],
            message: `a file without a header names columns by 0-based index, not "${ref}"`,
          });
        }
      }
    }
  });

/** The column `derive.UnitPrice` divides by the quantity, when it names one (not when it gives a constant price). */
export function amountColumn(derive: Pick<ColumnMapping['derive'], 'UnitPrice'>): ColumnRef | undefined {
  const price = derive.UnitPrice;
  return price && 'amountColumn' in price ? price.amountColumn : undefined;
}

/** Where each schema field comes from in a source, and how to read the source's text. */
export type ColumnMapping = z.output<typeof columnMappingSchema>;
/** A ColumnMapping as written by hand or in JSON: defaults may be left out. */
export type ColumnMappingInput = z.input<typeof columnMappingSchema>;

/** Validates a mapping (an object or parsed JSON); InputDataError names the offending key. */
export function parseColumnMapping(value: unknown, source = 'column mapping'): ColumnMapping {
  const result = columnMappingSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const others = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
  throw new InputDataError(`invalid column mapping: ${issue.message}${others}`, {
    source,
    column: issue.path.join('.') || undefined,
  });
}

/** Reads and validates a mapping from a JSON file. */
export async function loadColumnMapping(path: string): Promise<ColumnMapping> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputDataError(`not valid JSON: ${(error as Error).message}`, { source: path }, { cause: error });
  }
  return parseColumnMapping(value, path);
}

/** The UCI Online Retail CSV (and anything this library writes): the schema's own columns. */
export const ONLINE_RETAIL_MAPPING: ColumnMapping = parseColumnMapping({
  delimiter: 'comma',
  header: true,
  dateFormat: 'auto',
  columns: Object.fromEntries(ONLINE_RETAIL_COLUMNS.map((column) => [column, column])),
});

/**
 * CDNOW_master.txt: `customer_id date number_of_cds dollar_value`, whitespace separated,
 * dates YYYYMMDD. Each line is one purchase; its price per CD is dollar_value / number_of_cds.
 */
export const CDNOW_MAPPING: ColumnMapping = parseColumnMapping({
  delimiter: 'whitespace',
  header: true,
  dateFormat: 'yyyymmdd',
  columns: { CustomerID: 'customer_id', InvoiceDate: 'date', Quantity: 'number_of_cds' },
  derive: { UnitPrice: { amountColumn: 'dollar_value' }, InvoiceNo: 'lineNumber' },
});
