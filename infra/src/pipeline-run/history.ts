import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** How one visit of one state ended (a state inside the Map is visited once per dataset). */
export interface StateOutcome {
  /** Id of the `*StateEntered` event: identifies the visit. */
  id: number;
  name: string;
  /** The `dataset` field of the state's input, when it has one (every state inside the Map). */
  dataset?: string;
  status: 'SUCCEEDED' | 'FAILED' | 'RUNNING';
  enteredAt: Date;
  leftAt?: Date;
  /** Task attempts (1 + retries); 0 for states that call nothing. */
  attempts: number;
  error?: string;
  cause?: string;
  /** Id of the event that ended the visit (exit, a Catch moving on, or the end of the execution). */
  endEventId?: number;
}

export interface ExecutionOutcome {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startedAt?: Date;
  stoppedAt?: Date;
  error?: string;
  cause?: string;
}

// A task attempt failed; a Retry or a Catch may follow.
const attemptFailures = new Set([
  'TaskFailed',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'TaskTimedOut',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionTimedOut',
  'ActivityFailed',
  'ActivityScheduleFailed',
  'ActivityTimedOut',
]);
const attemptStarts = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const executionEnds: Record<string, ExecutionOutcome['status']> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/**
 * Folds an execution's history (GetExecutionHistory events, oldest first) into one outcome per
 * state visit and the execution's own outcome. Events of concurrent Map iterations interleave,
 * so each event is tied to its state by walking its `previousEventId` chain, not by position.
 */
export function summarizeHistory(events: readonly HistoryEvent[]): { states: StateOutcome[]; execution: ExecutionOutcome } {
  const byId = new Map<number, HistoryEvent>();
  const visits = new Map<number, StateOutcome>();
  const execution: ExecutionOutcome = { status: 'RUNNING' };

  /** The visit an event belongs to: the nearest earlier `*StateEntered` on its chain (of that name, if given) still open. */
  const visitOf = (event: HistoryEvent, name?: string): StateOutcome | undefined => {
    for (let id = event.previousEventId; id !== undefined && id > 0; id = byId.get(id)?.previousEventId) {
      const visit = visits.get(id);
      if (visit && visit.status === 'RUNNING' && (name === undefined || visit.name === name)) return visit;
    }
    return undefined;
  };
  const end = (visit: StateOutcome, status: StateOutcome['status'], event: HistoryEvent) => {
    visit.status = status;
    visit.leftAt = event.timestamp;
    visit.endEventId = event.id;
  };

  for (const event of [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0))) {
    if (event.id === undefined || event.type === undefined) continue;
    byId.set(event.id, event);
    const type: string = event.type;

    if (type.endsWith('StateEntered')) {
      // Entering a state straight after a failed attempt means a Catch moved on from that state.
      const previous = event.previousEventId === undefined ? undefined : byId.get(event.previousEventId);
      if (previous?.type && attemptFailures.has(previous.type)) {
        const caught = visitOf(previous);
        if (caught) end(caught, 'FAILED', event);
      }
      const details = event.stateEnteredEventDetails;
      visits.set(event.id, {
        id: event.id,
        name: details?.name ?? type.replace('StateEntered', ''),
        ...datasetOf(details?.input),
        status: 'RUNNING',
        enteredAt: event.timestamp ?? new Date(0),
        attempts: 0,
      });
    } else if (type.endsWith('StateExited')) {
      const visit = visitOf(event, event.stateExitedEventDetails?.name);
      if (visit) end(visit, 'SUCCEEDED', event);
    } else if (attemptStarts.has(type)) {
      const visit = visitOf(event);
      if (visit) visit.attempts += 1;
    } else if (attemptFailures.has(type) || type === 'EvaluationFailed') {
      const visit = visitOf(event, event.evaluationFailedEventDetails?.state);
      if (visit) Object.assign(visit, errorOf(event));
    } else if (type === 'ExecutionStarted') {
      execution.startedAt = event.timestamp;
    } else if (type in executionEnds) {
      Object.assign(execution, { status: executionEnds[type], stoppedAt: event.timestamp }, errorOf(event));
      for (const visit of visits.values()) {
        if (visit.status !== 'RUNNING') continue;
        if (visit.error === undefined && execution.error !== undefined) Object.assign(visit, { error: execution.error, cause: execution.cause });
        end(visit, execution.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED', event);
      }
    }
  }
  return { states: [...visits.values()], execution };
}

/** `{error, cause}` from whichever `*EventDetails` of the event carries them. */
function errorOf(event: HistoryEvent): { error?: string; cause?: string } {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const { error, cause } = value as { error?: string; cause?: string };
    if (error !== undefined || cause !== undefined) return { error, cause };
  }
  return {};
}

function datasetOf(input: string | undefined): { dataset?: string } {
  if (input === undefined) return {};
  try {
    const parsed = JSON.parse(input) as { dataset?: unknown } | null;
    return typeof parsed?.dataset === 'string' ? { dataset: parsed.dataset } : {};
  } catch {
    return {};
  }
}
