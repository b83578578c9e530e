import { PREDICTION_COLUMNS, type PredictionRecord } from '@nextbuy/contracts';
import type { MediaType } from './media-types';

/** A CSV field, quoted only when it has to be (RFC 4180); null is an empty field. */
function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * output_fn: response records in a media type, one record per line for CSV (no header unless
 * asked: batch transform pairs output line k with input line k) and JSON Lines, and
 * `{"predictions": [...]}` for JSON. Columns in `PREDICTION_COLUMNS` order.
 */
export function formatPredictions(records: readonly PredictionRecord[], mediaType: MediaType, options: { csvHeader?: boolean } = {}): string {
  if (mediaType === 'application/json') return JSON.stringify({ predictions: records });
  let text = '';
  if (mediaType === 'application/jsonlines') {
    for (const record of records) text += `${JSON.stringify(record)}\n`;
    return text;
  }
  if (options.csvHeader) text = `${PREDICTION_COLUMNS.join(',')}\n`;
  for (const record of records) text += `${PREDICTION_COLUMNS.map((column) => csvField(record[column])).join(',')}\n`;
  return text;
}
