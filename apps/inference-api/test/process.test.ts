import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    // "Expect: 100-continue": the worker's HTTP parser answers 100 once it has the request, which
    // is the moment to signal (a SIGTERM sooner could find the connection not yet handed to it).
    let reached!: () => void;
    const inWorker = new Promise<void>((done) => (reached = done));
    const answer = new Promise<{ status: number; text: string }>((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/invocations',
          headers: { 'content-type': 'application/jsonlines', 'content-length': body.length, 'x-request-id': 'in-flight', expect: '100-continue' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done({ status: res.statusCode!, text }));
        },
      );
      req.on('error', fail);
      req.once('continue', () => {
        req.write(body.subarray(0, body.length >> 1));
        reached();
      });
      // The rest of the body goes once the server has begun draining.
      server.waitForLog((line) => line.message === 'draining').then(() => req.end(body.subarray(body.length >> 1)), fail);
    });
    await inWorker;
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

  it('gives up with exit 1 when its workers keep dying (the sixth death within the restart window)', async () => {
    // A window of an hour: six deaths always fall within it, however slowly the workers start.
    const server = await ServerProcess.start({ SM_MODEL_DIR: dirs.xgboost, SAGEMAKER_MODEL_SERVER_WORKERS: '1', WORKER_RESTART_WINDOW_SECONDS: '3600' });
    const killed: number[] = [];
    for (let death = 1; death <= 6; death++) {
      const worker = await server.waitForLog((line) => line.message === 'listening' && !killed.includes(line.pid));
      killed.push(worker.pid);
      process.kill(worker.pid, 'SIGKILL');
      if (death < 6) await server.waitForLog((line) => line.message === 'worker died; starting another' && line.worker_pid === worker.pid);
    }
    expect(await server.exited).toBe(1);
    expect(server.linesWhere((line) => line.message === 'worker died; starting another').map((line) => line.worker_pid)).toEqual(killed.slice(0, 5));
    expect(server.linesWhere((line) => line.message.endsWith('giving up'))).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'workers died 6 times in 3600 s; giving up', worker_pid: killed[5], signal: 'SIGKILL' }),
    ]);
  });

  it('closes a request still in flight when the drain timeout passes, says so, and exits 1', async () => {
    const server = await ServerProcess.start({ SM_MODEL_DIR: dirs.xgboost, SAGEMAKER_MODEL_SERVER_WORKERS: '1', DRAIN_TIMEOUT_SECONDS: '1' });
    await server.waitForLog((line) => line.message === 'model loaded');
    // A request whose body never comes: the worker has it (it answered 100 Continue) and waits.
    const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/invocations', headers: { 'content-type': 'application/jsonlines', 'content-length': 1000, 'x-request-id': 'stuck', expect: '100-continue' } });
    const closed = new Promise<string>((done) => {
      req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
      req.on('response', () => done('answered'));
    });
    await new Promise<void>((done) => req.once('continue', done));
    server.signal('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(await closed).toBe('ECONNRESET');
    // Warnings go to stderr and the rest to stdout, so the test reads which lines came, not their
    // order across the two (the worker exits right after closing the connection, before its access line).
    expect(server.linesWhere((line) => line.message === 'draining')).toHaveLength(1);
    expect(server.linesWhere((line) => line.message.startsWith('drain timed out'))).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'drain timed out; closing the remaining connections', timeout_ms: 1000 }),
    ]);
    expect(server.linesWhere((line) => line.message === 'stopped')).toEqual([expect.objectContaining({ exit_code: 1 })]);
  });

  it('exits 1 at once, naming the port, when the port is already in use', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, done));
    const { port } = holder.address() as AddressInfo;
    try {
      const server = new ServerProcess(port, { SM_MODEL_DIR: dirs.xgboost, SAGEMAKER_MODEL_SERVER_WORKERS: '2' });
      expect(await server.exited).toBe(1);
      const cannot = server.linesWhere((line) => line.message === 'cannot listen');
      expect(cannot.length).toBeGreaterThanOrEqual(1);
      expect(cannot[0]).toMatchObject({ level: 'ERROR', port, error_code: 'EADDRINUSE', error: `port ${port} is already in use: stop what listens there or set SAGEMAKER_BIND_TO_PORT to another port` });
      // No restart: another worker would find the port taken just the same.
      expect(server.linesWhere((line) => line.message === 'worker died; starting another')).toEqual([]);
      expect(server.linesWhere((line) => line.message.endsWith('giving up'))).toEqual([expect.objectContaining({ level: 'ERROR', message: 'a worker cannot listen (logged above); giving up', port })]);
    } finally {
      await new Promise((done) => holder.close(done));
    }
  });

  it('exits 1 with one structured line when the environment is invalid', async () => {
    const server = await ServerProcess.start({ SM_MODEL_DIR: dirs.xgboost, SAGEMAKER_MODEL_SERVER_WORKERS: 'many' });
    expect(await server.exited).toBe(1);
    expect(server.logs).toEqual([expect.objectContaining({ level: 'ERROR', message: 'invalid configuration', error: expect.stringMatching(/^invalid configuration "SAGEMAKER_MODEL_SERVER_WORKERS": "many": /) })]);
  });
});
