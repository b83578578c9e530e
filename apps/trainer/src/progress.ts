import { Logger } from '@aws-lambda-powertools/logger';
import { type FitProgress, type FitStage, metricLine } from '@nextbuy/contracts';

/**
 * Progress and log output of the trainer. On a terminal: a progress bar redrawn in place on
 * stderr, and plain log lines. Elsewhere (SageMaker, CI, pipes): the structured log of
 * Powertools' Logger, one JSON object per line, progress at most every 10%, and each fit
 * iteration's losses as a metric line on stdout for the training job's metric definitions.
 */
export interface Reporter {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /**
   * Starts a long step of `total` units (0: not known yet, a running count until an update
   * gives one); call `update(done)` as it goes and `end()` when finished.
   */
  step(name: string, total: number, unit?: string): ReporterStep;
  /** A fit's iterations as a step's progress, its losses as metric lines (`final:train-logloss=0.41;`). */
  fitProgress(step: ReporterStep, stage: FitStage): (event: FitProgress) => void;
}

export interface ReporterStep {
  /** `total`, when given, replaces the step's total (a fit knows its own once it starts). */
  update(done: number, detail?: string, total?: number): void;
  end(detail?: string): void;
}

/** Where a reporter writes; the defaults are the process's streams and a Powertools Logger. */
export interface ReporterOutput {
  /** The progress bar's stream; a terminal (isTTY) gets the bar and plain lines, anything else the structured log. */
  terminal: { isTTY?: boolean; write(text: string): unknown };
  /** The structured log off a terminal. */
  log: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  /** Metric lines (stdout). */
  print: (line: string) => void;
  now: () => number;
}

const BAR_WIDTH = 28;

/** The trainer's structured log: Powertools' Logger, the one the inference server and the Lambda functions use (POWERTOOLS_LOG_LEVEL sets its threshold). */
function powertoolsLog(): ReporterOutput['log'] {
  const logger = new Logger({ serviceName: 'trainer' });
  return (level, message, fields) => logger[level](message, fields);
}

export function createReporter(output: Partial<ReporterOutput> = {}): Reporter {
  const terminal = output.terminal ?? process.stderr;
  const now = output.now ?? Date.now;
  const print = output.print ?? ((line: string) => console.log(line));
  const tty = Boolean(terminal.isTTY);
  const log = tty ? undefined : (output.log ?? powertoolsLog());
  const write = (level: 'info' | 'warn', message: string, fields: Record<string, unknown> = {}) => {
    if (log) log(level, message, fields);
    else terminal.write(`${level === 'info' ? '' : `${level}: `}${message}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}\n`);
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    step(name, initialTotal, unit = '') {
      const started = now();
      let total = initialTotal;
      let lastLoggedTenth = -1;
      let lastLoggedAt = started;
      const seconds = () => Number(((now() - started) / 1000).toFixed(1));
      return {
        update(done, detail, newTotal) {
          if (newTotal !== undefined) total = newTotal;
          if (total <= 0) {
            // Unknown total (a streamed read): a running count, logged every few seconds off a terminal.
            if (tty) terminal.write(`\r${name}: ${done}${unit ? ` ${unit}` : ''}${detail ? ` ${detail}` : ''}\x1b[K`);
            else if (now() - lastLoggedAt >= 5000) {
              lastLoggedAt = now();
              write('info', `${name} progress`, { done, seconds: seconds() });
            }
            return;
          }
          const fraction = Math.min(1, done / total);
          if (tty) {
            const filled = Math.round(fraction * BAR_WIDTH);
            terminal.write(`\r${name} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total}${unit ? ` ${unit}` : ''}${detail ? ` ${detail}` : ''}\x1b[K`);
          } else {
            const tenth = Math.floor(fraction * 10);
            if (tenth > lastLoggedTenth) {
              lastLoggedTenth = tenth;
              write('info', `${name} progress`, { done, total, ...(detail ? { detail } : {}), seconds: seconds() });
            }
          }
        },
        end(detail) {
          if (tty) terminal.write('\r\x1b[K');
          write('info', `${name} done`, { seconds: seconds(), ...(detail ? { detail } : {}) });
        },
      };
    },
    fitProgress(step, stage) {
      return ({ step: done, total, metrics }) => {
        const line = metricLine(metrics, stage);
        // On a terminal the losses ride in the bar; elsewhere each iteration is a line SageMaker charts.
        step.update(done, tty ? line : undefined, total);
        if (!tty && line) print(line);
      };
    },
  };
}
