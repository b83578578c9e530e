import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPipelineCli } from '../src/cli/run-pipeline';
import { scriptedHistory, scriptedOutcomeLines } from './fixtures/history';

const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:StateMachine2E01A3A5-AbC';
const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:StateMachine2E01A3A5-AbC:nightly-1';
const sfn = mockClient(SFNClient);

/** Runs the CLI against the mocked client, capturing what it prints and how long it sleeps. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const code = await runPipelineCli(argv, {
    client: new SFNClient({ region: 'eu-west-1' }),
    write: (line) => out.push(line),
    writeError: (line) => err.push(line),
    sleep: async (ms) => void sleeps.push(ms),
    env,
  });
  return { code, out, err, sleeps };
}

/** The history as GetExecutionHistory pages it: events up to `lastId`, `pageSize` a page. */
function pagesUpTo(history: HistoryEvent[], lastId: number, pageSize: number) {
  const events = history.filter((event) => event.id! <= lastId);
  const pages = [];
  for (let i = 0; i < events.length; i += pageSize) {
    pages.push({ events: events.slice(i, i + pageSize), ...(i + pageSize < events.length ? { nextToken: `page-${i / pageSize + 2}` } : {}) });
  }
  return pages;
}

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date('2026-11-26T08:00:00Z') });
});
afterEach(() => sfn.reset());

describe('run-pipeline', () => {
  it('starts the execution with the datasets input and prints every state as it ends, then the outcome', async () => {
    const history = scriptedHistory();
    // First poll: the first 30 events (training still running), in two pages; second: all of them.
    const responses = [...pagesUpTo(history, 30, 20), ...pagesUpTo(history, history.length, 20)];
    const historyMock = sfn.on(GetExecutionHistoryCommand);
    for (const page of responses) historyMock.resolvesOnce(page);

    const { code, out, err, sleeps } = await run(['--datasets', 'a,b', '--state-machine-arn', stateMachineArn, '--name', 'nightly-1', '--poll-seconds', '30']);

    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn, name: 'nightly-1', input: '{"datasets":["a","b"]}' },
    ]);
    const historyCalls = sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input);
    expect(historyCalls).toHaveLength(responses.length);
    for (const input of historyCalls) expect(input).toMatchObject({ executionArn, includeExecutionData: true });
    // Each call asks for the page the previous one pointed at; a poll starts from the first page.
    expect(historyCalls.map((input) => input.nextToken)).toEqual([undefined, ...responses.slice(0, -1).map((page) => page.nextToken)]);
    expect(historyCalls.filter((input) => input.nextToken !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(sleeps).toEqual([30_000]);
    expect(out).toEqual([
      `started ${executionArn} on a, b`,
      ...scriptedOutcomeLines,
      'execution nightly-1 FAILED after 12m05s: DatasetsFailed: datasets ["a","b"] ended ["SUCCEEDED","FAILED"]',
    ]);
    // What the first poll had already printed came before the sleep, and nothing twice.
    expect(new Set(out).size).toBe(out.length);
    expect(err).toEqual([]);
    expect(code).toBe(1);
  });

  it('exits 0 when the execution succeeds', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: 'ExecutionStarted', timestamp: new Date(0) },
        { id: 2, type: 'SucceedStateEntered', timestamp: new Date(1000), previousEventId: 1, stateEnteredEventDetails: { name: 'Done', input: '{}' } },
        { id: 3, type: 'SucceedStateExited', timestamp: new Date(1000), previousEventId: 2, stateExitedEventDetails: { name: 'Done', output: '{}' } },
        { id: 4, type: 'ExecutionSucceeded', timestamp: new Date(1500), previousEventId: 3 },
      ],
    });
    const { code, out } = await run(['--datasets', 'cdnow', '--state-machine-arn', stateMachineArn]);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({ stateMachineArn, input: '{"datasets":["cdnow"]}' });
    expect(out.at(-1)).toBe('execution nightly-1 SUCCEEDED after 1.5s');
    expect(code).toBe(0);
  });

  it('takes the state machine from $NEXTBUY_STATE_MACHINE_ARN, else from the deploy outputs', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [{ id: 1, type: 'ExecutionSucceeded', timestamp: new Date(0) }] });
    await run(['--datasets', 'cdnow'], { NEXTBUY_STATE_MACHINE_ARN: stateMachineArn });
    const outputs = join(mkdtempSync(join(tmpdir(), 'nextbuy-outputs-')), 'cdk-outputs.json');
    const otherArn = stateMachineArn.replace('AbC', 'XyZ');
    writeFileSync(outputs, JSON.stringify({ Nextbuy: { StateMachineArn: otherArn, BucketName: 'b' } }));
    await run(['--datasets', 'cdnow', '--outputs-file', outputs]);
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.stateMachineArn)).toEqual([stateMachineArn, otherArn]);
  });

  it.each([
    [[], /required option '--datasets <names>' not specified/],
    [['--datasets', 'cdnow,Bad'], /--datasets: "Bad" is not a dataset name/],
    [['--datasets', ' , '], /--datasets names no dataset/],
    [['--datasets', 'cdnow', '--state-machine-arn', 'arn:aws:lambda:eu-west-1:123456789012:function:x'], /is not a Step Functions state machine ARN/],
    [['--datasets', 'cdnow', '--state-machine-arn', stateMachineArn, '--name', 'has space'], /--name "has space" cannot be a run id/],
    [['--datasets', 'cdnow', '--state-machine-arn', stateMachineArn, '--poll-seconds', 'soon'], /--poll-seconds must be a number/],
    [['--datasets', 'cdnow', '--outputs-file', '/nonexistent/cdk-outputs.json'], /does not exist: pass --state-machine-arn, set NEXTBUY_STATE_MACHINE_ARN, or deploy/],
  ])('refuses %j with exit code 2 and says why, starting nothing', async (argv, message) => {
    const { code, err } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
