import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderDaySpan } from '@nextbuy/contracts';
import { writeOnlineRetailCsv } from '@nextbuy/datagen';
import { buildTrainingTable, FEATURE_COUNT, FEATURE_NAMES } from '@nextbuy/features';
import { ingest, ONLINE_RETAIL_CSV_HEADER } from '@nextbuy/ingestion';
import { duckdbOrdersAndFeatures, type DuckDbOrderFeatures } from './duckdb-peer';

// Rows breaking each cleaning rule, for a customer of their own; only the first is kept.
const EDGE_ROWS = [
  '900001,10001,KEPT,3,11/30/2011 10:00,2.5,99999,United Kingdom',
  '900002,10001,BAD DATE,3,11/31/2011 10:00,2.5,99999,United Kingdom',
  '900003,10001,NOT A DATE,3,yesterday,2.5,99999,United Kingdom',
  'C900004,10001,CANCELLED,3,12/1/2011 10:00,2.5,99999,United Kingdom',
  '900005,10001,ZERO PRICE,3,12/2/2011 10:00,0,99999,United Kingdom',
  '900007,10001,NO CUSTOMER,3,12/4/2011 10:00,2.5,,United Kingdom',
];

/** Equal as nextbuy's Float32 feature values can be: NaN to NaN, else to float32 precision. */
function close(actual: number, expected: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
}

describe('the DuckDB peer of bench:data', () => {
  let dir: string;
  let path: string;
  let peer: DuckDbOrderFeatures;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duckdb-peer-'));
    path = join(dir, 'sales.csv');
    await writeOnlineRetailCsv(path, { rows: 20_000, seed: 7 });
    await appendFile(path, `${EDGE_ROWS.join('\n')}\n`);
    peer = await duckdbOrdersAndFeatures(path, 2);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('returns the orders, features and next gaps nextbuy computes from the same file', async () => {
    const { orders } = await ingest(path);
    const table = buildTrainingTable(orders, orderDaySpan(orders).last + 1);
    expect(peer.customerIds).toHaveLength(table.nRows);
    const peerRow = new Map(peer.customerIds.map((id, row) => [`${id}|${peer.columns.day[row]}`, row]));
    const mismatches: string[] = [];
    for (let row = 0; row < table.nRows; row++) {
      const at = peerRow.get(`${table.customerIds[row]}|${table.orderDay[row]}`);
      if (at === undefined) {
        mismatches.push(`order ${table.customerIds[row]} day ${table.orderDay[row]} missing`);
        continue;
      }
      FEATURE_NAMES.forEach((name, f) => {
        const expected = table.values[row * FEATURE_COUNT + f]!;
        if (!close(peer.columns[name][at]!, expected)) mismatches.push(`${table.customerIds[row]} day ${table.orderDay[row]} ${name}: ${peer.columns[name][at]} vs ${expected}`);
      });
      const nextGap = table.censored[row] ? NaN : table.gapDays[row]!;
      if (!close(peer.columns.NextGapDays[at]!, nextGap)) mismatches.push(`${table.customerIds[row]} day ${table.orderDay[row]} NextGapDays: ${peer.columns.NextGapDays[at]} vs ${nextGap}`);
      if (peer.columns.Lines[at] !== orders.lines[row] || peer.columns.Invoices[at] !== orders.invoices[row]) mismatches.push(`${table.customerIds[row]} day ${table.orderDay[row]} lines/invoices`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('keeps only the edge rows that break no cleaning rule', () => {
    const rows = peer.customerIds.flatMap((id, row) => (id === '99999' ? [row] : []));
    expect(rows.map((row) => [peer.columns.day[row], peer.columns.Lines[row], peer.columns.TotalPrice[row]])).toEqual([[Date.UTC(2011, 10, 30) / 86_400_000, 1, 7.5]]);
  });

  it('fails on a quantity that is not a number, as nextbuy refuses it, instead of dropping the row', async () => {
    const bad = join(dir, 'bad-quantity.csv');
    await writeFile(bad, `${ONLINE_RETAIL_CSV_HEADER}900001,10001,KEPT,3,11/30/2011 10:00,2.5,99999,United Kingdom\n900002,10001,NO QUANTITY,x,11/30/2011 10:00,2.5,99999,United Kingdom\n`);
    await expect(duckdbOrdersAndFeatures(bad, 2)).rejects.toThrow(/Quantity|"x"/);
    await expect(ingest(bad)).rejects.toThrow(/line 3, column "Quantity": not a number: "x"/);
  });

  it('comes back ordered by customer, then day', () => {
    for (let row = 1; row < peer.customerIds.length; row++) {
      const [previous, current] = [peer.customerIds[row - 1]!, peer.customerIds[row]!];
      expect(previous < current || (previous === current && peer.columns.day[row - 1]! < peer.columns.day[row]!)).toBe(true);
    }
  });
});
