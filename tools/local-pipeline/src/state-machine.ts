import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { LocalSetupError } from './errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An event of an execution's history (the package does not export the type by name). */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** What stands in for the CloudFormation references of the synthesized definition. */
export type Placeholders = Record<string, string>;

/**
 * Stands in for Step Functions' default for a Task without TimeoutSeconds (99999999 s: none, in
 * effect). aws-local-stepfunctions defaults to 60 s instead, which a training job outlasts, and
 * waits with one setTimeout, which holds at most 2^31-1 ms (~24.8 days).
 */
export const NO_TASK_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

// `<DataBucket>`, `<ExtractFunction.Arn>`, `<AWS::Partition>`: CloudFormation logical ids and
// pseudo parameters start with a capital, which keeps text like `<dataset>` in a Cause out.
const PLACEHOLDER = /<([A-Z][A-Za-z0-9]*(?:::[A-Z][A-Za-z0-9]*)?(?:\.[A-Z][A-Za-z0-9.]*)?)>/g;

type StateJson = { [key: string]: Json };

/** Every state of a definition, the Map's item processor included, by name. */
export function allStates(definition: StateMachineDefinition): Map<string, StateJson> {
  const states = new Map<string, StateJson>();
  const visit = (machine: { States: object }) => {
    for (const [name, state] of Object.entries(machine.States as Record<string, StateJson>)) {
      states.set(name, state);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: object } | undefined;
      if (processor) visit(processor);
      for (const branch of (state.Branches as Array<{ States: object }> | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return states;
}

/**
 * The synthesized definition made runnable here, with the same states, paths, retries and catches:
 * its `<LogicalId>` / `<LogicalId.Attribute>` placeholders replaced by the local resources, Step
 * Functions' default task timeout written where a Task sets none (see above), and the training
 * hyperparameters given merged into the Train state's, as `cdk synth -c modelBackend=...
 * -c hyperparameters=...` would have synthesized them.
 */
export function localDefinition(aslText: string, options: { placeholders: Placeholders; hyperparameters?: Record<string, string> }): StateMachineDefinition {
  const unknown = new Set<string>();
  const text = aslText.replace(PLACEHOLDER, (whole, name: string) => {
    const value = options.placeholders[name];
    if (value === undefined) {
      unknown.add(whole);
      return whole;
    }
    return value;
  });
  if (unknown.size > 0) {
    throw new LocalSetupError(`the state machine definition references ${[...unknown].join(', ')}, which the local pipeline does not provide`);
  }
  const definition = JSON.parse(text) as StateMachineDefinition;
  for (const state of allStates(definition).values()) {
    if (state.Type !== 'Task') continue;
    if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
    if (options.hyperparameters && String(state.Resource).endsWith(':sagemaker:createTrainingJob.sync')) {
      const parameters = state.Parameters as StateJson;
      parameters.HyperParameters = { ...(parameters.HyperParameters as StateJson), ...options.hyperparameters };
    }
  }
  return definition;
}

/** The definition's Task states and their Resource: each needs a local handler, or the engine would call AWS. */
export function taskStates(definition: StateMachineDefinition): Array<{ name: string; resource: string }> {
  return [...allStates(definition)].filter(([, state]) => state.Type === 'Task').map(([name, state]) => ({ name, resource: String(state.Resource) }));
}

