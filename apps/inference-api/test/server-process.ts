import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const SERVER_MAIN = join(resolve(import.meta.dirname, '../../..'), 'dist/apps/inference-api/main.js');

/** A free TCP port on loopback (free when returned; the server binds it right after). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

/** The message of a log line that was not JSON (the server should write none). */
export const NOT_JSON = '(not a JSON line)';

export type ServerLog = Record<string, unknown> & { message: string; pid: number };

/** The built server (`node dist/apps/inference-api/main.js`) as a child process, with its log. */
export class ServerProcess {
  readonly logs: ServerLog[] = [];
  readonly exited: Promise<number | null>;
  private readonly waiters: Array<{ test: (line: ServerLog) => boolean; done: (line: ServerLog) => void }> = [];
  private readonly child: ChildProcess;

  constructor(
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [SERVER_MAIN], {
      env: { PATH: process.env.PATH, SAGEMAKER_BIND_TO_PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The server's logger writes info to stdout, warnings and errors to stderr: one log, read from both.
    const onLine = (text: string) => {
      let line: ServerLog;
      try {
        line = JSON.parse(text) as ServerLog;
      } catch {
        line = { message: NOT_JSON, pid: 0, text };
      }
      this.logs.push(line);
      for (const waiter of this.waiters.filter((w) => w.test(line))) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.done(line);
      }
    };
    createInterface({ input: this.child.stdout! }).on('line', onLine);
    createInterface({ input: this.child.stderr! }).on('line', onLine);
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  static async start(env: Record<string, string>): Promise<ServerProcess> {
    return new ServerProcess(await freePort(), env);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The first log line, past or future, that passes `test`. */
  waitForLog(test: (line: ServerLog) => boolean, timeoutMs = 30_000): Promise<ServerLog> {
    const seen = this.logs.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no matching log line in ${timeoutMs} ms; log so far:\n${this.logs.map((l) => JSON.stringify(l)).join('\n')}`)), timeoutMs);
      this.waiters.push({ test, done: (line) => (clearTimeout(timer), done(line)) });
    });
  }

  /** Log lines seen so far that pass `test`. */
  linesWhere(test: (line: ServerLog) => boolean): ServerLog[] {
    return this.logs.filter(test);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
