import { z } from 'zod';
import type { EventLog } from './state-machine';

/** How one state of one dataset's run went. */
export interface StateTiming {
  state: string;
  seconds: number;
  /** 1 + the retries the state's Retry made. */
  attempts: number;
  /** `Error: cause` of the last failure, if it failed at least once. */
  lastError?: string;
  /** How often the state ran, when more than once (DescribeEndpoint polls until the endpoint settles); `seconds` then spans them all. */
  visits?: number;
}

// The parts of the Map item's state the summary reads; other fields pass through unread.
const datasetStateSchema = z.object({
  dataset: z.string(),
  run: z.string(),
  extract: z
    .object({
      transactions: z.object({ uri: z.string(), rows: z.number() }),
      batchInput: z.object({ uri: z.string(), customers: z.number(), asOfDate: z.string() }),
      report: z.object({ rowsRead: z.number(), rowsKept: z.number() }),
    })
    .optional(),
  train: z.object({ trainingJobName: z.string(), modelArtifacts: z.string() }).optional(),
  createModel: z.object({ modelName: z.string(), endpoint: z.object({ endpointName: z.string(), configName: z.string() }).optional() }).optional(),
  transform: z.object({ transformJobName: z.string(), outputUri: z.string() }).optional(),
  writePredictions: z.object({ objects: z.number(), written: z.number(), skipped: z.number(), rejectedCount: z.number() }).optional(),
  failure: z.object({ Error: z.string(), Cause: z.string() }).optional(),
  /** Set on the way to RecordSuccess: whether the dataset's endpoint now serves this run's model. */
  endpoint: z.object({ deployed: z.boolean(), name: z.string().optional(), configName: z.string().optional(), status: z.string().optional() }).optional(),
  endpointFailure: z.object({ Error: z.string(), Cause: z.string() }).optional(),
});
export type DatasetState = z.infer<typeof datasetStateSchema>;

/** One dataset's run through the Map: its status, each state's timing, and what the steps returned. */
export interface DatasetOutcome {
  dataset: string;
  /** ENDPOINT_FAILED: predictions written, but the dataset's endpoint does not serve the new model. */
  status: 'SUCCEEDED' | 'FAILED' | 'ENDPOINT_FAILED' | 'UNFINISHED';
  states: StateTiming[];
  /** The item's state when it reached RecordSuccess, RecordFailure or RecordEndpointFailure. */
  data?: DatasetState;
}

const RECORD_STATES: ReadonlyMap<string, DatasetOutcome['status']> = new Map([
  ['RecordSuccess', 'SUCCEEDED'],
  ['RecordFailure', 'FAILED'],
  ['RecordEndpointFailure', 'ENDPOINT_FAILED'],
] as const);

/** A failure's cause in a sentence: Lambda's errorMessage or a job's FailureReason rather than the whole JSON. */
export function shortCause(cause: unknown): string {
  const text = typeof cause === 'string' ? cause : JSON.stringify(cause);
  // Lambda errors carry JSON ({errorMessage, ...}); SageMaker job failures the Describe* response.
  try {
    const parsed = JSON.parse(text) as { errorMessage?: string; FailureReason?: string };
    return parsed.errorMessage ?? parsed.FailureReason ?? text;
  } catch {
    return text;
  }
}

/**
 * Follows an execution's events: per Map item (one dataset), when each state entered and exited,
 * its retries and failures, and the item's final state; `progress` gets one line per event worth
 * reading as it happens.
 */
export class OutcomeRecorder {
  private readonly timings: Array<Map<string, StateTiming & { enteredAt?: number; caught?: boolean }>>;
  private readonly finals: Array<DatasetOutcome['status']>;
  private readonly data: Array<DatasetState | undefined>;

  constructor(
    private readonly datasets: readonly string[],
    private readonly progress: (line: string) => void = () => undefined,
  ) {
    this.timings = datasets.map(() => new Map());
    this.finals = datasets.map(() => 'UNFINISHED');
    this.data = datasets.map(() => undefined);
  }

  record(event: EventLog): void {
    if (!('state' in event) || event.index === undefined) {
      if (event.type === 'ExecutionFailed') this.progress(`execution failed: ${event.Error}: ${shortCause(event.Cause)}`);
      return;
    }
    const index = event.index;
    const dataset = this.datasets[index] ?? `item ${index}`;
    const name = event.state.name;
    const isTask = event.state.type === 'Task';
    // The flow states (Choice, Pass, Wait, Map) take no time worth reporting; the Record states end the item.
    if (!isTask && !RECORD_STATES.has(name)) return;
    const timings = this.timings[index]!;
    const timing = timings.get(name) ?? { state: name, seconds: 0, attempts: 1 };
    timings.set(name, timing);
    switch (event.type) {
      case 'StateEntered':
        if (timing.enteredAt !== undefined && isTask) {
          // A state of a polling loop: one line for the first visit, the span of all of them.
          timing.visits = (timing.visits ?? 1) + 1;
          break;
        }
        timing.enteredAt = event.timestamp;
        if (RECORD_STATES.has(name)) {
          this.finals[index] = RECORD_STATES.get(name)!;
          this.data[index] = datasetStateSchema.parse(event.state.input);
        } else if (isTask) {
          this.progress(`[${dataset}] ${name} started`);
        }
        break;
      case 'StateExited':
        timing.seconds = (event.timestamp - (timing.enteredAt ?? event.timestamp)) / 1000;
        if (isTask && !timing.caught && timing.visits === undefined) this.progress(`[${dataset}] ${name} done in ${timing.seconds.toFixed(1)} s`);
        if (RECORD_STATES.has(name)) this.progress(`[${dataset}] ${this.finals[index]}`);
        break;
      case 'StateFailed':
        timing.lastError = `${event.Error}: ${shortCause(event.Cause)}`;
        this.progress(`[${dataset}] ${name} failed: ${timing.lastError}`);
        break;
      case 'StateRetried':
        timing.attempts++;
        this.progress(`[${dataset}] ${name}: retry ${event.retry.attempt} of ${event.retry.retrier.MaxAttempts ?? 3} (${event.retry.retrier.ErrorEquals.join(', ')})`);
        break;
      case 'StateCaught':
        timing.caught = true;
        this.progress(`[${dataset}] ${name}: caught, going to ${event.catch.catcher.Next}`);
        break;
    }
  }

  outcomes(): DatasetOutcome[] {
    return this.datasets.map((dataset, index) => ({
      dataset,
      status: this.finals[index]!,
      states: [...this.timings[index]!.values()].filter((timing) => !RECORD_STATES.has(timing.state)).map(({ enteredAt: _entered, caught: _caught, ...timing }) => timing),
      data: this.data[index],
    }));
  }
}
