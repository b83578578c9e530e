import type { Transaction } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { DelimitedTextParser } from './delimited';
import { formatOnlineRetailLine, ONLINE_RETAIL_CSV_HEADER } from './format';
import { ONLINE_RETAIL_MAPPING } from './mapping';

describe('formatOnlineRetailLine', () => {
  it('writes lines that ONLINE_RETAIL_MAPPING reads back exactly, quoting where needed', () => {
    const written: Transaction[] = [
      {
        invoiceNo: '536365',
        stockCode: '85123A',
        description: 'MUG "LOVE", RED\nSECOND LINE ',
        quantity: 6,
        invoiceDate: new Date('2010-12-01T08:26:07.250Z'),
        unitPrice: 0.1 + 0.2,
        customerId: '17850',
        country: 'Korea, Republic of',
      },
      { invoiceNo: '536366', stockCode: '', description: '', quantity: 1e-7, invoiceDate: new Date(0), unitPrice: 12, customerId: '1', country: '' },
    ];
    const text = ONLINE_RETAIL_CSV_HEADER + written.map(formatOnlineRetailLine).join('');
    expect(text.split('\n')[1]).toBe('536365,85123A,"MUG ""LOVE"", RED');
    const read: Transaction[] = [];
    const parser = new DelimitedTextParser(ONLINE_RETAIL_MAPPING, { source: 'written.csv', strict: true }, (transaction) => read.push(transaction));
    parser.write(text);
    parser.end();
    expect(read).toEqual(written);
  });
});
