import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packArtifact } from '@nextbuy/artifact';
import { predictionRecordSchema } from '@nextbuy/contracts';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { historiesOf, jsonLines, sampleTransactions } from './fixtures';
import { NOT_JSON, ServerProcess } from './server-process';

const dirs = inject('modelDirs');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'inference-api-process-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** A POST on a connection of its own (so that node:cluster hands it to the next worker). */
function postOnNewConnection(port: number, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/invocations', agent: false, headers: { 'content-type': 'application/jsonlines', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode!, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const sample = jsonLines(historiesOf(sampleTransactions(), '2011-12-24'));

describe('the built server (node dist/apps/inference-api/main.js)', () => {
  it('loads model.tar.gz in every worker, spreads connections over them, replaces a dead one, and stops with 0 on SIGTERM', async () => {
    const modelDir = join(work, 'packed');
    await mkdir(modelDir);
    await packArtifact(dirs.xgboost, join(modelDir, 'model.tar.gz'));
    const server = await ServerProcess.start({ SM_MODEL_DIR: modelDir, SAGEMAKER_MODEL_SERVER_WORKERS: '2' });
    try {
      await server.waitForLog((line) => line.message === 'model loaded' && server.linesWhere((l) => l.message === 'model loaded').length === 2);
      const loaded = server.linesWhere((line) => line.message === 'model loaded');
      expect(new Set(loaded.map((line) => line.pid)).size).toBe(2);
      const manifest = JSON.parse(await readFile(join(dirs.xgboost, 'manifest.json'), 'utf8'));
      expect(loaded[0]).toMatchObject({ level: 'INFO', model_type: 'xgboost', model_version: manifest.modelVersion });
      expect((await fetch(`${server.base}/ping`)).status).toBe(200);
      expect(await (await fetch(`${server.base}/execution-parameters`)).json()).toEqual({ MaxConcurrentTransforms: 2, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 });

      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => postOnNewConnection(server.port, sample, { 'x-request-id': `spread-${i}` })));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.text).toBe(answers[0]!.text);
        const records = answer.text.trimEnd().split('\n').map((line) => predictionRecordSchema.parse(JSON.parse(line)));
        expect(records.map((r) => [r.customer_id, r.model_version])).toEqual(['c3', 'c1', 'c2'].map((id) => [id, manifest.modelVersion]));
      }
      // Each worker writes its own access lines: wait for all six, not just the last answered.
      for (let i = 0; i < 6; i++) await server.waitForLog((line) => line.message === 'request' && line.request_id === `spread-${i}`);
      const served = server.linesWhere((line) => line.message === 'request' && String(line.request_id).startsWith('spread-'));
      expect(new Set(served.map((line) => line.pid))).toEqual(new Set(loaded.map((line) => line.pid)));

      process.kill(loaded[0]!.pid, 'SIGKILL');
      await server.waitForLog((line) => line.message === 'worker died; starting another' && line.worker_pid === loaded[0]!.pid);
      await server.waitForLog((line) => line.message === 'model loaded' && !loaded.some((l) => l.pid === line.pid));
      expect((await postOnNewConnection(server.port, sample)).text).toBe(answers[0]!.text);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.logs.at(-1)).toMatchObject({ message: 'stopped', exit_code: 0 });
    expect(server.linesWhere((line) => line.message === NOT_JSON)).toEqual([]);
  });

  it('keeps /ping at 503 and logs one clear line for a corrupted artifact, an unknown format version, another horizon and a hostile tarball', async () => {
    const corrupted = join(work, 'corrupted');
    await cp(dirs.xgboost, corrupted, { recursive: true });
    const modelJson = await readFile(join(corrupted, 'model.json'), 'utf8');
    await writeFile(join(corrupted, 'model.json'), modelJson.replace(/\d/, (d) => String((Number(d) + 1) % 10)));

    const future = join(work, 'future');
    await cp(dirs.xgboost, future, { recursive: true });
    const manifest = JSON.parse(await readFile(join(future, 'manifest.json'), 'utf8'));
    await writeFile(join(future, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 99 }));

    // A model fitted for another p_order_90d horizon (a manifest of another build): refused, not served under a false name.
    const otherHorizon = join(work, 'other-horizon');
    await cp(dirs.xgboost, otherHorizon, { recursive: true });
    await writeFile(join(otherHorizon, 'manifest.json'), JSON.stringify({ ...manifest, horizons: { orderWithinDays: 60, classifierHorizonsDays: [7, 30, 60] } }));

    const hostileContent = join(work, 'hostile-content');
    await cp(dirs.xgboost, hostileContent, { recursive: true });
    await symlink('/etc/passwd', join(hostileContent, 'passwd'));
    const hostile = join(work, 'hostile');
    await mkdir(hostile);
    await tar.create({ gzip: true, file: join(hostile, 'model.tar.gz'), cwd: hostileContent }, ['manifest.json', 'model.json', 'passwd']);

    const cases: Array<[string, RegExp]> = [
      [corrupted, /checksum mismatch for "model\.json".*corrupted or was modified/],
      [future, /artifact format version 99 is not supported \(this build reads version 1\)/],
      [otherHorizon, /the model was fitted to predict an order within 60 days, but this build serves p_order_90d \(an order within 90 days\); retrain/],
      [hostile, /refused: entry "passwd" is a SymbolicLink, only files and directories are accepted/],
      [join(work, 'nowhere'), /no such model directory \(set SM_MODEL_DIR\)/],
    ];
    const servers = await Promise.all(cases.map(([dir]) => ServerProcess.start({ SM_MODEL_DIR: dir, SAGEMAKER_MODEL_SERVER_WORKERS: '1' })));
    try {
      for (const [i, server] of servers.entries()) {
        const failure = await server.waitForLog((line) => line.level === 'ERROR');
        expect(failure).toMatchObject({ message: 'model failed to load; /ping answers 503', error: expect.stringMatching(cases[i]![1]) });
        const ping = await fetch(`${server.base}/ping`);
        expect(ping.status).toBe(503);
        expect(((await ping.json()) as { error: string }).error).toMatch(cases[i]![1]);
        expect((await postOnNewConnection(server.port, sample)).status).toBe(503);
        expect(server.linesWhere((line) => line.level === 'ERROR')).toHaveLength(1);
      }
    } finally {
      for (const server of servers) expect(await server.stop()).toBe(0);
    }
  });

  it('finishes a request in flight on SIGTERM, then exits 0 (LSTM model, its library notices logged as JSON)', async () => {
    const server = await ServerProcess.start({ SM_MODEL_DIR: dirs.lstm, SAGEMAKER_MODEL_SERVER_WORKERS: '1' });
    await server.waitForLog((line) => line.message === 'model loaded');
    expect(server.linesWhere((line) => /TensorFlow\.js backend/.test(line.message))).toHaveLength(1);
    const body = Buffer.from(await readFile(join(dirs.lstm, 'batch-input.jsonl')));
    const answer = new Promise<{ status: number; text: string }>((done, fail) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/invocations', headers: { 'content-type': 'application/jsonlines', 'content-length': body.length, 'x-request-id': 'in-flight' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done({ status: res.statusCode!, text }));
        },
      );
      req.on('error', fail);
      req.write(body.subarray(0, body.length >> 1));
      // The rest of the body goes once the server has begun draining.
      server.waitForLog((line) => line.message === 'draining').then(() => req.end(body.subarray(body.length >> 1)), fail);
    });
    // Let the first half reach the worker before the signal.
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.signal('SIGTERM');
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(text.trimEnd().split('\n')).toHaveLength(body.toString().trimEnd().split('\n').length);
    expect(await server.exited).toBe(0);
    const order = server.logs.map((line) => (line.message === 'request' ? `request ${line.request_id} ${line.status}` : line.message));
    expect(order.slice(order.indexOf('draining'))).toEqual(['draining', 'request in-flight 200', 'stopped']);
    expect(server.linesWhere((line) => line.message === NOT_JSON)).toEqual([]);
  });

  it('stops without restarting them when its workers are signalled directly, as a process-tree kill does', async () => {
    const server = await ServerProcess.start({ SM_MODEL_DIR: dirs.xgboost, SAGEMAKER_MODEL_SERVER_WORKERS: '2' });
    await server.waitForLog((line) => line.message === 'model loaded' && server.linesWhere((l) => l.message === 'model loaded').length === 2);
    for (const line of server.linesWhere((l) => l.message === 'model loaded')) process.kill(line.pid, 'SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.linesWhere((line) => line.message === 'worker stopped')).toHaveLength(2);
    expect(server.linesWhere((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('exits 1 with one structured line when the environment is invalid', async () => {
    const server = await ServerProcess.start({ SM_MODEL_DIR: dirs.xgboost, SAGEMAKER_MODEL_SERVER_WORKERS: 'many' });
    expect(await server.exited).toBe(1);
    expect(server.logs).toEqual([expect.objectContaining({ level: 'ERROR', message: 'invalid configuration', error: expect.stringMatching(/^invalid configuration "SAGEMAKER_MODEL_SERVER_WORKERS": "many": /) })]);
  });
});
