// A local file read in blocks on worker threads gives what reading it whole on one thread gives:
// the same report (line numbers included), the same orders, the same error for bad input.
import { readFile } from 'node:fs/promises';
import { InputDataError } from '@nextbuy/contracts';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInBlocks } from '../src/blocks/in-blocks';
import { CDNOW_MAPPING, fingerprintOrders, ingest, ONLINE_RETAIL_CSV_HEADER, ONLINE_RETAIL_MAPPING, type IngestOptions, type IngestResult } from '../src/index';
import { generatedCsv, RULES_SAMPLE, temporaryDirectory, writeSample } from './fixtures';

let directory: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  directory = await temporaryDirectory();
});
afterAll(() => directory.remove());

type Outcome = IngestResult | { error: string };

async function outcome(path: string, options: IngestOptions): Promise<Outcome> {
  try {
    return await ingest(path, options);
  } catch (error) {
    if (error instanceof InputDataError) return { error: error.message };
    throw error;
  }
}

async function expectSameAsWhole(path: string, options: IngestOptions): Promise<Outcome> {
  const inBlocks = await outcome(path, { ...options, threads: 2 });
  const whole = await outcome(path, { ...options, threads: 1 });
  if ('error' in whole || 'error' in inBlocks) {
    expect(inBlocks).toEqual(whole);
  } else {
    expect((inBlocks as IngestResult).report).toEqual(whole.report);
    // To the last bit: an order continued in a later block adds that block's terms in order.
    expect((inBlocks as IngestResult).orders).toEqual(whole.orders);
    expect(fingerprintOrders((inBlocks as IngestResult).orders)).toEqual(fingerprintOrders(whole.orders));
  }
  return inBlocks;
}

describe('reading a local file in blocks on worker threads', () => {
  it('gives the report, line numbers included, and the orders of a whole-file read', async () => {
    const rules = RULES_SAMPLE.split('\n').slice(1).join('\n');
    // The rule-breaking sample repeated between generated lines: dropped lines in every block.
    const text = generatedCsv(3_000) + rules + generatedCsv(3_000).split('\n').slice(1).join('\n') + rules;
    const path = await writeSample(directory.path, 'blocks.csv', text);
    const progress: number[] = [];
    const result = await expectSameAsWhole(path, { blockBytes: 16_384, onProgress: (rows) => progress.push(rows) });
    expect(result).not.toHaveProperty('error');
    const { report, readIn } = result as IngestResult;
    expect(readIn).toEqual({ blocks: Math.ceil(Buffer.byteLength(text) / 16_384), threads: 2 });
    expect(report.rowsRead).toBe(6_024);
    // Lines past the first blocks are counted in the file, not in their block.
    expect(report.dropped.unparseable_date.firstLines).toEqual([3_010, 6_022]);
    expect(report.dropped.future_date.firstLines).toEqual([3_013, 6_025]);
    expect(progress.length).toBeGreaterThan(text.length / 16_384 - 1);
    expect(progress.at(-1)).toBe(6_024);
  });

  it('numbers invoices by their line in the file, not in their block, when the mapping says so', async () => {
    const lines = ['customer_id date number_of_cds dollar_value', ...Array.from({ length: 4_000 }, (_, row) => `c${row % 7} 19970101 1 10.5`)];
    const path = await writeSample(directory.path, 'cdnow-like.txt', `${lines.join('\n')}\n`);
    const result = (await expectSameAsWhole(path, { mapping: CDNOW_MAPPING, blockBytes: 4_096 })) as IngestResult;
    expect([...result.orders.invoices]).toEqual(Array.from({ length: 7 }, (_, customer) => Math.ceil((4_000 - customer) / 7)));
  });

  it('reads a semicolon export with decimal commas in blocks as a whole-file read does, and as its comma original', async () => {
    const rows = parse(generatedCsv(3_000), { relax_column_count: true }) as string[][];
    const quote = (field: string) => (/[;"\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field);
    const price = rows[0]!.indexOf('UnitPrice');
    const text = rows.map((fields, row) => fields.map((field, column) => quote(row > 0 && column === price ? field.replace('.', ',') : field)).join(';')).join('\n');
    const path = await writeSample(directory.path, 'european.csv', `${text}\n`);
    const mapping = { ...ONLINE_RETAIL_MAPPING, delimiter: 'semicolon' as const, decimalSeparator: 'comma' as const };
    const result = (await expectSameAsWhole(path, { mapping, blockBytes: 8_192 })) as IngestResult;
    expect(result.readIn!.blocks).toBeGreaterThan(4);
    const original = await ingest(await writeSample(directory.path, 'original.csv', generatedCsv(3_000)), { threads: 1 });
    expect(fingerprintOrders(result.orders)).toEqual(fingerprintOrders(original.orders));
  });

  it('reads a day-first file again day first, in blocks as whole, to the orders of its month-first original', async () => {
    const text = generatedCsv(3_000).replace(/^([^,]*,[^,]*,(?:"[^"]*"|[^,]*),[^,]*,)(\d{1,2})\/(\d{1,2})\//gm, '$1$3/$2/');
    const path = await writeSample(directory.path, 'day-first-blocks.csv', text);
    const result = (await expectSameAsWhole(path, { blockBytes: 8_192 })) as IngestResult;
    expect(result.dayFirst).toMatch(/^"(1[3-9]|2\d|3[01])\/\d{1,2}\/\d{4} [0-9:]+" \(.*day-first-blocks\.csv, line \d+\) can only be day first$/);
    const original = await ingest(await writeSample(directory.path, 'month-first.csv', generatedCsv(3_000)), { threads: 1 });
    expect(fingerprintOrders(result.orders)).toEqual(fingerprintOrders(original.orders));
    expect(result.report.dropped.unparseable_date.count).toBe(0);
  });

  it('reports the line of a bad value in a later block as a whole-file read does', async () => {
    const lines = generatedCsv(5_000).split('\n');
    lines[4_321] = lines[4_321]!.replace(/,(\d+),(\d+\/)/, ',many,$2');
    const path = await writeSample(directory.path, 'bad-value.csv', lines.join('\n'));
    const result = await expectSameAsWhole(path, { blockBytes: 8_192 });
    expect(result).toEqual({ error: `${path}, line 4322, column "Quantity": not a number: "many"` });
  });

  it('reads a quoted field spanning lines across a block boundary as one record', async () => {
    const head = generatedCsv(400);
    const boundary = 4_096 * Math.ceil(Buffer.byteLength(head) / 4_096 + 1);
    const filler = 'x'.repeat(boundary - Buffer.byteLength(head) - 40);
    // The quoted description opens before the boundary, and the first line break after the
    // boundary, where the next block starts, is inside it.
    const record = `999999,1,"${filler}\nSECOND LINE\n${'y'.repeat(100)}\nTHIRD LINE",2,12/1/2011 9:00,1.5,17000,France\n`;
    const path = await writeSample(directory.path, 'straddle.csv', head + record + generatedCsv(2_000).split('\n').slice(1).join('\n'));
    // The blocks see it and leave the file to a whole-file read.
    expect(await readInBlocks(path, Buffer.byteLength(await readFile(path)), ONLINE_RETAIL_MAPPING, { source: path, strict: false }, { threads: 2, blockBytes: boundary })).toBeNull();
    const result = (await expectSameAsWhole(path, { blockBytes: boundary })) as IngestResult;
    expect(result.orders.customerIds).toContain('17000');
  });

  it('says a file with only its header has no data lines, as a whole-file read does', async () => {
    const path = await writeSample(directory.path, 'blank.csv', ONLINE_RETAIL_CSV_HEADER + '\n'.repeat(20_000));
    expect(await expectSameAsWhole(path, { blockBytes: 4_096 })).toEqual({ error: `${path}: the source has no data lines after its header` });
  });

  it('matches a whole-file read on any text, block size and line ending (property)', async () => {
    const cell = fc.oneof(
      fc.constantFrom('', ' ', '17850', '12583.0', 'C536379', '2.55', '-3', '0', 'x', '12/1/2010 8:26', '2010-12-02T08:45:00Z', '12/32/2010 9:00'),
      fc.constantFrom('"a,b"', '"two\nlines"', '"say ""hi"""', '"open', 'ab"c'),
    );
    const row = fc.tuple(fc.constantFrom('536365', '536366', 'C536367', '536368'), cell, cell, fc.constantFrom('6', '-1', '0', '2', 'lots'), fc.constantFrom('12/1/2010 8:26', '1/4/2011 9:01', 'soon', '2011-02-30T00:00:00Z'), cell, fc.constantFrom('17850', '', '12583', '12583.0', ' 13047 '), cell);
    const file = fc.record({
      rows: fc.array(row, { minLength: 1, maxLength: 300 }),
      blankEvery: fc.integer({ min: 0, max: 40 }),
      crlf: fc.boolean(),
      blockBytes: fc.integer({ min: 64, max: 2_048 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(file, async ({ rows, blankEvery, crlf, blockBytes }) => {
        const lines = [ONLINE_RETAIL_CSV_HEADER.trimEnd(), ...rows.map((fields) => fields.join(','))];
        const withBlanks = lines.flatMap((line, index) => (blankEvery > 0 && index % blankEvery === 0 ? [line, ''] : [line]));
        const path = await writeSample(directory.path, `property-${run++}.csv`, withBlanks.join(crlf ? '\r\n' : '\n'));
        await expectSameAsWhole(path, { blockBytes });
      }),
      { numRuns: 10, seed: 17 },
    );
  });
});
