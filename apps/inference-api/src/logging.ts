/** One structured log line: what CloudWatch Logs Insights and `jq` read without a parser. */
export type LogLine = { level: 'info' | 'warn' | 'error'; message: string } & Record<string, unknown>;

/** Where log lines go; the server writes JSON Lines to stdout, tests may collect them. */
export type LogSink = (line: LogLine) => void;

/** Writes each line as one JSON object on stdout, with the time and the process id. */
export const stdoutLog: LogSink = (line) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...line })}\n`);
};
