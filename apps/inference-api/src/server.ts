import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { format } from 'node:util';
import { createApp, type ServingState } from './app';
import type { ServerConfig } from './config';
import type { LogSink } from './logging';
import { loadServingModel } from './model-loading';

// In-flight requests get this long to finish after SIGTERM (a 6 MB batch takes about a second);
// then the worker closes what is left and says so, rather than being cut off by a later SIGKILL.
const DRAIN_TIMEOUT_MS = 25_000;
// A worker that dies this often is not going to recover: the primary exits so the container fails loudly.
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * Sends what libraries print with `console` (the LSTM's backend choice, tfjs notices) through the
 * structured log, so that every line the server writes is one JSON object.
 */
function routeConsole(log: LogSink): void {
  const levels = { log: 'info', info: 'info', warn: 'warn', error: 'error' } as const;
  // The logger itself prints through the global console in Powertools' dev mode (POWERTOOLS_DEV): that call goes straight out.
  let logging = false;
  for (const [method, level] of Object.entries(levels)) {
    const original = console[method as keyof typeof levels].bind(console);
    console[method as keyof typeof levels] = (...args: unknown[]) => {
      if (logging) return original(...args);
      logging = true;
      try {
        log({ level, message: format(...args) });
      } finally {
        logging = false;
      }
    };
  }
}

/**
 * A worker: serves at once (/ping is 503 until the model is loaded), loads the model, and on
 * SIGTERM stops accepting connections, lets in-flight requests finish, then exits 0. A model
 * that fails to load is logged once and leaves the worker up and not ready, never crash-looping.
 */
export function runWorker(config: ServerConfig, log: LogSink): void {
  routeConsole(log);
  const state: ServingState = {};
  const app = createApp(state, config);
  const server: Server = app.listen(config.port);
  // The model loads once the port is open, so a "model loaded" or "failed" line always means
  // /ping already answers (a failure found at once would otherwise be logged before the port is).
  server.once('listening', () => {
    log({ level: 'info', message: 'listening', port: config.port });
    const started = Date.now();
    loadServingModel(config.modelDir).then(
      (model) => {
        state.model = model;
        log({
          level: 'info',
          message: 'model loaded',
          model_dir: config.modelDir,
          model_type: model.manifest.modelType,
          model_version: model.manifest.modelVersion,
          load_ms: Date.now() - started,
        });
      },
      (error: Error) => {
        state.failure = error.message;
        log({ level: 'error', message: 'model failed to load; /ping answers 503', model_dir: config.modelDir, error: error.message, error_name: error.name });
      },
    );
  });

  server.on('error', (error: NodeJS.ErrnoException) => {
    log({ level: 'error', message: 'cannot listen', port: config.port, error: error.message });
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ level: 'info', message: 'draining', signal });
    server.close(() => process.exit(0));
    // Keep-alive connections hold close() open until they time out: close each as soon as it has no
    // request in flight (at once for idle ones, after its response for the others).
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      log({ level: 'warn', message: 'drain timed out; closing the remaining connections', timeout_ms: DRAIN_TIMEOUT_MS });
      server.closeAllConnections();
      process.exit(1);
    }, DRAIN_TIMEOUT_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The primary is gone (killed without a chance to signal us): nobody would stop this worker.
  process.on('disconnect', () => stop('disconnect'));
  stopWhenLogIsGone(stop);
}

/**
 * Whoever read the log (a terminal, `nx serve`, the container runtime) is gone when stdout
 * breaks: stop as on SIGTERM instead of dying on the first log line and being restarted.
 */
function stopWhenLogIsGone(stop: (reason: string) => void): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => stop(`stdout ${error.code ?? error.message}`));
}

/**
 * The primary: forks the workers (node:cluster shares the port between them), replaces one
 * that dies, and on SIGTERM passes it on and exits 0 once every worker has drained (also when
 * the workers were signalled directly and all stopped).
 */
export function runPrimary(config: ServerConfig, log: LogSink): void {
  routeConsole(log);
  log({ level: 'info', message: 'starting', workers: config.workers, threads_per_worker: config.threadsPerWorker, port: config.port, model_dir: config.modelDir, max_payload_mb: config.maxPayloadMb });
  const restarts: number[] = [];
  // libgomp reads OMP_NUM_THREADS when XGBoost is loaded, so it is set in the worker's environment.
  const fork = () => cluster.fork({ OMP_NUM_THREADS: String(config.threadsPerWorker) });
  let stopping = false;
  let failed = false;

  cluster.on('exit', (worker, code, signal) => {
    // A worker exits 0 only once it has drained on a signal, ours or one sent to it directly
    // (a process-tree kill, Ctrl-C in a terminal): that is a stop, not a death to repair.
    if (stopping || code === 0) {
      if (code !== 0) failed = true;
      else if (!stopping) log({ level: 'info', message: 'worker stopped', worker_pid: worker.process.pid });
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log({ level: 'info', message: 'stopped', exit_code: failed ? 1 : 0 });
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      log({ level: 'error', message: `workers died ${restarts.length} times in ${RESTART_WINDOW_MS / 1000} s; giving up`, worker_pid: worker.process.pid, exit_code: code, signal });
      process.exit(1);
    }
    log({ level: 'error', message: 'worker died; starting another', worker_pid: worker.process.pid, exit_code: code, signal });
    fork();
  });
  for (let i = 0; i < config.workers; i++) fork();

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ level: 'info', message: 'stopping', signal });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  stopWhenLogIsGone(stop);
}
