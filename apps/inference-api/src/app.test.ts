import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historiesToOrderTable, isoToEpochDay, PREDICTION_COLUMNS, predictionRecordSchema, type PredictionRecord } from '@nextbuy/contracts';
import { customerBaseQuantities } from '@nextbuy/btyd-model';
import { buildScoringTable } from '@nextbuy/features';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { featureRowsCsv, featureRowsOf, historiesOf, jsonLines, listen, sampleTransactions, transactionsCsv } from '../test/fixtures';
import { createApp, type ServingState } from './app';
import type { LogLine } from './logging';
import type { MediaType } from './media-types';
import { loadServingModel, type ServingModel } from './model-loading';
import { predictionRecord } from './predict';

const dirs = inject('modelDirs');
const MIB = 1024 * 1024;
const NOW = new Date('2011-08-15T17:30:00Z');
const AS_OF = '2011-07-01';

const models: Partial<Record<'xgboost' | 'lstm' | 'bgnbd', ServingModel>> = {};
beforeAll(async () => {
  [models.xgboost, models.lstm, models.bgnbd] = await Promise.all([loadServingModel(dirs.xgboost), loadServingModel(dirs.lstm), loadServingModel(dirs.bgnbd)]);
});
afterAll(() => {
  models.xgboost?.model.dispose();
  models.lstm?.model.dispose();
  models.bgnbd?.model.dispose();
});

/** Every line a test server logs, as it is logged. */
const logEvents = new EventEmitter<{ line: [LogLine] }>();

/** A server for `state` on loopback with a 1 MB payload limit, logging into `logs`. */
async function serve(state: ServingState, logs: LogLine[] = []) {
  const log = (line: LogLine) => {
    logs.push(line);
    logEvents.emit('line', line);
  };
  return listen(createApp(state, { workers: 2, maxPayloadMb: 1, maxPayloadBytes: MIB, log, now: () => NOW }));
}

/** The first line of `logs`, past or future, that passes `test`. */
function loggedLine(logs: readonly LogLine[], test: (line: LogLine) => boolean): Promise<LogLine> {
  const seen = logs.find(test);
  if (seen) return Promise.resolve(seen);
  return new Promise((done) => {
    const listener = (line: LogLine) => {
      if (!logs.includes(line) || !test(line)) return;
      logEvents.off('line', listener);
      done(line);
    };
    logEvents.on('line', listener);
  });
}

interface Answer {
  status: number;
  type: string | null;
  text: string;
  headers: Headers;
}

async function post(base: string, body: string | Uint8Array, contentType: string | undefined, headers: Record<string, string> = {}, path = '/invocations'): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method: 'POST', body, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text(), headers: response.headers };
}

/** The prediction records of a response body of any of the three types. */
function recordsOf(answer: Answer): PredictionRecord[] {
  expect(answer.status, answer.text).toBe(200);
  if (answer.type!.startsWith('application/jsonlines')) return answer.text.trimEnd().split('\n').map((line) => predictionRecordSchema.parse(JSON.parse(line)));
  if (answer.type!.startsWith('application/json')) return (JSON.parse(answer.text) as { predictions: unknown[] }).predictions.map((r) => predictionRecordSchema.parse(r));
  expect(answer.type).toMatch(/^text\/csv/);
  return answer.text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const fields = line.split(',');
      const record = Object.fromEntries(PREDICTION_COLUMNS.map((column, i) => [column, fields[i]])) as Record<string, string | number>;
      record.predicted_gap_days = Number(record.predicted_gap_days);
      record.p_order_90d = Number(record.p_order_90d);
      for (const column of ['p_alive', 'expected_orders_365d'] as const) record[column] = record[column] === '' ? (null as unknown as number) : Number(record[column]);
      return predictionRecordSchema.parse(record);
    });
}

describe('GET /ping and /execution-parameters', () => {
  it('answers 503 while the model loads, 200 once it is loaded, and 503 with the reason when loading failed', async () => {
    const state: ServingState = {};
    const server = await serve(state);
    try {
      const loading = await fetch(`${server.base}/ping`);
      expect([loading.status, await loading.json()]).toEqual([503, { status: 'loading' }]);
      state.model = await loadServingModel(dirs.xgboost);
      const ready = await fetch(`${server.base}/ping`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', model_type: 'xgboost', model_version: state.model.manifest.modelVersion });
      state.model.model.dispose();
      const failedState: ServingState = { failure: 'checksum mismatch for "model.json"' };
      const failed = await serve(failedState);
      const answer = await fetch(`${failed.base}/ping`);
      expect([answer.status, await answer.json()]).toEqual([503, { status: 'failed', error: 'checksum mismatch for "model.json"' }]);
      const invocation = await post(failed.base, '{}', 'application/json');
      expect(invocation.status).toBe(503);
      expect(JSON.parse(invocation.text).message).toMatch(/the model failed to load: checksum mismatch/);
      await failed.close();
    } finally {
      await server.close();
    }
  });

  it('tells batch transform the workers, the batch strategy and the payload limit', async () => {
    const server = await serve({});
    const answer = await fetch(`${server.base}/execution-parameters`);
    expect(await answer.json()).toEqual({ MaxConcurrentTransforms: 2, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 1 });
    await server.close();
  });
});

describe.each(['xgboost', 'lstm', 'bgnbd'] as const)('POST /invocations with the %s model', (type) => {
  let server: Awaited<ReturnType<typeof serve>>;
  const transactions = sampleTransactions();
  const histories = historiesOf(transactions);
  const rows = featureRowsOf(histories, AS_OF);
  beforeAll(async () => {
    server = await serve({ model: models[type]! });
  });
  afterAll(() => server.close());

  it('gives each customer the model’s own prediction, the same for histories, transactions and feature rows in every content type', async () => {
    const { model, manifest } = models[type]!;
    const table = buildScoringTable(historiesToOrderTable(histories), isoToEpochDay(AS_OF));
    const direct = await model.predict(table);
    // Every artifact carries a BG/NBD fit, whatever its model type: P(alive) and expected orders for every record.
    const base = customerBaseQuantities(manifest.customerBase!.params, table);
    const expected = histories.map((history, i) =>
      predictionRecord(history.customer_id, table.orderDay[table.lastRow[i]!]!, table.asOfDay, direct.predictedGapDays[i]!, direct.pOrder90d[i]!, manifest.modelVersion, {
        pAlive: base.pAlive[i]!,
        expectedOrders365d: base.expectedOrders365d[i]!,
      }),
    );
    expect(expected.map((r) => r.customer_id)).toEqual(['c3', 'c1', 'c2']);
    for (const record of expected) {
      expect(record.predicted_next_order_date >= AS_OF).toBe(true);
      expect(record.p_order_90d).toBeGreaterThan(0);
      expect(record.p_alive).toBeGreaterThan(0);
      expect(record.p_alive).toBeLessThanOrEqual(1);
      expect(record.expected_orders_365d).toBeGreaterThan(0);
    }
    const requests: Array<[string, string, MediaType]> = [
      ['histories', jsonLines(histories), 'application/jsonlines'],
      ['histories', JSON.stringify({ instances: histories }), 'application/json'],
      ['transactions', JSON.stringify(transactions), 'application/json'],
      ['transactions', jsonLines(transactions), 'application/jsonlines'],
      ['transactions', transactionsCsv(transactions), 'text/csv'],
      ['feature rows', featureRowsCsv(rows), 'text/csv'],
      ['feature rows', featureRowsCsv(rows, true), 'text/csv'],
      ['feature rows', JSON.stringify(rows), 'application/json'],
      ['feature rows', jsonLines(rows), 'application/jsonlines'],
    ];
    for (const [kind, body, contentType] of requests) {
      for (const accept of [undefined, '*/*', 'text/csv', 'application/json', 'application/jsonlines']) {
        const answer = await post(server.base, body, contentType, { ...(accept ? { accept } : {}), 'x-as-of-date': AS_OF });
        expect(answer.type!.split(';')[0]).toBe(accept && accept !== '*/*' ? accept : contentType);
        expect(recordsOf(answer), `${kind} as ${contentType}, Accept ${accept}`).toEqual(expected);
      }
    }
  });

  it('answers the trainer’s batch input one line per line, in order, with each line’s as-of date', async () => {
    const lines = (await readFile(join(dirs[type], 'batch-input.jsonl'), 'utf8')).trimEnd().split('\n');
    const answer = await post(server.base, `${lines.join('\n')}\n`, 'application/jsonlines');
    const records = recordsOf(answer);
    expect(records.map((r) => r.customer_id)).toEqual(lines.map((line) => JSON.parse(line).customer_id));
    expect(new Set(records.map((r) => r.as_of_date))).toEqual(new Set([JSON.parse(lines[0]!).as_of_date]));
    const csv = await post(server.base, `${lines.join('\n')}\n`, 'application/jsonlines', { accept: 'text/csv' });
    expect(csv.text.trimEnd().split('\n')).toHaveLength(lines.length);
    const withHeader = await post(server.base, jsonLines(histories), 'application/jsonlines', { accept: 'text/csv; header=present', 'x-as-of-date': AS_OF });
    expect(withHeader.text.split('\n')[0]).toBe(PREDICTION_COLUMNS.join(','));
  });

  it('serves an artifact from before the BG/NBD fit, with p_alive and expected_orders_365d null', async () => {
    const { customerBase: _none, ...older } = models[type]!.manifest;
    const olderServer = await serve({ model: { model: models[type]!.model, manifest: older } });
    try {
      for (const accept of ['application/jsonlines', 'text/csv']) {
        const records = recordsOf(await post(olderServer.base, jsonLines(histories), 'application/jsonlines', { accept, 'x-as-of-date': AS_OF }));
        expect(records).toHaveLength(histories.length);
        for (const record of records) expect(record).toMatchObject({ p_alive: null, expected_orders_365d: null });
      }
    } finally {
      await olderServer.close();
    }
  });
});

describe('the as-of date', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  const histories = historiesOf(sampleTransactions());
  beforeAll(async () => {
    server = await serve({ model: models.xgboost! });
  });
  afterAll(() => server.close());
  const asOfDates = async (answer: Answer) => recordsOf(answer).map((r) => r.as_of_date);

  it('comes from the record, else the query or the X-As-Of-Date header, else the UTC day of the request', async () => {
    const body = jsonLines([histories[0], { ...histories[1]!, as_of_date: '2011-12-24' }]);
    expect(await asOfDates(await post(server.base, body, 'application/jsonlines'))).toEqual(['2011-08-15', '2011-12-24']);
    expect(await asOfDates(await post(server.base, body, 'application/jsonlines', {}, '/invocations?as_of_date=2011-09-01'))).toEqual(['2011-09-01', '2011-12-24']);
    expect(await asOfDates(await post(server.base, body, 'application/jsonlines', { 'x-as-of-date': '2011-10-01' }))).toEqual(['2011-10-01', '2011-12-24']);
    const later = recordsOf(await post(server.base, jsonLines([histories[0]]), 'application/jsonlines', { 'x-as-of-date': '2011-12-24' }))[0]!;
    const earlier = recordsOf(await post(server.base, jsonLines([histories[0]]), 'application/jsonlines', { 'x-as-of-date': '2011-06-01' }))[0]!;
    // Conditioning on a longer wait moves the predicted date past the as-of date.
    expect(later.predicted_next_order_date >= '2011-12-24').toBe(true);
    expect(later.predicted_gap_days).toBeGreaterThan(earlier.predicted_gap_days);
  });

  it('is refused, naming the record, when a customer ordered on or after it, or when query and header disagree', async () => {
    const before = await post(server.base, jsonLines(histories), 'application/jsonlines', { 'x-as-of-date': '2011-03-01' });
    expect(before.status).toBe(400);
    expect(JSON.parse(before.text)).toMatchObject({ record: 1, field: 'orders[2].date', message: expect.stringMatching(/^record 1, field "orders\[2\]\.date": the customer's last order \(2011-05-30\) is not before the as-of date 2011-03-01/) });
    const conflict = await post(server.base, jsonLines(histories), 'application/jsonlines', { 'x-as-of-date': '2011-10-01' }, '/invocations?as_of_date=2011-09-01');
    expect([conflict.status, JSON.parse(conflict.text).field]).toEqual([400, 'as_of_date']);
    const malformed = await post(server.base, jsonLines(histories), 'application/jsonlines', {}, '/invocations?as_of_date=yesterday');
    expect(JSON.parse(malformed.text).message).toMatch(/field "as_of_date \(query\)": not a YYYY-MM-DD date: "yesterday"/);
  });
});

describe('bad requests', () => {
  const logs: LogLine[] = [];
  let server: Awaited<ReturnType<typeof serve>>;
  const histories = historiesOf(sampleTransactions());
  const good = jsonLines(histories);
  beforeAll(async () => {
    server = await serve({ model: models.xgboost! }, logs);
  });
  afterAll(() => server.close());

  it('gets 400, 413, 415 and 406 with a message naming what is wrong, and the server goes on serving', async () => {
    const cases: Array<[string | Uint8Array, string | undefined, Record<string, string>, number, RegExp]> = [
      [jsonLines([histories[0], { ...histories[1]!, orders: [{ date: '2011-01-01', total_price: 'a lot', quantity: 1 }] }]), 'application/jsonlines', {}, 400, /^record 2, field "orders\[0\]\.total_price": Invalid input: expected number/],
      [featureRowsCsv(featureRowsOf(histories, AS_OF)).replace(',2011-01-20,', ',2011-01-32,'), 'text/csv', {}, 400, /^record 2, field "order_date": not a calendar date: "2011-01-32"/],
      ['x'.repeat(MIB + 1), 'text/csv', {}, 413, /exceeds the limit of 1 MB \(SAGEMAKER_MAX_PAYLOAD_IN_MB\)/],
      [good, 'text/plain', {}, 415, /Content-Type "text\/plain" is not supported; send one of text\/csv, application\/json, application\/jsonlines/],
      [new TextEncoder().encode(good), undefined, {}, 415, /no Content-Type/],
      [good, 'application/json; charset=latin1', {}, 415, /charset "latin1"/],
      [good, 'application/jsonlines', { accept: 'application/xml' }, 406, /cannot answer Accept "application\/xml"/],
      [good, 'application/jsonlines', { accept: 'text/csv;q=0, application/json;q=0, application/jsonlines;q=0' }, 406, /cannot answer/],
    ];
    for (const [body, contentType, headers, status, message] of cases) {
      const answer = await post(server.base, body, contentType, headers);
      expect(answer.status, answer.text.slice(0, 200)).toBe(status);
      expect(answer.type).toMatch(/^application\/json/);
      const error = JSON.parse(answer.text) as { message: string; request_id: string };
      expect(error.message).toMatch(message);
      expect(error.request_id).toBe(answer.headers.get('x-request-id'));
      expect(recordsOf(await post(server.base, good, 'application/jsonlines', { 'x-as-of-date': AS_OF })).map((r) => r.customer_id)).toEqual(['c3', 'c1', 'c2']);
    }
    const gzipped = await post(server.base, new Uint8Array(await new Response(new Blob([good]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()), 'application/jsonlines', {
      'content-encoding': 'gzip',
      'x-as-of-date': AS_OF,
    });
    expect(recordsOf(gzipped)).toHaveLength(3);
    const missing = await fetch(`${server.base}/predict`, { method: 'POST' });
    expect([missing.status, ((await missing.json()) as { message: string }).message]).toEqual([404, 'no route for POST /predict']);
  });

  it('gets a 500 with a request id and no stack trace when the model fails, and the stack goes to the log', async () => {
    const broken = await loadServingModel(dirs.xgboost);
    broken.model.dispose();
    const brokenLogs: LogLine[] = [];
    const failing = await serve({ model: broken }, brokenLogs);
    const answer = await post(failing.base, good, 'application/jsonlines', { 'x-request-id': 'req-500' });
    await failing.close();
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toEqual({ message: 'internal error; quote request id req-500', request_id: 'req-500' });
    expect(answer.text).not.toMatch(/\bat |booster|\.ts/);
    const logged = brokenLogs.find((line) => line.message === 'unhandled error')!;
    expect(logged).toMatchObject({ level: 'error', request_id: 'req-500', error: expect.stringMatching(/no trained booster/) });
    expect(logged.stack).toMatch(/\n\s+at /);
  });

  it('logs one structured line per request with its id, which it takes from the client or makes, and echoes', async () => {
    logs.length = 0;
    // The access line is written when the response closes, which can come after the client has
    // read it: each request waits for its own line, so the lines come in request order.
    const accessLine = (id: string | null) => loggedLine(logs, (line) => line.message === 'request' && line.request_id === id);
    const own = await post(server.base, good, 'application/jsonlines', { 'x-request-id': 'abc-123', 'x-as-of-date': AS_OF });
    expect(own.headers.get('x-request-id')).toBe('abc-123');
    await accessLine('abc-123');
    const sagemaker = await post(server.base, good, 'application/jsonlines', { 'x-amzn-sagemaker-custom-attributes': 'trace=42', 'x-as-of-date': AS_OF });
    expect([sagemaker.headers.get('x-request-id'), sagemaker.headers.get('x-amzn-sagemaker-custom-attributes')]).toEqual(['trace=42', 'trace=42']);
    await accessLine('trace=42');
    const made = await post(server.base, good, 'application/jsonlines', { 'x-request-id': 'x'.repeat(300), 'x-as-of-date': AS_OF });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await accessLine(made.headers.get('x-request-id'));
    expect(logs.map((line) => line.request_id)).toEqual(['abc-123', 'trace=42', made.headers.get('x-request-id')]);
    expect(logs[0]).toMatchObject({ level: 'info', message: 'request', method: 'POST', path: '/invocations', status: 200, customers: 3, bytes_in: Buffer.byteLength(good) });
    expect(logs[0]!.duration_ms).toEqual(expect.any(Number));
  });
});
