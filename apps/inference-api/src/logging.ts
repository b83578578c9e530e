import { Logger } from '@aws-lambda-powertools/logger';

/** One structured log line: what CloudWatch Logs Insights and `jq` read without a parser. */
export type LogLine = { level: 'info' | 'warn' | 'error'; message: string } & Record<string, unknown>;

/** Where log lines go; the server writes them through `serverLog`, tests may collect them. */
export type LogSink = (line: LogLine) => void;

let logger: Logger | undefined;

/**
 * The server's log: Powertools for AWS Lambda's Logger, the one the trainer and the Lambda
 * functions use too. One JSON object per line (`level`, `message`, `timestamp`, `service`, the
 * process id, the line's fields); info on stdout, warnings and errors on stderr;
 * `POWERTOOLS_LOG_LEVEL` sets the threshold. Made on first use, in the process that logs.
 */
export const serverLog: LogSink = ({ level, message, ...fields }) => {
  logger ??= new Logger({ serviceName: 'inference-api', persistentKeys: { pid: process.pid } });
  logger[level](message, fields);
};
