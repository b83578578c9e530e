import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputDataError, ONLINE_RETAIL_COLUMNS } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SourceDatabase, startSourceDatabase } from './source-database';

const dir = mkdtempSync(join(tmpdir(), 'source-db-'));
let db: SourceDatabase;
beforeAll(async () => {
  db = await startSourceDatabase();
}, 60_000);
afterAll(async () => {
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const header = ONLINE_RETAIL_COLUMNS.join(',');
const row = (quantity: string) => `536365,85123A,WHITE HANGING HEART,${quantity},12/1/2010 8:26,2.55,17850,United Kingdom`;

describe('the source database loading a CSV (npm start -- --file_path)', () => {
  it('loads an Online Retail CSV, plain or gzipped', async () => {
    const plain = join(dir, 'sales.csv');
    writeFileSync(plain, [header, row('6'), row('8')].join('\n'));
    expect(await db.loadCsv('plain_sales', plain)).toEqual({ table: 'plain_sales', rows: 2, origin: plain });
    const zipped = join(dir, 'sales.csv.gz');
    writeFileSync(zipped, gzipSync([header, row('6')].join('\n')));
    expect((await db.loadCsv('zipped_sales', zipped)).rows).toBe(1);
  });

  it('names the file it cannot read, and the line and column of a value the table cannot hold, and keeps serving', async () => {
    const missing = join(dir, 'nowhere.csv');
    await expect(db.loadCsv('missing', missing)).rejects.toThrow(InputDataError);
    await expect(db.loadCsv('missing', missing)).rejects.toThrow(`${missing}: no such file`);
    await expect(db.loadCsv('directory', dir)).rejects.toThrow(`${dir}: a directory, not a file`);
    const broken = join(dir, 'broken.csv.gz');
    writeFileSync(broken, gzipSync([header, row('6')].join('\n')).subarray(0, 20));
    await expect(db.loadCsv('broken', broken)).rejects.toThrow();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, [header, row('6'), row('six')].join('\n'));
    await expect(db.loadCsv('bad', bad)).rejects.toThrow(/line 3, column "Quantity".*not a whole number: "six"/);
    expect(await db.sql<{ n: number }>('SELECT 1 AS n')).toEqual([{ n: 1 }]);
  });
});
