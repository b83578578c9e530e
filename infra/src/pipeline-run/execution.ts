import { GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { summarizeHistory, type ExecutionOutcome } from './history';
import { formatExecutionOutcome, formatStateOutcome } from './report';

/** Starts the pipeline on `datasets` (the state machine's input contract); returns the execution ARN. */
export async function startPipeline(client: SFNClient, request: { stateMachineArn: string; datasets: string[]; name?: string }): Promise<string> {
  const response = await client.send(
    new StartExecutionCommand({
      stateMachineArn: request.stateMachineArn,
      ...(request.name ? { name: request.name } : {}),
      input: JSON.stringify({ datasets: request.datasets }),
    }),
  );
  if (!response.executionArn) throw new Error(`StartExecution on ${request.stateMachineArn} returned no execution ARN`);
  return response.executionArn;
}

/** The whole history of an execution, oldest first, following GetExecutionHistory's pages. */
export async function readHistory(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: true, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export interface FollowOptions {
  pollIntervalMs: number;
  write: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls the execution's history until it ends, writing each state visit's outcome as soon as
 * the visit ends and the execution's outcome last; returns the latter.
 */
export async function followExecution(client: SFNClient, executionArn: string, options: FollowOptions): Promise<ExecutionOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const written = new Set<number>();
  for (;;) {
    const { states, execution } = summarizeHistory(await readHistory(client, executionArn));
    const ended = states.filter((state) => state.status !== 'RUNNING' && !written.has(state.id));
    for (const state of ended.sort((a, b) => (a.endEventId ?? 0) - (b.endEventId ?? 0) || a.id - b.id)) {
      options.write(formatStateOutcome(state));
      written.add(state.id);
    }
    if (execution.status !== 'RUNNING') {
      options.write(formatExecutionOutcome(executionArn, execution));
      return execution;
    }
    await sleep(options.pollIntervalMs);
  }
}
