import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { extractArtifact } from '@nextbuy/artifact';
import { MODEL_TARBALL, parseS3Uri } from '@nextbuy/contracts';
import { downloadObject } from '../s3-objects';

/**
 * What SageMaker does before it starts a serving container: downloads the model's
 * `model.tar.gz` and extracts it into what becomes /opt/ml/model (`<workdir>/model`, returned).
 */
export async function fetchModelArtifact(s3: S3Client, modelDataUrl: string, workdir: string): Promise<string> {
  const artifact = parseS3Uri(modelDataUrl);
  await downloadObject(s3, artifact.bucket, artifact.key, join(workdir, MODEL_TARBALL));
  await extractArtifact(join(workdir, MODEL_TARBALL), join(workdir, 'model'));
  return join(workdir, 'model');
}

/** A free TCP port on 127.0.0.1 (for a server that must be told its port, like SAGEMAKER_BIND_TO_PORT). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ModelServerOptions {
  /** The serving image's `serve` entry point, run here as `node <bundle>`. */
  bundle: string;
  /** The extracted model artifact (`/opt/ml/model` in the container). */
  modelDir: string;
  /** The model's container Environment and the platform's variables. */
  environment: Record<string, string>;
  logFile: string;
  /** How long the container may take to answer GET /ping with 200. */
  readyTimeoutMs: number;
  /** Stops the server (the pipeline is shutting down). */
  signal?: AbortSignal;
}

export interface ModelServer {
  url: string;
  stop(): Promise<void>;
}

const POLL_MS = 250;
const STOP_GRACE_MS = 10_000;

function logTail(path: string): string {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  return lines.slice(-5).join('\n');
}

/**
 * Starts the inference server as SageMaker starts a serving container (SM_MODEL_DIR,
 * SAGEMAKER_BIND_TO_PORT, the model's environment), then waits for GET /ping to answer 200.
 * Fails, with the end of its log, if the process exits first or the wait times out.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const port = await freePort();
  await mkdir(dirname(options.logFile), { recursive: true });
  const logFd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [options.bundle], {
    env: { ...process.env, ...options.environment, SM_MODEL_DIR: options.modelDir, SAGEMAKER_BIND_TO_PORT: String(port) },
    stdio: ['ignore', logFd, logFd],
    signal: options.signal,
  });
  closeSync(logFd);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exit = error.message;
      resolve();
    });
  });
  const stop = async () => {
    if (exit === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + options.readyTimeoutMs;
  while (exit === undefined) {
    const ping = await fetch(`${url}/ping`).catch(() => undefined);
    if (ping?.status === 200) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the model server did not answer GET /ping with 200 within ${options.readyTimeoutMs / 1000} s; its log ends:\n${logTail(options.logFile)}`);
    }
    await sleep(POLL_MS);
  }
  throw new Error(`the model server stopped (${exit}) before it was ready; its log ends:\n${logTail(options.logFile)}`);
}
