export { brokenCleaningRule, REPORTED_LINES_PER_RULE } from './cleaning';
export { formatOnlineRetailLine, ONLINE_RETAIL_CSV_HEADER } from './format';
export {
  ingest,
  ordersFromTransactions,
  readCleanedTransactions,
  sourceName,
  type CleanedTransactions,
  type IngestOptions,
  type IngestResult,
  type StreamSource,
  type TransactionSource,
} from './ingest';
export {
  CDNOW_MAPPING,
  columnMappingSchema,
  loadColumnMapping,
  ONLINE_RETAIL_MAPPING,
  parseColumnMapping,
  type ColumnMapping,
  type ColumnMappingInput,
  type ColumnRef,
} from './mapping';
export { fileError } from './file-errors';
export { fingerprintOrders, OrderAccumulator } from './orders';
export { isDataName } from './readers/folders';
export type { PostgresSource } from './readers/postgres';
export { DATE_FORMAT_SHAPES, DATE_FORMATS, midnightOffset, parseInvoiceDate, wallClockIn, type DateFormat } from './timestamps';
