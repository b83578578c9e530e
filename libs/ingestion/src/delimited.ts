import { InputDataError, type Transaction } from '@nextbuy/contracts';
import type { ColumnMapping } from './mapping';
import { compileRecordReader, type RecordContext, type RecordReader } from './records';

/** A quoted field may span lines; past this many, an unclosed quote is the likelier story. */
const MAX_LINES_PER_RECORD = 100;

/**
 * Reads delimited text pushed to it chunk by chunk (any split, even mid-line) and hands every
 * record, as a transaction, to `onTransaction`. Nothing but the current line is kept.
 *
 * Fields are split by hand rather than by csv-parse 7 (bench/throughput.ts): its stream parser
 * alone takes twice as long on the 540k-line Online Retail file as this whole reader does, and
 * its sync `parse` spends ~35 us per call setting up, so handing it only the lines holding a
 * quote (3% of that file) still doubled the run time. Most lines hold no quote, and
 * `String.split` cuts those exactly as RFC 4180 does; the rest take `splitQuotedRecord`, which a
 * property test checks against csv-parse.
 */
/** Where a parser starts when it reads a block of a source rather than the whole of it. */
export interface BlockStart {
  /** The header's fields, already read from the source's start (null for a header-less mapping). */
  header: readonly string[] | null;
  /** The number the block's first line gets. */
  firstLine: number;
}

export class DelimitedTextParser {
  private carry = '';
  private lineNumber = 0;
  private headerFields: readonly string[] | null = null;
  private pending: { text: string; line: number; lines: number } | null = null;
  private reader: RecordReader | null = null;
  private records = 0;
  private readonly splitLine: (text: string, line: number) => string[] | null;
  /** The delimiter of text that may quote, '' for whitespace-separated text (no fast path). */
  private readonly separator: string;
  /** The fields of the line being read, reused from line to line: readers keep no reference. */
  private readonly fields: string[] = [];

  constructor(
    private readonly mapping: ColumnMapping,
    private readonly context: RecordContext,
    private readonly onTransaction: (transaction: Transaction, line: number) => void,
    block?: BlockStart,
  ) {
    if (block) {
      this.lineNumber = block.firstLine - 1;
      this.headerFields = block.header;
      this.reader = compileRecordReader(mapping, block.header, context);
    } else if (!mapping.header) {
      this.reader = compileRecordReader(mapping, null, context);
    }
    const separator = mapping.delimiter === 'tab' ? '\t' : mapping.delimiter === 'semicolon' ? ';' : ',';
    this.separator = mapping.delimiter === 'whitespace' ? '' : separator;
    this.splitLine =
      mapping.delimiter === 'whitespace'
        ? (text) => text.trim().split(/[ \t]+/)
        : (text, line) => (text.includes('"') ? this.splitQuoted(text, separator, line) : text.split(separator));
  }

  /** Lines read so far (1-based number of the last complete line). */
  get linesRead(): number {
    return this.lineNumber;
  }

  /** The header's fields once read (null before, and for a header-less mapping). */
  get header(): readonly string[] | null {
    return this.headerFields;
  }

  /** Data records read so far. */
  get recordsRead(): number {
    return this.records;
  }

  /**
   * Ends a block of a source (its last line read even without a line break), leaving the checks of
   * the whole source to the caller: true when a quoted field is still open, that is when the
   * block's end fell inside a record.
   */
  endBlock(): boolean {
    this.readLastLine();
    return this.pending !== null;
  }

  /** Reads every complete line of `text` (after what an earlier call left unfinished). */
  write(text: string): void {
    const buffer = this.carry === '' ? text : this.carry + text;
    const separator = this.separator;
    // The next quote in the buffer: the lines before it are cut straight out of the buffer, with
    // no string made of the line itself (the common case, and a fifth of the reading time).
    const plain = separator !== '';
    let quote = plain ? buffer.indexOf('"') : -1;
    let start = 0;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n', start)) {
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      if (quote >= 0 && quote < start) quote = buffer.indexOf('"', start);
      if (plain && (quote < 0 || quote >= end) && this.pending === null && this.reader !== null && buffer.charCodeAt(start) > 32) {
        const line = ++this.lineNumber;
        this.records++;
        this.onTransaction(this.reader(splitPlain(buffer, start, end, separator, this.reader.wanted, this.fields), line), line);
      } else {
        this.readLine(buffer.slice(start, end));
      }
      start = newline + 1;
    }
    this.carry = buffer.slice(start);
  }

  /** Reads the last line; throws when the source held no header or no record at all. */
  end(): void {
    this.readLastLine();
    const { source } = this.context;
    if (this.pending) {
      throw new InputDataError('a quoted field is never closed', { source, line: this.pending.line });
    }
    if (this.mapping.header && !this.reader) throw new InputDataError('the source is empty: no header line', { source });
    if (this.records === 0) {
      throw new InputDataError(`the source has no data lines${this.mapping.header ? ' after its header' : ''}`, { source });
    }
  }

  private readLastLine(): void {
    if (this.carry === '') return;
    const last = this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry;
    this.carry = '';
    this.readLine(last);
  }

  private readLine(text: string): void {
    const line = ++this.lineNumber;
    if (this.pending) {
      const pending = this.pending;
      pending.text += `\n${text}`;
      pending.lines++;
      if (pending.lines > MAX_LINES_PER_RECORD) {
        throw new InputDataError(`a quoted field spans more than ${MAX_LINES_PER_RECORD} lines: is a quote unclosed?`, {
          source: this.context.source,
          line: pending.line,
        });
      }
      const fields = this.splitLine(pending.text, pending.line);
      if (fields) {
        this.pending = null;
        this.readRecord(fields, pending.line);
      }
      return;
    }
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return;
    const fields = this.splitLine(text, line);
    if (fields) this.readRecord(fields, line);
    else this.pending = { text, line, lines: 1 };
  }

  private splitQuoted(text: string, separator: string, line: number): string[] | null {
    try {
      return splitQuotedRecord(text, separator);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw new InputDataError(error.message, { source: this.context.source, line });
    }
  }

  private readRecord(fields: string[], line: number): void {
    if (!this.reader) {
      if (line === 1 && fields[0]!.startsWith('\uFEFF')) fields[0] = fields[0]!.slice(1);
      this.headerFields = fields.map((name) => name.trim());
      this.reader = compileRecordReader(this.mapping, this.headerFields, { ...this.context, headerLine: line });
      return;
    }
    this.records++;
    this.onTransaction(this.reader(fields, line), line);
  }
}

/**
 * The fields of `text[start, end)`, a line holding no quote, into `fields`, as
 * `text.slice(start, end).split(separator)` would give them, except that a field not `wanted`
 * is left empty: no string is made of it. `fields` holds the previous line's fields: a field
 * with the same text (an invoice's number, timestamp and customer repeat line after line) keeps
 * that string instead of a new copy, sparing the allocation and letting readers compare by
 * identity.
 */
function splitPlain(text: string, start: number, end: number, separator: string, wanted: readonly boolean[], fields: string[]): string[] {
  let count = 0;
  for (let from = start; ; ) {
    const next = text.indexOf(separator, from);
    const last = next < 0 || next >= end;
    const to = last ? end : next;
    if (!wanted[count]) fields[count] = '';
    else if (!sameText(fields[count], text, from, to)) fields[count] = text.slice(from, to);
    count++;
    if (last) break;
    from = next + 1;
  }
  fields.length = count;
  return fields;
}

/** Whether `known` is `text[from, to)`. */
function sameText(known: string | undefined, text: string, from: number, to: number): boolean {
  if (known === undefined || known.length !== to - from) return false;
  for (let index = 0; index < known.length; index++) {
    if (known.charCodeAt(index) !== text.charCodeAt(from + index)) return false;
  }
  return true;
}

/**
 * The fields of a record holding a quote (RFC 4180: a field that starts with a quote runs to the
 * closing one, and `""` inside it is a quote; elsewhere a quote is a plain character), or null
 * while a quoted field is still open at the end. SyntaxError for text after a closing quote.
 */
export function splitQuotedRecord(text: string, separator: string): string[] | null {
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    let end: number;
    if (text.charCodeAt(start) === 34) {
      let value = '';
      let from = start + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return null;
        value += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) !== 34) {
          end = quote + 1;
          break;
        }
        value += '"';
        from = quote + 2;
      }
      if (end < text.length && text[end] !== separator) {
        throw new SyntaxError(`text after the closing quote of field ${fields.length + 1}`);
      }
      fields.push(value);
    } else {
      end = text.indexOf(separator, start);
      if (end < 0) end = text.length;
      fields.push(text.slice(start, end));
    }
    if (end >= text.length) return fields;
    start = end + 1;
  }
}
