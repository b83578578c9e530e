import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '@nextbuy/ingestion';
import { MAX_CUSTOMERS, MAX_HISTORY_DAYS, MIN_CUSTOMERS, MIN_HISTORY_DAYS, resolveCustomerBase } from './customer-base';
import { GeneratorOptionsError } from './errors';
import { findScenario, SCENARIOS, scenarioOrders, writeScenarioCsv } from './scenarios';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datagen-scenarios-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function customersAndSpan(name: string) {
  const orders = scenarioOrders(name);
  let first = Infinity;
  let last = -Infinity;
  for (const day of orders.day) {
    first = Math.min(first, day);
    last = Math.max(last, day);
  }
  const customers = new Set(orders.customerIds).size;
  return { orders: orders.nRows, customers, days: last - first + 1 };
}

describe('scenarios', () => {
  it('has at least 8 valid, uniquely named scenarios, both literature processes and the Online Retail-like generator', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    const processes = new Set(SCENARIOS.map((s) => (s.kind === 'customer-base' ? s.settings.process : s.kind)));
    expect([...processes].sort()).toEqual(['bgnbd', 'online-retail', 'pareto-nbd']);
    for (const scenario of SCENARIOS) {
      if (scenario.kind !== 'customer-base') continue;
      const base = resolveCustomerBase(scenario.settings);
      expect(base.customers).toBeGreaterThanOrEqual(MIN_CUSTOMERS);
      expect(base.customers).toBeLessThanOrEqual(MAX_CUSTOMERS);
      expect(base.days).toBeGreaterThanOrEqual(MIN_HISTORY_DAYS);
      expect(base.days).toBeLessThanOrEqual(MAX_HISTORY_DAYS);
    }
  });

  it('spans short and long histories, sparse and busy buyers', () => {
    const shapes = SCENARIOS.map((s) => ({ name: s.name, ...customersAndSpan(s.name) }));
    const perCustomer = shapes.map((s) => s.orders / s.customers);
    expect(Math.min(...shapes.map((s) => s.days))).toBeLessThanOrEqual(366);
    expect(Math.max(...shapes.map((s) => s.days))).toBeGreaterThanOrEqual(1_461);
    expect(Math.min(...perCustomer)).toBeLessThan(3);
    expect(Math.max(...perCustomer)).toBeGreaterThan(20);
  });

  it('short-sparse is the issue case: one year, about 3 orders per customer, a few thousand customers', () => {
    const shape = customersAndSpan('short-sparse');
    expect(shape.days).toBeGreaterThan(350);
    expect(shape.days).toBeLessThanOrEqual(366);
    expect(shape.orders / shape.customers).toBeGreaterThan(2.5);
    expect(shape.orders / shape.customers).toBeLessThan(3.5);
    expect(shape.customers).toBeGreaterThanOrEqual(2_000);
    expect(shape.customers).toBeLessThanOrEqual(5_000);
  });

  it('an unknown name is an error listing the names', () => {
    expect(() => findScenario('nope')).toThrow(GeneratorOptionsError);
    expect(() => findScenario('nope')).toThrow(/scenario must be one of short-sparse, .*large-base, regular-replenishment, got "nope"/);
  });

  it('writes a scenario CSV, byte-identical per seed, that the default mapping ingests to the same orders', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    await writeScenarioCsv(a, 'tiny-shop');
    await writeScenarioCsv(b, 'tiny-shop');
    expect(await readFile(a, 'utf8')).toBe(await readFile(b, 'utf8'));
    const { orders, report } = await ingest(a);
    expect(report.rowsKept).toBe(report.rowsRead);
    expect(orders).toEqual(scenarioOrders('tiny-shop'));
    await writeScenarioCsv(b, 'tiny-shop', 7);
    expect(await readFile(b, 'utf8')).not.toBe(await readFile(a, 'utf8'));
  });

  it('the Online Retail-like scenario gives the cleaned orders of the existing generator', async () => {
    const path = join(dir, 'online.csv.gz');
    await writeScenarioCsv(path, 'online-retail-like');
    const { orders } = await ingest(path);
    const direct = scenarioOrders('online-retail-like');
    expect(orders.nRows).toBe(direct.nRows);
    expect(orders.customerIds).toEqual(direct.customerIds);
    expect(orders.day).toEqual(direct.day);
  });
});
