import { describe, expect, it } from 'vitest';
import { OutcomeRecorder, shortCause } from './outcomes';
import type { EventLog } from './state-machine';

const state = (name: string, type = 'Task', input: unknown = {}) => ({ name, type, input }) as never;

describe('OutcomeRecorder', () => {
  it('times each state of each Map item, counts retries, and keeps the item state of its Record state', () => {
    const lines: string[] = [];
    const recorder = new OutcomeRecorder(['a', 'b'], (line) => lines.push(line));
    const item = { dataset: 'b', run: 'r1', failure: { Error: 'States.TaskFailed', Cause: '{"FailureReason":"AlgorithmError: bad data"}' } };
    const events = [
      { type: 'StateEntered', timestamp: 1_000, state: state('Extract'), index: 1 },
      { type: 'StateFailed', timestamp: 1_500, state: state('Extract'), index: 1, Error: 'Lambda.TooManyRequestsException', Cause: '{"errorMessage":"Rate exceeded"}' },
      { type: 'StateRetried', timestamp: 1_600, state: state('Extract'), index: 1, retry: { retrier: { ErrorEquals: ['Lambda.TooManyRequestsException'], MaxAttempts: 6 }, attempt: 1 } },
      { type: 'StateExited', timestamp: 4_000, state: state('Extract'), index: 1 },
      { type: 'StateEntered', timestamp: 4_000, state: state('Train'), index: 1 },
      { type: 'StateFailed', timestamp: 9_000, state: state('Train'), index: 1, Error: 'States.TaskFailed', Cause: item.failure.Cause },
      { type: 'StateCaught', timestamp: 9_000, state: state('Train'), index: 1, catch: { catcher: { ErrorEquals: ['States.ALL'], Next: 'RecordFailure' } } },
      { type: 'StateExited', timestamp: 9_000, state: state('Train'), index: 1 },
      { type: 'StateEntered', timestamp: 9_000, state: state('RecordFailure', 'Pass', item), index: 1 },
      { type: 'StateExited', timestamp: 9_000, state: state('RecordFailure', 'Pass', item), index: 1 },
    ] as EventLog[];
    for (const event of events) recorder.record(event);
    const [a, b] = recorder.outcomes();
    expect(a).toEqual({ dataset: 'a', status: 'UNFINISHED', states: [], data: undefined });
    expect(b!.status).toBe('FAILED');
    expect(b!.data?.failure?.Error).toBe('States.TaskFailed');
    expect(b!.states).toEqual([
      { state: 'Extract', seconds: 3, attempts: 2, lastError: 'Lambda.TooManyRequestsException: Rate exceeded' },
      { state: 'Train', seconds: 5, attempts: 1, lastError: 'States.TaskFailed: AlgorithmError: bad data' },
    ]);
    expect(lines).toEqual([
      '[b] Extract started',
      '[b] Extract failed: Lambda.TooManyRequestsException: Rate exceeded',
      '[b] Extract: retry 1 of 6 (Lambda.TooManyRequestsException)',
      '[b] Extract done in 3.0 s',
      '[b] Train started',
      '[b] Train failed: States.TaskFailed: AlgorithmError: bad data',
      '[b] Train: caught, going to RecordFailure',
      '[b] FAILED',
    ]);
  });

  it('records an item ending in RecordEndpointFailure as ENDPOINT_FAILED, timing only its Task states', () => {
    const lines: string[] = [];
    const recorder = new OutcomeRecorder(['retail'], (line) => lines.push(line));
    const item = { dataset: 'retail', run: 'r2', endpointFailure: { Error: 'EndpointUpdateFailed', Cause: 'endpoint nextbuy-retail still serves nextbuy-retail--r1' } };
    const events = [
      { type: 'StateEntered', timestamp: 0, state: state('EndpointWanted', 'Choice'), index: 0 },
      { type: 'StateExited', timestamp: 0, state: state('EndpointWanted', 'Choice'), index: 0 },
      { type: 'StateEntered', timestamp: 0, state: state('UpdateEndpoint'), index: 0 },
      { type: 'StateExited', timestamp: 1_000, state: state('UpdateEndpoint'), index: 0 },
      { type: 'StateEntered', timestamp: 1_000, state: state('WaitForEndpoint', 'Wait'), index: 0 },
      { type: 'StateEntered', timestamp: 1_500, state: state('DescribeEndpoint'), index: 0 },
      { type: 'StateExited', timestamp: 1_600, state: state('DescribeEndpoint'), index: 0 },
      { type: 'StateEntered', timestamp: 1_900, state: state('DescribeEndpoint'), index: 0 },
      { type: 'StateExited', timestamp: 2_000, state: state('DescribeEndpoint'), index: 0 },
      { type: 'StateEntered', timestamp: 2_000, state: state('RecordEndpointFailure', 'Pass', item), index: 0 },
    ] as EventLog[];
    for (const event of events) recorder.record(event);
    const [retail] = recorder.outcomes();
    expect(retail!.status).toBe('ENDPOINT_FAILED');
    // The polls of DescribeEndpoint are one entry spanning them all.
    expect(retail!.states).toEqual([
      { state: 'UpdateEndpoint', seconds: 1, attempts: 1 },
      { state: 'DescribeEndpoint', seconds: 0.5, attempts: 1, visits: 2 },
    ]);
    expect(retail!.data?.endpointFailure?.Error).toBe('EndpointUpdateFailed');
    expect(lines).toEqual(['[retail] UpdateEndpoint started', '[retail] UpdateEndpoint done in 1.0 s', '[retail] DescribeEndpoint started', '[retail] DescribeEndpoint done in 0.1 s']);
  });

  it('shortens a cause to its message when it is Lambda or SageMaker JSON', () => {
    expect(shortCause('plain words')).toBe('plain words');
    expect(shortCause('{"errorType":"X","errorMessage":"bad event"}')).toBe('bad event');
    expect(shortCause({ FailureReason: 'ClientError: no data' })).toBe('ClientError: no data');
  });
});
