import { describe, expect, it } from 'vitest';
import { miniBatches } from './transform-job';

describe('miniBatches', () => {
  const lines = ['a'.repeat(9), 'b'.repeat(9), 'c'.repeat(9), 'd'.repeat(19)];

  it('packs whole lines, newline included, up to the payload limit, in order (MultiRecord)', () => {
    expect(miniBatches(lines, 'MultiRecord', 20)).toEqual([[lines[0], lines[1]], [lines[2]], [lines[3]]]);
    expect(miniBatches(lines, 'MultiRecord', 1000)).toEqual([lines]);
  });

  it('sends one line per request with SingleRecord', () => {
    expect(miniBatches(lines, 'SingleRecord', 1000)).toEqual(lines.map((line) => [line]));
  });

  it('fails the job on a record larger than the payload limit', () => {
    expect(() => miniBatches(lines, 'MultiRecord', 19)).toThrow(/record of 20 bytes is larger than MaxPayloadInMB/);
  });

  it('counts bytes, not characters', () => {
    // 5 two-byte characters and a newline, then one byte and a newline.
    expect(miniBatches(['é'.repeat(5), 'x'], 'MultiRecord', 13)).toEqual([['é'.repeat(5), 'x']]);
    expect(miniBatches(['é'.repeat(5), 'x'], 'MultiRecord', 12)).toEqual([['é'.repeat(5)], ['x']]);
  });
});
