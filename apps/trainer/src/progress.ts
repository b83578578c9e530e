/**
 * Progress and log output of the trainer. On a terminal: a progress bar redrawn in place on
 * stderr. Elsewhere (SageMaker, CI, pipes): one JSON object per line, so CloudWatch and log
 * tools can parse them; progress is then logged at most every 10%.
 */
export interface Reporter {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Starts a long step; call `update(done)` as it goes and `end()` when finished. */
  step(name: string, total: number, unit?: string): { update(done: number, detail?: string): void; end(detail?: string): void };
}

const BAR_WIDTH = 28;

export function createReporter(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Reporter {
  const tty = Boolean(stream.isTTY);
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (tty) stream.write(`${level === 'info' ? '' : `${level}: `}${message}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}\n`);
    else stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, message, ...fields })}\n`);
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    step(name, total, unit = '') {
      const started = now();
      let lastLoggedTenth = -1;
      let lastLoggedAt = started;
      const seconds = () => Number(((now() - started) / 1000).toFixed(1));
      return {
        update(done, detail) {
          if (total <= 0) {
            // Unknown total (a streamed read): a running count, logged every few seconds off a terminal.
            if (tty) stream.write(`\r${name}: ${done}${unit ? ` ${unit}` : ''}${detail ? ` ${detail}` : ''}\x1b[K`);
            else if (now() - lastLoggedAt >= 5000) {
              lastLoggedAt = now();
              write('info', `${name} progress`, { done, seconds: seconds() });
            }
            return;
          }
          const fraction = total > 0 ? Math.min(1, done / total) : 1;
          if (tty) {
            const filled = Math.round(fraction * BAR_WIDTH);
            stream.write(`\r${name} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total}${unit ? ` ${unit}` : ''}${detail ? ` ${detail}` : ''}\x1b[K`);
          } else {
            const tenth = Math.floor(fraction * 10);
            if (tenth > lastLoggedTenth) {
              lastLoggedTenth = tenth;
              write('info', `${name} progress`, { done, total, ...(detail ? { detail } : {}), seconds: seconds() });
            }
          }
        },
        end(detail) {
          if (tty) stream.write('\r\x1b[K');
          write('info', `${name} done`, { seconds: seconds(), ...(detail ? { detail } : {}) });
        },
      };
    },
  };
}
