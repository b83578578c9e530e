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
export class DelimitedTextParser {
  private carry = '';
  private lineNumber = 0;
  private pending: { text: string; line: number; lines: number } | null = null;
  private reader: RecordReader | null = null;
  private records = 0;
  private readonly splitLine: (text: string, line: number) => string[] | null;

  constructor(
    private readonly mapping: ColumnMapping,
    private readonly context: RecordContext,
    private readonly onTransaction: (transaction: Transaction, line: number) => void,
  ) {
    if (!mapping.header) this.reader = compileRecordReader(mapping, null, context);
    const separator = mapping.delimiter === 'tab' ? '\t' : ',';
    this.splitLine =
      mapping.delimiter === 'whitespace'
        ? (text) => text.trim().split(/[ \t]+/)
        : (text, line) => (text.includes('"') ? this.splitQuoted(text, separator, line) : text.split(separator));
  }

  /** Lines read so far (1-based number of the last complete line). */
  get linesRead(): number {
    return this.lineNumber;
  }

  /** Reads every complete line of `text` (after what an earlier call left unfinished). */
  write(text: string): void {
    const buffer = this.carry === '' ? text : this.carry + text;
    let start = 0;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n', start)) {
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      this.readLine(buffer.slice(start, end));
      start = newline + 1;
    }
    this.carry = buffer.slice(start);
  }

  /** Reads the last line; throws when the source held no header or no record at all. */
  end(): void {
    if (this.carry !== '') {
      const last = this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry;
      this.carry = '';
      this.readLine(last);
    }
    const { source } = this.context;
    if (this.pending) {
      throw new InputDataError('a quoted field is never closed', { source, line: this.pending.line });
    }
    if (this.mapping.header && !this.reader) throw new InputDataError('the source is empty: no header line', { source });
    if (this.records === 0) {
      throw new InputDataError(`the source has no data lines${this.mapping.header ? ' after its header' : ''}`, { source });
    }
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
      this.reader = compileRecordReader(
        this.mapping,
        fields.map((name) => name.trim()),
        { ...this.context, headerLine: line },
      );
      return;
    }
    this.records++;
    this.onTransaction(this.reader(fields, line), line);
  }
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
