import { describe, expect, it, vi } from 'vitest';
import { measure, printTable } from './measure';

describe('benchmark helpers', () => {
  it('measure returns the result, a positive duration and the peak memory so far', async () => {
    const { result, seconds, peakRssMb } = await measure(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 42;
    });
    expect(result).toBe(42);
    expect(seconds).toBeGreaterThan(0.01);
    expect(peakRssMb).toBeGreaterThan(10);
  });

  it('printTable aligns columns and formats numbers by size', () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      printTable(['stage', 'seconds', 'rows/s'], [['read', 0.6912, 785600.4], ['features', 12.34, NaN]]);
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual([
      'stage     seconds   rows/s',
      '--------  -------  -------',
      'read         0.69  785,600',
      'features     12.3        -',
    ]);
  });
});
