import { z } from 'zod';

/** One line of a retailer's sales, in the UCI Online Retail schema. */
export interface Transaction {
  invoiceNo: string;
  stockCode: string;
  description: string;
  quantity: number;
  invoiceDate: Date;
  unitPrice: number;
  /** Empty when the sale was not tied to a customer account. */
  customerId: string;
  country: string;
}

/** The column names of the Online Retail CSV, in its own order. */
export const ONLINE_RETAIL_COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
] as const;
export type OnlineRetailColumn = (typeof ONLINE_RETAIL_COLUMNS)[number];

/** The cleaning rules of evaluation.md, each counted in the data-quality report. */
export const CLEANING_RULES = [
  'missing_customer_id',
  'cancellation',
  'non_positive_quantity',
  'non_positive_price',
  'unparseable_date',
  'future_date',
] as const;
export type CleaningRule = (typeof CLEANING_RULES)[number];

/** Rules added after the first reports were written: a report without one read none under it. */
const LATER_RULES: readonly CleaningRule[] = ['future_date'];

const droppedEntry = z.object({
  count: z.number().int().nonnegative(),
  /**
   * 1-based line numbers in the source (header included) of the first offenders; for a
   * Parquet file or a Postgres result, 1-based row numbers (no header to count). Empty in the
   * report of a folder, whose files each list their own (`files`).
   */
  firstLines: z.array(z.number().int().positive()),
});

/** Rows dropped under each cleaning rule, and where the first of them were. */
const droppedSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'object' || value === null) return value;
    const filled: Record<string, unknown> = { ...value };
    for (const rule of LATER_RULES) filled[rule] ??= { count: 0, firstLines: [] };
    return filled;
  },
  z.record(z.enum(CLEANING_RULES), droppedEntry),
);

export const dataQualityReportSchema = z.object({
  source: z.string(),
  rowsRead: z.number().int().nonnegative(),
  rowsKept: z.number().int().nonnegative(),
  dropped: droppedSchema,
  customers: z.number().int().nonnegative(),
  orders: z.number().int().nonnegative(),
  firstDate: z.string().nullable(),
  lastDate: z.string().nullable(),
  /** A folder source's files (a directory, an S3 prefix), in the order read, each with its own counts and line numbers; absent for one file. */
  files: z
    .array(z.object({ source: z.string(), rowsRead: z.number().int().nonnegative(), rowsKept: z.number().int().nonnegative(), dropped: droppedSchema }))
    .optional(),
});
/** Rows read, kept and dropped per rule: never a silent drop. */
export type DataQualityReport = z.infer<typeof dataQualityReportSchema>;

/** A `dropped` section with every rule at zero, to count into. */
export function emptyDropCounts(): DataQualityReport['dropped'] {
  const dropped = {} as DataQualityReport['dropped'];
  for (const rule of CLEANING_RULES) dropped[rule] = { count: 0, firstLines: [] };
  return dropped;
}
