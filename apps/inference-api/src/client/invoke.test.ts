import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { predictionRecordSchema } from '@nextbuy/contracts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listen } from '../../test/fixtures';
import { createApp } from '../app';
import type { LogLine } from '../logging';
import { loadServingModel, type ServingModel } from '../model-loading';
import { EndpointInvocationError, invokeEndpoint, OversizedLineError, payloadBatches, type InvocationResult } from './invoke';
import { runInvokeCli } from './invoke-cli';

const dirs = inject('modelDirs');
const credentials = { accessKeyId: 'dummy', secretAccessKey: 'dummy' };
let model: ServingModel;
let server: Awaited<ReturnType<typeof listen>>;
let lines: string[];
const logs: LogLine[] = [];

beforeAll(async () => {
  model = await loadServingModel(dirs.xgboost);
  server = await listen(createApp({ model }, { workers: 2, maxPayloadMb: 6, maxPayloadBytes: 6 * 1024 * 1024, log: (line) => logs.push(line) }));
  lines = (await readFile(join(dirs.xgboost, 'batch-input.jsonl'), 'utf8')).trimEnd().split('\n');
});
afterAll(async () => {
  await server.close();
  model.model.dispose();
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function outputLines(results: InvocationResult[]): string[] {
  return results.flatMap((result) => result.body.trimEnd().split('\n'));
}

describe('payloadBatches', () => {
  it('groups consecutive lines under the byte limit, skips blank lines and refuses a line over it', async () => {
    const batches = await collect(payloadBatches(['aaaa', 'bbbb', '', 'cc', 'dddddddd', 'e'], 10));
    expect(batches).toEqual([
      { firstLine: 1, lines: ['aaaa', 'bbbb'] },
      { firstLine: 4, lines: ['cc'] },
      { firstLine: 5, lines: ['dddddddd'] },
      { firstLine: 6, lines: ['e'] },
    ]);
    for (const batch of batches) expect(Buffer.byteLength(`${batch.lines.join('\n')}\n`)).toBeLessThanOrEqual(10);
    await expect(collect(payloadBatches(['ok', 'x'.repeat(10)], 10))).rejects.toThrow(OversizedLineError);
    await expect(collect(payloadBatches(['ok', 'x'.repeat(10)], 10))).rejects.toThrow(/line 2 is 11 bytes, over the payload limit of 10 bytes/);
  });
});

describe('invokeEndpoint through the real SageMakerRuntimeClient', () => {
  it('sends mini-batches to /endpoints/NAME/invocations and gets exactly one output line per input line, in order', async () => {
    const client = new SageMakerRuntimeClient({ endpoint: server.base, region: 'us-east-1', credentials });
    logs.length = 0;
    const results = await collect(invokeEndpoint(lines, { client, endpointName: 'nextbuy-local', maxPayloadBytes: 16 * 1024, customAttributes: 'batch-run-7' }));
    expect(results.length).toBeGreaterThan(3);
    expect(results.every((r) => r.contentType?.startsWith('application/jsonlines'))).toBe(true);
    const records = outputLines(results).map((line) => predictionRecordSchema.parse(JSON.parse(line)));
    expect(records.map((r) => r.customer_id)).toEqual(lines.map((line) => JSON.parse(line).customer_id));
    const whole = await fetch(`${server.base}/invocations`, { method: 'POST', body: `${lines.join('\n')}\n`, headers: { 'content-type': 'application/jsonlines' } });
    expect(outputLines(results)).toEqual((await whole.text()).trimEnd().split('\n'));
    const invocations = logs.filter((line) => line.path === '/endpoints/nextbuy-local/invocations');
    expect(invocations).toHaveLength(results.length);
    expect(invocations.every((line) => line.status === 200 && line.request_id === 'batch-run-7')).toBe(true);
    client.destroy();
  });

  it('says which lines a refused batch held', async () => {
    const client = new SageMakerRuntimeClient({ endpoint: server.base, region: 'us-east-1', credentials });
    const broken = [...lines.slice(0, 5), '{"customer_id": "x", "orders": []}', ...lines.slice(5, 10)];
    const error = await collect(invokeEndpoint(broken, { client, endpointName: 'nextbuy-local', maxPayloadBytes: 8000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointInvocationError);
    expect((error as Error).message).toMatch(/^endpoint "nextbuy-local" refused the batch of lines \d+-\d+ \(HTTP 400\): record \d+, field "orders": Too small/);
    client.destroy();
  });
});

describe('the invoke command line (nx run inference-api:invoke)', () => {
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'dummy';
    process.env.AWS_SECRET_ACCESS_KEY = 'dummy';
  });

  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (into: string[]) => new Writable({ write: (chunk, _encoding, done) => (into.push(String(chunk)), done()) });
    const code = await runInvokeCli(argv, { stdout: sink(out), stderr: sink(err) }, {});
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('prints one prediction per input line as JSON Lines, or CSV when asked', async () => {
    const file = join(dirs.xgboost, 'batch-input.jsonl');
    const common = ['--endpoint', 'nextbuy-local', '--file', file, '--endpoint-url', server.base, '--max-payload-mb', '0.02'];
    const jsonl = await run(common);
    expect(jsonl.stderr).toBe('');
    expect(jsonl.code).toBe(0);
    const printed = jsonl.stdout.trimEnd().split('\n');
    expect(printed.map((line) => predictionRecordSchema.parse(JSON.parse(line)).customer_id)).toEqual(lines.map((line) => JSON.parse(line).customer_id));
    expect((await run([...common, '--accept', 'application/json'])).stdout).toBe(jsonl.stdout);
    const csv = await run([...common, '--accept', 'text/csv']);
    expect(csv.stdout.trimEnd().split('\n').map((line) => line.split(',')[0])).toEqual(printed.map((line) => JSON.parse(line).customer_id));
  });

  it('exits 2 on a usage error and 1 when the endpoint refuses, saying why', async () => {
    const usage = await run(['--endpoint', 'x']);
    expect([usage.code, usage.stderr]).toEqual([2, "error: required option '--file <path>' not specified\n"]);
    const bad = join(dirs.xgboost, '..', 'bad-input.jsonl');
    await writeFile(bad, '{"customer_id": "x", "orders": "none"}\n');
    const refused = await run(['--endpoint', 'nextbuy-local', '--file', bad, '--endpoint-url', server.base]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('endpoint "nextbuy-local" refused the batch of lines 1-1 (HTTP 400): record 1, field "orders": Invalid input: expected array, received string\n');
  });
});
