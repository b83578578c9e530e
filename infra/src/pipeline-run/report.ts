import type { ExecutionOutcome, StateOutcome } from './history';

/** One line per state visit: name, dataset, status, duration, attempts, and the error of a failure. */
export function formatStateOutcome(state: StateOutcome): string {
  const took = state.leftAt ? formatDuration(state.leftAt.getTime() - state.enteredAt.getTime()) : '-';
  const retried = state.attempts > 1 ? ` (${state.attempts} attempts)` : '';
  const failure = state.status === 'FAILED' && (state.error || state.cause) ? `  ${state.error ?? 'Error'}: ${readableCause(state.cause)}` : '';
  return `${state.name.padEnd(18)} ${(state.dataset ?? '').padEnd(16)} ${state.status.padEnd(9)} ${took.padStart(7)}${retried}${failure}`;
}

/** The closing line: how the execution ended, after how long, and why if it failed. */
export function formatExecutionOutcome(executionArn: string, execution: ExecutionOutcome): string {
  const name = executionArn.split(':').at(-1);
  const took = execution.startedAt && execution.stoppedAt ? ` after ${formatDuration(execution.stoppedAt.getTime() - execution.startedAt.getTime())}` : '';
  const failure = execution.status !== 'SUCCEEDED' && (execution.error || execution.cause) ? `: ${execution.error ?? 'Error'}: ${readableCause(execution.cause)}` : '';
  return `execution ${name} ${execution.status}${took}${failure}`;
}

/** 0.4s, 12.3s, 4m05s, 1h02m. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * A cause on one line. Lambda errors arrive as `{"errorMessage", "errorType", "trace"}` and a
 * failed .sync job as its Describe* response: their message or FailureReason is what matters.
 */
export function readableCause(cause: string | undefined): string {
  if (cause === undefined) return '';
  let text = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; FailureReason?: unknown } | null;
    const message = parsed?.errorMessage ?? parsed?.FailureReason;
    if (typeof message === 'string') text = message;
  } catch {
    // Not JSON: the cause is already plain text.
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}
