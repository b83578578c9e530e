import { predictionRecordSchema } from '@nextbuy/contracts';
import { FEATURE_NAMES } from '@nextbuy/features';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { featureRowsCsv, featureRowsOf, historiesOf, jsonLines, listen, sampleTransactions, transactionsCsv } from '../test/fixtures';
import { createApp } from './app';
import { loadServingModel, type ServingModel } from './model-loading';

const dirs = inject('modelDirs');
const MIB = 1024 * 1024;
const AS_OF = '2011-07-01';

const transactions = sampleTransactions();
const histories = historiesOf(transactions);
const rows = featureRowsOf(histories, AS_OF);
const VALID: Array<[string, string]> = [
  [jsonLines(histories), 'application/jsonlines'],
  [JSON.stringify({ instances: histories }), 'application/json'],
  [JSON.stringify(transactions), 'application/json'],
  [transactionsCsv(transactions), 'text/csv'],
  [featureRowsCsv(rows), 'text/csv'],
  [featureRowsCsv(rows, true), 'text/csv'],
  [jsonLines(rows), 'application/jsonlines'],
];

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('text/csv', 'application/json', 'application/jsonlines', 'application/x-jsonlines', 'text/csv; charset=utf-8') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/xml', 'image/png', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '*/*') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const accept = fc.option(fc.constantFrom('*/*', 'text/csv', 'application/json', 'application/jsonlines', 'text/html', 'text/csv;q=0', 'application/*;q=0.5, image/*'), { nil: undefined });
const huge = fc.constantFrom(1e308, -1e308, 3.4e38, -3.4e38, 1e39, 5e-324, -0, 1e15, -1e15);
const anyValue = fc.oneof(fc.jsonValue(), huge, fc.constantFrom('', 'NaN', '2011-02-30', '9999-12-31', '0001-01-01', '1e999', null));

/** A valid history with one field replaced by something else. */
const mutatedHistory = fc
  .record({
    customer: fc.nat({ max: histories.length - 1 }),
    order: fc.nat({ max: 2 }),
    key: fc.constantFrom('customer_id', 'as_of_date', 'orders', 'date', 'total_price', 'quantity', 'lines', 'invoices'),
    value: anyValue,
  })
  .map(({ customer, order, key, value }) => {
    const history = structuredClone(histories[customer]!) as unknown as Record<string, unknown>;
    const orders = history.orders as Array<Record<string, unknown>>;
    if (['customer_id', 'as_of_date', 'orders'].includes(key)) history[key] = value;
    else orders[order % orders.length]![key] = value;
    return jsonLines([...histories.slice(0, customer), history]);
  });

/** Valid feature rows with one value replaced (huge, negative, text, missing...). */
const mutatedFeatureRows = fc
  .record({ row: fc.nat({ max: rows.length - 1 }), column: fc.constantFrom('customer_id', 'order_date', ...FEATURE_NAMES), value: anyValue })
  .map(({ row, column, value }) => JSON.stringify(rows.map((r, i) => (i === row ? { ...r, [column]: value } : r))));

const mutatedTransaction = fc
  .record({
    row: fc.nat({ max: transactions.length - 1 }),
    column: fc.constantFrom('InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'),
    value: anyValue,
  })
  .map(({ row, column, value }) => JSON.stringify(transactions.map((t, i) => (i === row ? { ...t, [column]: value } : t))));

const body = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.tuple(fc.constantFrom(...VALID.map(([text]) => text)), fc.nat()).map(([text, cut]) => text.slice(0, cut % text.length)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.array(fc.array(fc.oneof(fc.string({ maxLength: 12 }), huge.map(String)), { maxLength: 24 }), { maxLength: 20 }).map((cells) => cells.map((r) => r.join(',')).join('\n')),
  mutatedHistory,
  mutatedFeatureRows,
  mutatedTransaction,
);

describe.each(['xgboost', 'lstm'] as const)('a running server with the %s model, under malformed requests', (type) => {
  let model: ServingModel;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    model = await loadServingModel(dirs[type]);
    server = await listen(createApp({ model }, { workers: 1, maxPayloadMb: 1, maxPayloadBytes: MIB, log: () => undefined }));
  });
  afterAll(async () => {
    await server.close();
    model.model.dispose();
  });

  async function send(payload: string | Uint8Array, type: string, acceptType?: string) {
    const response = await fetch(`${server.base}/invocations?as_of_date=${AS_OF}`, {
      method: 'POST',
      body: payload,
      headers: { 'content-type': type, ...(acceptType ? { accept: acceptType } : {}) },
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  it('answers thousands of malformed bodies with a 4xx naming the problem (or a valid prediction), and then still answers right', async () => {
    const before = await send(VALID[0]![0], VALID[0]![1]);
    expect(before.status).toBe(200);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, contentType, accept, async (payload, type, acceptType) => {
        const answer = await send(payload, type, acceptType);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect([200, 400, 406, 413, 415], `${answer.status}: ${answer.text.slice(0, 300)}`).toContain(answer.status);
        if (answer.status !== 200) {
          const error = JSON.parse(answer.text) as { message: string; request_id: string };
          expect(error.message.length).toBeGreaterThan(5);
          expect(answer.text).not.toMatch(/\n\s+at /);
          return;
        }
        const records = answer.type.startsWith('application/jsonlines')
          ? answer.text.trimEnd().split('\n').map((line) => JSON.parse(line))
          : answer.type.startsWith('application/json')
            ? (JSON.parse(answer.text) as { predictions: unknown[] }).predictions
            : null;
        for (const record of records ?? []) predictionRecordSchema.parse(record);
      }),
      { numRuns: 1500, seed: 20_111_201 },
    );
    expect(statuses.get(400)).toBeGreaterThan(500);
    const after = await send(VALID[0]![0], VALID[0]![1]);
    expect(after).toEqual(before);
  }, 120_000);
});
