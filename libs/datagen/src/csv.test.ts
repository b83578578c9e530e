import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_RETAIL_COLUMNS } from '@nextbuy/contracts';
import { parseInvoiceDate } from '@nextbuy/ingestion';
import { csvField, writeOnlineRetailCsv } from './csv';
import { GeneratorOptionsError } from './errors';
import { generateTransactions } from './generator';

const OPTIONS = { rows: 12_000, seed: 5 };
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datagen-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('csvField', () => {
  it('quotes only fields that need it, doubling quotes', () => {
    expect(csvField('WHITE MUG')).toBe('WHITE MUG');
    expect(csvField('MUG , PINK')).toBe('"MUG , PINK"');
    expect(csvField('12" FRAME')).toBe('"12"" FRAME"');
    expect(csvField('A\nB')).toBe('"A\nB"');
  });
});

describe('writeOnlineRetailCsv', () => {
  it('round-trips every row through a CSV parser and parseInvoiceDate', async () => {
    const path = join(dir, 'sales.csv');
    const progress: number[] = [];
    const summary = await writeOnlineRetailCsv(path, { ...OPTIONS, onProgress: (rows) => progress.push(rows) });
    const records = parse(await readFile(path, 'utf8'), { columns: true }) as Record<string, string>[];
    const expected = [...generateTransactions(OPTIONS)];
    expect(Object.keys(records[0]!)).toEqual([...ONLINE_RETAIL_COLUMNS]);
    expect(records).toHaveLength(expected.length);
    expect(summary.rows).toBe(expected.length);
    expect(summary.customers).toBe(new Set(expected.map((row) => row.customerId).filter(Boolean)).size);
    expect(progress.at(-1)).toBe(expected.length);
    expect(records.filter((record) => !/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}$/.test(record.InvoiceDate!))).toEqual([]);
    const readBack = records.map((record) => ({
      invoiceNo: record.InvoiceNo,
      stockCode: record.StockCode,
      description: record.Description,
      quantity: Number(record.Quantity),
      invoiceDate: parseInvoiceDate(record.InvoiceDate!),
      unitPrice: Number(record.UnitPrice),
      customerId: record.CustomerID,
      country: record.Country,
    }));
    expect(readBack).toEqual(expected);
    // Some descriptions carry a comma, so quoting was exercised.
    expect(records.some((record) => record.Description!.includes(','))).toBe(true);
  });

  it('writes identical bytes for a seed, different bytes for another, and gzip of the same text', async () => {
    const paths = ['a.csv.gz', 'b.csv.gz', 'c.csv.gz', 'd.csv'].map((name) => join(dir, 'nested', name));
    await writeOnlineRetailCsv(paths[0]!, OPTIONS);
    await writeOnlineRetailCsv(paths[1]!, OPTIONS);
    await writeOnlineRetailCsv(paths[2]!, { ...OPTIONS, seed: 6 });
    await writeOnlineRetailCsv(paths[3]!, OPTIONS);
    const [a, b, c, plain] = await Promise.all(paths.map((path) => readFile(path)));
    expect(a!.equals(b!)).toBe(true);
    expect(a!.equals(c!)).toBe(false);
    expect(gunzipSync(a!).equals(plain!)).toBe(true);
  });

  it('refuses an output that is neither .csv nor .csv.gz', async () => {
    await expect(writeOnlineRetailCsv(join(dir, 'sales.txt'), OPTIONS)).rejects.toThrow(GeneratorOptionsError);
    await expect(writeOnlineRetailCsv(join(dir, 'sales.txt'), OPTIONS)).rejects.toThrow(/out must end in .csv or .csv.gz/);
  });
});
