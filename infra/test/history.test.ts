import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { summarizeHistory } from '../src/pipeline-run/history';
import { formatDuration, formatExecutionOutcome, formatStateOutcome, readableCause } from '../src/pipeline-run/report';
import { scriptedHistory, scriptedOutcomeLines } from './fixtures/history';

describe('summarizeHistory', () => {
  it('ties interleaved Map iterations, retries and a caught failure to the right state visit', () => {
    const { states, execution } = summarizeHistory(scriptedHistory());
    const byVisit = (name: string, dataset?: string) => states.find((state) => state.name === name && state.dataset === dataset)!;
    expect(byVisit('Extract', 'b')).toMatchObject({ status: 'SUCCEEDED', attempts: 2, error: 'Lambda.TooManyRequestsException' });
    expect(byVisit('Extract', 'a')).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(byVisit('Train', 'b')).toMatchObject({ status: 'FAILED', attempts: 1, error: 'States.TaskFailed' });
    expect(byVisit('Train', 'a')).toMatchObject({ status: 'SUCCEEDED' });
    expect(byVisit('Datasets').leftAt!.getTime() - byVisit('Datasets').enteredAt.getTime()).toBe(725_400);
    expect(byVisit('DatasetsFailed')).toMatchObject({ status: 'FAILED', error: 'DatasetsFailed' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DatasetsFailed', cause: 'datasets ["a","b"] ended ["SUCCEEDED","FAILED"]' });
    expect(states).toHaveLength(scriptedOutcomeLines.length);
  });

  it('reads a history given in any order and leaves unfinished visits running', () => {
    const events = scriptedHistory();
    const firstMinute = events.filter((event) => event.timestamp!.getTime() < Date.parse('2026-11-26T08:01:00Z')).reverse();
    const { states, execution } = summarizeHistory(firstMinute);
    expect(execution.status).toBe('RUNNING');
    expect(states.filter((state) => state.status === 'RUNNING').map((state) => `${state.name}:${state.dataset ?? ''}`).sort()).toEqual(['Datasets:', 'Train:a', 'Train:b']);
  });

  it('fails the visits a timed-out or aborted execution leaves open', () => {
    const events: HistoryEvent[] = [
      { id: 1, type: 'ExecutionStarted', timestamp: new Date(0) },
      { id: 2, type: 'TaskStateEntered', timestamp: new Date(1000), previousEventId: 1, stateEnteredEventDetails: { name: 'Extract', input: '{"dataset":"a"}' } },
      { id: 3, type: 'ExecutionTimedOut', timestamp: new Date(9000), previousEventId: 2, executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'took too long' } },
    ];
    const { states, execution } = summarizeHistory(events);
    expect(execution).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(states).toEqual([expect.objectContaining({ name: 'Extract', dataset: 'a', status: 'FAILED', error: 'States.Timeout', cause: 'took too long', endEventId: 3 })]);
  });
});

describe('report lines', () => {
  it('print name, dataset, status, duration, attempts and the cause of a failure', () => {
    const { states, execution } = summarizeHistory(scriptedHistory());
    const ordered = [...states].sort((a, b) => a.endEventId! - b.endEventId! || a.id - b.id);
    expect(ordered.map(formatStateOutcome)).toEqual(scriptedOutcomeLines);
    expect(formatExecutionOutcome('arn:aws:states:eu-west-1:123456789012:execution:Nextbuy:nightly-1', execution)).toBe(
      'execution nightly-1 FAILED after 12m05s: DatasetsFailed: datasets ["a","b"] ended ["SUCCEEDED","FAILED"]',
    );
  });

  it('format durations for people', () => {
    expect([400, 12_340, 65_000, 3_725_000].map(formatDuration)).toEqual(['0.4s', '12.3s', '1m05s', '1h02m']);
  });

  it("take a Lambda error's message, a SageMaker job's FailureReason, or the plain text, on one bounded line", () => {
    expect(readableCause('{"errorType":"InvalidEventError","errorMessage":"invalid Extract input at \\"dataset\\"","trace":["a","b"]}')).toBe('invalid Extract input at "dataset"');
    expect(readableCause('{"FailureReason":"ClientError: no\\nimage"}')).toBe('ClientError: no image');
    expect(readableCause('plain  text\n')).toBe('plain text');
    expect(readableCause('x'.repeat(1000))).toHaveLength(400);
    expect(readableCause(undefined)).toBe('');
  });
});
