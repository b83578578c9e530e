import type { Transaction } from '@nextbuy/contracts';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DelimitedTextParser, splitQuotedRecord } from './delimited';
import { ONLINE_RETAIL_MAPPING } from './mapping';

function readAll(chunks: readonly string[]): { transactions: Transaction[]; lines: number[] } {
  const transactions: Transaction[] = [];
  const lines: number[] = [];
  const parser = new DelimitedTextParser(ONLINE_RETAIL_MAPPING, { source: 'test.csv', strict: false }, (transaction, line) => {
    transactions.push(transaction);
    lines.push(line);
  });
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  return { transactions, lines };
}

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const TEXT = [
  `\uFEFF${HEADER}`,
  '536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom',
  '',
  '536366,22633,"A NOTE, WITH ""QUOTES""',
  'AND A SECOND LINE",6,12/1/2010 8:28,1.85,17850,United Kingdom',
  '536367,22634,12" RECORD,1,12/1/2010 8:28,5,17851,United Kingdom',
  '536368,22635,"",2,12/1/2010 8:29,1,17851,EIRE',
].join('\r\n');

describe('DelimitedTextParser', () => {
  it('reads BOM, CRLF, blank lines, quoted fields spanning lines and literal quotes, numbering source lines', () => {
    const { transactions, lines } = readAll([TEXT]);
    expect(lines).toEqual([2, 4, 6, 7]);
    expect(transactions.map((transaction) => transaction.description)).toEqual([
      'WHITE HANGING HEART',
      'A NOTE, WITH "QUOTES"\nAND A SECOND LINE',
      '12" RECORD',
      '',
    ]);
    expect(transactions[3]).toMatchObject({ invoiceNo: '536368', quantity: 2, unitPrice: 1, customerId: '17851', country: 'EIRE' });
  });

  it('gives the same records however the text is cut into chunks', () => {
    const whole = readAll([TEXT]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: TEXT.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), TEXT.length];
        const chunks = points.slice(1).map((end, index) => TEXT.slice(points[index], end));
        expect(readAll(chunks)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a quote left open to the end and text after a closing quote, naming the line', () => {
    expect(() => readAll([`${HEADER}\n1,2,"open,3,12/1/2010 8:26,1,1,UK\n`])).toThrow('test.csv, line 2: a quoted field is never closed');
    expect(() => readAll([`${HEADER}\n536365,A,B,1,12/1/2010 8:26,1,1,UK\n1,2,"x"y,3,12/1/2010 8:26,1,1,UK\n`])).toThrow(
      'test.csv, line 3: text after the closing quote of field 3',
    );
  });
});

describe('splitQuotedRecord', () => {
  // Fields a writer may emit: quoted (any text, quotes doubled) or bare (no separator, newline,
  // or leading quote; quotes elsewhere are literal).
  const bareField = fc.stringMatching(/^[^,"\n\r][^,\n\r]*$|^$/);
  const anyText = fc.string({ unit: fc.constantFrom('a', 'B', ' ', ',', '"', '\n', 'é', '1') });
  const field = fc.oneof(
    bareField.map((text) => ({ text, encoded: text })),
    anyText.map((text) => ({ text, encoded: `"${text.replaceAll('"', '""')}"` })),
  );

  it('splits like csv-parse (relax_quotes) and gives back what was written', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), (fields) => {
        const record = fields.map((one) => one.encoded).join(',');
        const ours = splitQuotedRecord(record, ',');
        expect(ours).toEqual(fields.map((one) => one.text));
        if (record !== '') expect(ours).toEqual(parse(record, { relax_quotes: true, relax_column_count: true })[0]);
      }),
      { numRuns: 1000 },
    );
  });

  it('returns null while a quoted field is open', () => {
    expect(splitQuotedRecord('a,"b', ',')).toBeNull();
    expect(splitQuotedRecord('a,"b""', ',')).toBeNull();
    expect(splitQuotedRecord('a\t"b\tc"\td', '\t')).toEqual(['a', 'b\tc', 'd']);
  });
});
