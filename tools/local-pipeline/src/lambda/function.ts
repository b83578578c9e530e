import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TaskError } from '../errors';

/** One Lambda function as the CDK stack defines it: code, configuration, limits. */
export interface LambdaFunctionSpec {
  name: string;
  /** The built bundle exporting `handler` (the zip's `main.handler`). */
  bundle: string;
  /** The function's environment variables: all it gets, as in Lambda. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** Where the function's stdout and stderr go (its CloudWatch log group, locally). */
  logFile: string;
}

interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type WorkerReply = { ready: true } | { id: number; result: string } | { id: number; error: FunctionError };

/**
 * A Lambda function run in-process: its bundle is imported in a worker thread started with the
 * function's environment (so each function sees only its own configuration, read when its handler
 * first runs). Invocations return the handler's JSON result; a function error rejects with a
 * TaskError named by its errorType and carrying Lambda's error JSON as the cause, which is what
 * a Step Functions Task state sees. A timed-out invocation ends the worker, as Lambda discards the
 * execution environment; the next invocation starts a fresh one.
 */
export class LocalLambdaFunction {
  private worker?: Worker;
  private started?: Promise<void>;
  private log?: WriteStream;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(readonly spec: LambdaFunctionSpec) {}

  get arn(): string {
    return `arn:aws:lambda:${this.spec.environment.AWS_REGION ?? 'us-east-1'}:000000000000:function:${this.spec.name}`;
  }

  /** Invokes the handler with `event` (RequestResponse) and returns its result. */
  async invoke(event: unknown): Promise<unknown> {
    await this.start();
    const worker = this.worker!;
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // One clock for the timeout and the handler's getRemainingTimeInMillis, started once the environment is up.
    const deadline = Date.now() + this.spec.timeoutSeconds * 1000;
    worker.postMessage({ id, event, deadline });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.pending.delete(id);
        void this.stop();
        const message = `Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`;
        reject(new TaskError('Sandbox.Timedout', JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: message })));
      }, deadline - Date.now());
    });
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the execution environment; pending invocations fail. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.started = undefined;
    for (const { reject } of this.pending.values()) reject(new TaskError('Lambda.ServiceException', `${this.spec.name}: the execution environment was shut down`));
    this.pending.clear();
    const log = this.log;
    this.log = undefined;
    if (worker) {
      await worker.terminate();
      // Nothing may write to the log once it is closed.
      if (log) for (const output of [worker.stdout, worker.stderr]) output.unpipe(log);
    }
    if (log) await new Promise<void>((resolve) => log.end(resolve));
  }

  private start(): Promise<void> {
    this.started ??= this.boot();
    return this.started;
  }

  private async boot(): Promise<void> {
    const { spec } = this;
    await mkdir(dirname(spec.logFile), { recursive: true });
    this.log ??= createWriteStream(spec.logFile, { flags: 'a' });
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      env: spec.environment,
      stdout: true,
      stderr: true,
      workerData: { bundleUrl: pathToFileURL(spec.bundle).href, functionName: spec.name, functionArn: this.arn, memoryMb: spec.memoryMb },
    });
    worker.stdout.pipe(this.log, { end: false });
    worker.stderr.pipe(this.log, { end: false });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) return resolve();
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        this.pending.delete(reply.id);
        if ('result' in reply) waiting.resolve(JSON.parse(reply.result));
        else waiting.reject(new TaskError(reply.error.errorType, JSON.stringify(reply.error)));
      });
      // The environment dies under its invocations (an uncaught error, process.exit): Lambda reports Runtime.ExitError.
      const died = (errorMessage: string) => {
        reject(new Error(`${spec.name}: ${errorMessage}`));
        if (this.worker !== worker) return;
        for (const { reject: rejectInvocation } of this.pending.values()) {
          rejectInvocation(new TaskError('Runtime.ExitError', JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage })));
        }
        this.pending.clear();
        this.worker = undefined;
        this.started = undefined;
      };
      worker.on('error', (error) => died(error.message));
      worker.on('exit', (code) => died(`the runtime exited with code ${code}`));
    });
  }
}
