import { describe, expect, it } from 'vitest';
import { asFolder, keyUnderPrefix } from './s3-objects';

describe('S3 key helpers', () => {
  it('names a key by its path under an S3Prefix, from the prefix folder', () => {
    expect(keyUnderPrefix('retail/batch-input/r1/', 'retail/batch-input/r1/customers.jsonl')).toBe('customers.jsonl');
    expect(keyUnderPrefix('retail/raw/r1/transactions.csv.gz', 'retail/raw/r1/transactions.csv.gz')).toBe('transactions.csv.gz');
    expect(keyUnderPrefix('retail/raw/r1/transactions.csv.gz', 'retail/raw/r1/transactions.csv.gz.part')).toBe('transactions.csv.gz.part');
    expect(keyUnderPrefix('in/', 'in/sub/part-1.jsonl')).toBe('sub/part-1.jsonl');
  });

  it('makes a prefix a folder', () => {
    expect(asFolder('a/b')).toBe('a/b/');
    expect(asFolder('a/b/')).toBe('a/b/');
    expect(asFolder('')).toBe('');
  });
});
