import { describe, expect, it } from 'vitest';
import { InvalidEventError } from './errors';
import { parseExtractEvent, runIdAt } from './handler';

describe('Extract input', () => {
  it('accepts a dataset with an optional run and date range', () => {
    expect(parseExtractEvent({ dataset: 'online-retail', from: '2011-01-01' })).toEqual({ dataset: 'online-retail', from: '2011-01-01' });
    expect(parseExtractEvent({ dataset: 'cdnow', run: 'exec-1', from: '1997-01-01', to: '1997-01-01', extra: 1 })).toEqual({
      dataset: 'cdnow',
      run: 'exec-1',
      from: '1997-01-01',
      to: '1997-01-01',
    });
  });
  it('names the field at fault', () => {
    expect(() => parseExtractEvent({ dataset: 'Online Retail' })).toThrow(InvalidEventError);
    expect(() => parseExtractEvent({ dataset: 'Online Retail' })).toThrow(/"dataset"/);
    expect(() => parseExtractEvent({ dataset: 'x', to: '2011-13-01' })).toThrow(/"to"/);
    expect(() => parseExtractEvent({ dataset: 'x', from: '2011-02-01', to: '2011-01-31' })).toThrow(/"to": before "from"/);
    expect(() => parseExtractEvent({ dataset: 'x', run: '../x' })).toThrow(/"run"/);
  });
});

describe('runIdAt', () => {
  it('is a UTC timestamp that sorts like time and is a valid run id', () => {
    expect(runIdAt(new Date(Date.UTC(2026, 10, 26, 7, 5, 0, 123)))).toBe('2026-11-26-07-05-00-123');
    expect(() => parseExtractEvent({ dataset: 'x', run: runIdAt(new Date()) })).not.toThrow();
  });
});
