import { parse as parseCsv } from 'csv-parse/sync';
import { BadRecordError } from '../errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A request body as text; 400 when it is empty or not UTF-8. */
export function bodyText(body: Uint8Array | undefined): string {
  if (!body || body.length === 0) throw new BadRecordError(undefined, undefined, 'the request body is empty');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BadRecordError(undefined, undefined, 'the request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new BadRecordError(undefined, undefined, 'the request body is empty');
  return text;
}

/**
 * The records of an `application/json` body: `{"instances": [...]}`, a bare array, or a single
 * record object.
 */
export function jsonRecords(text: string): unknown[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new BadRecordError(undefined, undefined, `the body is not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(document)) return document;
  if (document !== null && typeof document === 'object') {
    if (!('instances' in document)) return [document];
    const { instances } = document as { instances: unknown };
    if (Array.isArray(instances)) return instances;
    throw new BadRecordError(undefined, 'instances', 'must be an array of records');
  }
  throw new BadRecordError(undefined, undefined, 'the JSON body must be {"instances": [...]}, an array of records or one record object');
}

/** Splits a body into lines, dropping only the final line break. */
function bodyLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/**
 * The records of an `application/jsonlines` body, one per line. A blank line is an error rather
 * than skipped: batch transform pairs output line k with input line k, so a dropped line would
 * misalign every prediction after it.
 */
export function jsonLinesRecords(text: string): unknown[] {
  return bodyLines(text).map((line, i) => {
    if (line.trim() === '') throw new BadRecordError(i + 1, undefined, 'empty line (every line must be one JSON record)');
    try {
      return JSON.parse(line);
    } catch (error) {
      throw new BadRecordError(i + 1, undefined, `not valid JSON (${(error as Error).message})`);
    }
  });
}

/**
 * The rows of a `text/csv` body, each as its fields. A body without a quote character is split
 * by hand: csv-parse takes about five times as long on the multi-megabyte batches of batch
 * transform, and without quotes CSV is exactly lines of comma-separated fields. Quoted bodies go
 * to csv-parse.
 */
export function csvRows(text: string): string[][] {
  let rows: string[][];
  if (!text.includes('"')) {
    rows = bodyLines(text).map((line) => line.split(','));
  } else {
    try {
      rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: false, bom: true }) as string[][];
    } catch (error) {
      const { lines, message } = error as { lines?: number; message: string };
      throw new BadRecordError(undefined, undefined, `not valid CSV${lines ? ` at line ${lines}` : ''} (${message})`);
    }
  }
  return rows;
}
