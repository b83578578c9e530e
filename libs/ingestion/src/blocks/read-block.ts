import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputDataError } from '@nextbuy/contracts';
import { DataQualityTally, type TallyState } from '../cleaning';
import { DelimitedTextParser } from '../delimited';
import type { ColumnMapping } from '../mapping';
import { OrderAccumulator, type PartialOrders } from '../orders';
import { DayFirstDateError } from '../records';

/**
 * Line numbers inside block k start at k * LINE_STRIDE + 1, so that they differ between blocks
 * before anyone knows how many lines the earlier blocks hold (an invoice numbered by its line must
 * not meet a line of another block); the main thread turns them into the file's own. No block
 * holds 2^32 lines: it would need 4 GiB of line breaks.
 */
export const LINE_STRIDE = 2 ** 32;

/** What every block of one file shares. */
export interface BlockJob {
  path: string;
  /** The file's size when the read started. */
  size: number;
  blockBytes: number;
  mapping: ColumnMapping;
  source: string;
  strict: boolean;
  /** The header's fields, read by the main thread (null for a header-less mapping). */
  header: readonly string[] | null;
}

export type BlockResult =
  | {
      block: number;
      /** Lines of the block (the file's line breaks between its start and its end). */
      lines: number;
      /** A quoted field was still open at the block's end: the boundary fell inside a record. */
      openRecord: boolean;
      records: number;
      tally: TallyState;
      orders: PartialOrders;
    }
  | { block: number; inputError: { reason: string; location: InputDataError['location']; dayFirstValue?: string } }
  | { block: number; failure: string };

const READ_BYTES = 1 << 16;

/** The position just past the first line break at or after `from` (the size when there is none). */
function afterLineBreak(fd: number, from: number, size: number, buffer: Buffer): number {
  for (let position = from; position < size; ) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position);
    if (read === 0) break;
    const newline = buffer.subarray(0, read).indexOf(10);
    if (newline >= 0) return position + newline + 1;
    position += read;
  }
  return size;
}

/** The byte range of block `block`: from just past a line break to just past another. */
export function blockRange(fd: number, job: BlockJob, block: number, buffer: Buffer): [number, number] {
  const start = block === 0 ? 0 : afterLineBreak(fd, block * job.blockBytes, job.size, buffer);
  const end = afterLineBreak(fd, (block + 1) * job.blockBytes, job.size, buffer);
  return [start, Math.max(start, end)];
}

/**
 * Reads one block of a delimited file through the same parser, cleaning tally and order
 * accumulator as a whole-file read, and returns what they counted, as plain data.
 */
export function readBlock(job: BlockJob, block: number): BlockResult {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  const fd = openSync(job.path, 'r');
  try {
    const [start, end] = blockRange(fd, job, block, buffer);
    const tally = new DataQualityTally(job.source);
    const orders = new OrderAccumulator(true);
    const onTransaction = (transaction: Parameters<DataQualityTally['check']>[0], line: number) => {
      if (tally.check(transaction, line)) orders.add(transaction);
    };
    const context = { source: job.source, strict: job.strict, descriptive: false };
    const firstLine = block * LINE_STRIDE + 1;
    const parser =
      block === 0
        ? new DelimitedTextParser(job.mapping, context, onTransaction)
        : new DelimitedTextParser(job.mapping, context, onTransaction, { header: job.header, firstLine });
    const decoder = new StringDecoder(job.mapping.encoding);
    let openRecord: boolean;
    try {
      for (let position = start; position < end; ) {
        const read = readSync(fd, buffer, 0, Math.min(READ_BYTES, end - position), position);
        if (read === 0) break;
        parser.write(decoder.write(buffer.subarray(0, read)));
        position += read;
      }
      parser.write(decoder.end());
      openRecord = parser.endBlock();
    } catch (error) {
      if (error instanceof InputDataError) {
        return { block, inputError: { reason: error.reason, location: error.location, ...(error instanceof DayFirstDateError ? { dayFirstValue: error.value } : {}) } };
      }
      throw error;
    }
    return {
      block,
      lines: parser.linesRead - (firstLine - 1),
      openRecord,
      records: parser.recordsRead,
      tally: tally.state(),
      orders: orders.toPartial(),
    };
  } catch (error) {
    return { block, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    closeSync(fd);
  }
}
