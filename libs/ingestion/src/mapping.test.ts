import { InputDataError } from '@nextbuy/contracts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDNOW_MAPPING, loadColumnMapping, ONLINE_RETAIL_MAPPING, parseColumnMapping } from './mapping';

describe('column mapping', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'nextbuy-mapping-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('fills defaults and maps every Online Retail column to itself', () => {
    expect(ONLINE_RETAIL_MAPPING).toMatchObject({ delimiter: 'comma', header: true, dateFormat: 'auto', encoding: 'utf8', derive: {} });
    expect(ONLINE_RETAIL_MAPPING.columns.UnitPrice).toBe('UnitPrice');
    expect(CDNOW_MAPPING.derive).toEqual({ UnitPrice: { amountColumn: 'dollar_value' }, InvoiceNo: 'lineNumber' });
  });

  it('loads a mapping from JSON, header-less columns by index', async () => {
    const path = join(directory, 'tsv.json');
    await writeFile(
      path,
      JSON.stringify({
        delimiter: 'tab',
        header: false,
        dateFormat: 'iso',
        columns: { CustomerID: 0, InvoiceDate: 1, Quantity: 2, UnitPrice: 3 },
        derive: { InvoiceNo: 'lineNumber', Country: { constant: 'NL' } },
      }),
    );
    const mapping = await loadColumnMapping(path);
    expect(mapping.columns).toEqual({ CustomerID: 0, InvoiceDate: 1, Quantity: 2, UnitPrice: 3 });
    expect(mapping.encoding).toBe('utf8');
  });

  it('names the file and the offending key', async () => {
    const path = join(directory, 'bad.json');
    await writeFile(path, JSON.stringify({ columns: { CustomerID: 'id', InvoiceDate: 'date', Quantity: 'qty', InvoiceNo: 'inv' } }));
    const error = await loadColumnMapping(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toBe(`${path}, column "columns.UnitPrice": invalid column mapping: UnitPrice needs a column or a derive rule`);
  });

  it('rejects JSON that does not parse, naming the file', async () => {
    const path = join(directory, 'broken.json');
    await writeFile(path, '{"columns": ');
    await expect(loadColumnMapping(path)).rejects.toThrow(new RegExp(`^${path}: not valid JSON`));
  });

  it('rejects names without a header, a field both mapped and derived, and unknown keys', () => {
    const base = { columns: { CustomerID: 0, InvoiceDate: 1, Quantity: 2, UnitPrice: 3, InvoiceNo: 4 } };
    expect(() => parseColumnMapping({ ...base, header: false, columns: { ...base.columns, Quantity: 'qty' } })).toThrow(
      'column "columns.Quantity": invalid column mapping: a file without a header names columns by 0-based index, not "qty"',
    );
    expect(() => parseColumnMapping({ ...base, derive: { InvoiceNo: 'lineNumber' } })).toThrow('InvoiceNo has both a column and a derive rule');
    expect(() => parseColumnMapping({ ...base, delimiter: 'pipe' })).toThrow(/column "delimiter"/);
    expect(() => parseColumnMapping({ ...base, decimalSeparator: 'dot' })).toThrow(/column "decimalSeparator"/);
    expect(() => parseColumnMapping({ ...base, colums: {} })).toThrow(InputDataError);
  });

  it('takes a constant quantity or price for sources without them, and no other', () => {
    const orders = { columns: { CustomerID: 0, InvoiceDate: 1, UnitPrice: 2 }, header: false, derive: { Quantity: { constant: 1 }, InvoiceNo: 'lineNumber' } };
    expect(parseColumnMapping(orders).derive.Quantity).toEqual({ constant: 1 });
    const visits = { columns: { CustomerID: 0, InvoiceDate: 1 }, header: false, derive: { Quantity: { constant: 1 }, UnitPrice: { constant: 1 }, InvoiceNo: 'lineNumber' } };
    expect(parseColumnMapping(visits).derive.UnitPrice).toEqual({ constant: 1 });
    expect(() => parseColumnMapping({ ...orders, derive: { InvoiceNo: 'lineNumber' } })).toThrow('column "columns.Quantity": invalid column mapping: Quantity needs a column or a derive rule');
    expect(() => parseColumnMapping({ ...orders, derive: { ...orders.derive, Quantity: { constant: 0 } } })).toThrow(/column "derive.Quantity.constant"/);
    expect(() => parseColumnMapping({ ...orders, derive: { ...orders.derive, Quantity: { constant: '1' } } })).toThrow(/column "derive.Quantity.constant"/);
    expect(() => parseColumnMapping({ ...orders, columns: { ...orders.columns, Quantity: 3 } })).toThrow('Quantity has both a column and a derive rule');
  });
});
