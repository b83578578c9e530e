import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ONLINE_RETAIL_CSV_HEADER } from '../src/index';

/** A fresh temporary directory and a function that removes it. */
export async function temporaryDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'nextbuy-ingestion-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes a file and returns its path. */
export async function writeSample(directory: string, name: string, content: string | Uint8Array): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, content);
  return path;
}

/**
 * Eleven Online Retail rows, one line each after the header (line 1), covering every cleaning
 * rule once or twice: kept lines 2, 3, 4, 11, 12.
 */
export const RULES_SAMPLE =
  ONLINE_RETAIL_CSV_HEADER +
  [
    '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom',
    '536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom',
    '536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,17850,United Kingdom',
    '536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,12/1/2010 8:34,1.69,,United Kingdom',
    'C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom',
    '536380,22961,JAM MAKING SET PRINTED,-24,12/1/2010 9:41,1.45,17809,United Kingdom',
    '536381,22139,"RETROSPOT TEA SET, CERAMIC 11 PC ",0,12/1/2010 9:41,4.95,17809,United Kingdom',
    '536414,22139,,56,12/1/2010 11:52,0,13047,United Kingdom',
    '536415,22139,,5,12/32/2010 11:52,1.0,13047,United Kingdom',
    '536370,22728,"ALARM CLOCK ""BAKELIKE"" PINK",24,12/1/2010 8:45,3.75,12583,France',
    '536371,22727,ALARM CLOCK BAKELIKE RED ,24,2010-12-02T08:45:00Z,3.75,12583.0,France',
    '536372,22727,ALARM CLOCK BAKELIKE RED ,24,12/2/2099 8:45,3.75,12583,France',
  ].join('\n') +
  '\n';

/**
 * `rows` generated Online Retail lines (seeded, no randomness): 50 customers, invoices of
 * 1-7 lines over a year, every 13th line a guest, every 17th a cancellation, every 29th free.
 */
export function generatedCsv(rows: number): string {
  const lines = [ONLINE_RETAIL_CSV_HEADER.trimEnd()];
  let invoice = 540_000;
  for (let row = 0; row < rows; invoice++) {
    const customer = String(12_000 + (invoice % 50));
    const day = 1 + (invoice % 28);
    const month = 1 + (invoice % 12);
    const cancelled = invoice % 17 === 0;
    for (let line = 0; line < 1 + (invoice % 7) && row < rows; line++, row++) {
      lines.push(
        [
          `${cancelled ? 'C' : ''}${invoice}`,
          `${20_000 + line}`,
          line % 5 === 0 ? '"MUG, RED"' : 'MUG BLUE',
          cancelled ? -(1 + line) : 1 + line,
          `${month}/${day}/2011 ${8 + (line % 10)}:${String(line * 7 % 60).padStart(2, '0')}`,
          row % 29 === 0 ? '0' : (1 + (row % 9) * 0.35).toFixed(2),
          row % 13 === 0 ? '' : customer,
          'United Kingdom',
        ].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
