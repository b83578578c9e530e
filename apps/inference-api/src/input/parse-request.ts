import { BadRecordError } from '../errors';
import type { MediaType } from '../media-types';
import { bodyText, csvRows, jsonLinesRecords, jsonRecords } from './body';
import { headerLayout, namedLayout, parseFeatureRows, positionalLayout } from './feature-rows';
import { parseHistories } from './histories';
import type { ParseOptions, ScoringRequest } from './scoring-request';
import { parseTransactions, transactionRecordsOfCsv } from './transactions';

/** The shapes a JSON record can take; a request holds records of one shape. */
type RecordShape = 'customer history' | 'transaction' | 'feature row object' | 'feature row array';

const SHAPES_HELP =
  'a record is a customer history {customer_id, as_of_date?, orders: [{date, total_price, quantity}]}, a transaction ' +
  '{InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country}, or a feature row ' +
  '{customer_id, order_date, <every model feature>} (or the array [customer_id, order_date, <features...>])';

function shapeOf(record: unknown): RecordShape | undefined {
  if (Array.isArray(record)) return 'feature row array';
  if (record === null || typeof record !== 'object') return undefined;
  if ('orders' in record) return 'customer history';
  if ('InvoiceNo' in record || 'InvoiceDate' in record) return 'transaction';
  if ('order_date' in record) return 'feature row object';
  return undefined;
}

/** JSON records (from `application/json` or `application/jsonlines`) to the model's input. */
export function parseJsonRecords(records: readonly unknown[], options: ParseOptions): ScoringRequest {
  if (records.length === 0) throw new BadRecordError(undefined, undefined, 'the request has no records');
  const shape = shapeOf(records[0]);
  for (let i = 0; i < records.length; i++) {
    const own = shapeOf(records[i]);
    if (own === undefined) throw new BadRecordError(i + 1, undefined, `not a record the server knows: ${SHAPES_HELP}`);
    if (own !== shape) throw new BadRecordError(i + 1, undefined, `is a ${own} but record 1 is a ${shape}; one request holds records of one kind`);
  }
  switch (shape) {
    case 'customer history':
      return parseHistories(records, options);
    case 'transaction':
      return parseTransactions(records, options);
    case 'feature row object':
      return parseFeatureRows(records, namedLayout(options.featureNames), options);
    default:
      return parseFeatureRows(records, positionalLayout(options.featureNames), options);
  }
}

/**
 * A `text/csv` body to the model's input: transactions under an Online Retail header, feature
 * rows under a header naming their columns, or feature rows without a header in the order
 * `customer_id, order_date, <features...>`.
 */
export function parseCsvRecords(text: string, options: ParseOptions): ScoringRequest {
  const rows = csvRows(text);
  const first = rows[0]!.map((field) => field.trim());
  const isTransactionHeader = first.includes('InvoiceNo') || first.includes('CustomerID');
  const isFeatureHeader = first.includes('customer_id');
  const data = isTransactionHeader || isFeatureHeader ? rows.slice(1) : rows;
  if (data.length === 0) throw new BadRecordError(undefined, undefined, 'the CSV body has a header but no records');
  if (isTransactionHeader) return parseTransactions(transactionRecordsOfCsv(first, data), options);
  const layout = isFeatureHeader ? headerLayout(first, options.featureNames) : positionalLayout(options.featureNames);
  return parseFeatureRows(data, layout, options);
}

/** input_fn: a request body of a supported media type to the model's input. */
export function parseRequest(body: Uint8Array | undefined, mediaType: MediaType, options: ParseOptions): ScoringRequest {
  const text = bodyText(body);
  if (mediaType === 'text/csv') return parseCsvRecords(text, options);
  return parseJsonRecords(mediaType === 'application/json' ? jsonRecords(text) : jsonLinesRecords(text), options);
}
