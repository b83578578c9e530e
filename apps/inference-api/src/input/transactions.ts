import { ONLINE_RETAIL_COLUMNS, toEpochDay, type Transaction } from '@nextbuy/contracts';
import { buildScoringTable } from '@nextbuy/features';
import { brokenCleaningRule, DATE_FORMAT_SHAPES, ordersFromTransactions, parseInvoiceDate } from '@nextbuy/ingestion';
import { z } from 'zod';
import { BadRecordError } from '../errors';
import { checkHistoryBefore } from './as-of';
import { fieldPath } from './histories';
import { checkFeaturesFinite, checkOrdersFinite, type ParseOptions, type ScoringRequest } from './scoring-request';

/** The columns a transaction needs; the others of the Online Retail schema may be left out. */
const REQUIRED_TRANSACTION_COLUMNS = ['InvoiceNo', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID'] as const;

const text = z.union([z.string(), z.number()]).transform((value) => String(value).trim());
// CSV gives every value as text; JSON may give numbers either way.
const amount = z.union([z.number(), z.string().trim().min(1, 'must be a number').transform(Number)]).pipe(z.number().finite());

/** One transaction of the Online Retail schema, as a JSON object or a CSV row by header (its input side is the OpenAPI description's). */
export const transactionSchema = z
  .object({
    InvoiceNo: text.pipe(z.string().min(1, 'must not be empty')),
    StockCode: text.optional(),
    Description: z.string().nullish(),
    Quantity: amount,
    InvoiceDate: z.string().transform((value, context) => {
      const date = parseInvoiceDate(value.trim());
      if (date) return date;
      context.addIssue({ code: 'custom', message: `not a date (${DATE_FORMAT_SHAPES.auto}): ${JSON.stringify(value)}` });
      return z.NEVER;
    }),
    UnitPrice: amount,
    // A guest sale has no customer: the cleaning rules drop it, as in training.
    CustomerID: z.union([text, z.null()]).optional(),
    Country: z.string().nullish(),
    as_of_date: z.never({ error: 'transactions take the as-of date of the request (?as_of_date= or the X-As-Of-Date header), not one per record' }).optional(),
  })
  .transform(
    (record): Transaction => ({
      invoiceNo: record.InvoiceNo,
      stockCode: record.StockCode ?? '',
      description: record.Description ?? '',
      quantity: record.Quantity,
      invoiceDate: record.InvoiceDate,
      unitPrice: record.UnitPrice,
      customerId: record.CustomerID ?? '',
      country: record.Country ?? '',
    }),
  );

/** A transaction record of a request; 400 naming the record and field at fault. */
function transactionOf(record: unknown, index: number): Transaction {
  const parsed = transactionSchema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new BadRecordError(index + 1, fieldPath(issue.path) || undefined, issue.message);
}

/** CSV rows under an Online Retail header as records keyed by column name. */
export function transactionRecordsOfCsv(header: readonly string[], rows: readonly string[][]): Record<string, string>[] {
  const names = header.map((name) => name.trim());
  const missing = REQUIRED_TRANSACTION_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new BadRecordError(undefined, missing[0], `the CSV header lacks ${missing.map((c) => `"${c}"`).join(', ')} (Online Retail columns: ${ONLINE_RETAIL_COLUMNS.join(', ')})`);
  }
  return rows.map((row, i) => {
    if (row.length !== names.length) throw new BadRecordError(i + 1, undefined, `has ${row.length} fields, the header has ${names.length}`);
    const record: Record<string, string> = {};
    names.forEach((name, column) => (record[name] = row[column]!));
    return record;
  });
}

/**
 * Raw transactions of some customers to a scoring table: cleaned and aggregated into orders by
 * the ingestion code, with features by the training code. One response record per customer,
 * in the order of each customer's first kept transaction.
 */
export function parseTransactions(records: readonly unknown[], options: ParseOptions): ScoringRequest {
  const transactions = records.map(transactionOf);
  const positionOf = new Map<string, number>();
  const firstRecordOf = new Map<string, number>();
  transactions.forEach((transaction, i) => {
    if (brokenCleaningRule(transaction) !== null) return;
    if (!Number.isFinite(transaction.quantity * transaction.unitPrice)) throw new BadRecordError(i + 1, 'UnitPrice', 'Quantity * UnitPrice overflows');
    checkHistoryBefore(options.asOfDay, toEpochDay(transaction.invoiceDate), i + 1, 'InvoiceDate');
    if (!positionOf.has(transaction.customerId)) {
      positionOf.set(transaction.customerId, positionOf.size);
      firstRecordOf.set(transaction.customerId, i + 1);
    }
  });
  const { orders, report } = ordersFromTransactions(transactions, 'request');
  if (orders.nRows === 0) {
    const dropped = Object.entries(report.dropped)
      .filter(([, entry]) => entry.count > 0)
      .map(([rule, entry]) => `${rule}: ${entry.count} (first at record ${entry.firstLines[0]})`);
    throw new BadRecordError(undefined, undefined, `no transaction is left to score after cleaning (${dropped.join(', ')})`);
  }
  const fieldOf = (quantity: boolean) => (quantity ? 'Quantity' : 'UnitPrice');
  checkOrdersFinite(orders, (id, column) => ({ record: firstRecordOf.get(id)!, field: fieldOf(column === 'quantity') }));
  const table = buildScoringTable(orders, options.asOfDay);
  const customerIds = Array.from(table.lastRow, (row) => table.customerIds[row]!);
  checkFeaturesFinite(table, (customer, feature) => ({ record: firstRecordOf.get(customerIds[customer]!)!, field: fieldOf(feature === 'Quantity') }));
  const positions = Int32Array.from(customerIds, (id) => positionOf.get(id)!);
  return { kind: 'transaction', customers: positionOf.size, batches: [{ table, customerIds, positions }] };
}
