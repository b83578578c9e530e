import { describe, expect, it } from 'vitest';
import { parseExtractEvent } from './handler';

describe('Extract input', () => {
  it('accepts a dataset with an optional date range', () => {
    expect(parseExtractEvent({ dataset: 'online-retail', from: '2011-01-01' })).toEqual({ dataset: 'online-retail', from: '2011-01-01' });
  });
  it('names the field at fault', () => {
    expect(() => parseExtractEvent({ dataset: 'Online Retail' })).toThrow(/"dataset"/);
    expect(() => parseExtractEvent({ dataset: 'x', to: '2011-13-01' })).toThrow(/"to"/);
  });
});
