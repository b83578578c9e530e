import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stateMachineAsl, type AslDefinition } from './asl';
import { stackName } from './naming';
import { readPipelineSettings } from './settings';
import { NextbuyStack } from './stack';

export interface CreateAppOptions {
  /** Context for the app; `cdk` passes its own (cdk.json plus `-c`), scripts and tests pass cdkJsonContext(). */
  context?: Record<string, unknown>;
  /**
   * Run cdk-nag's AwsSolutions pack and CDK's built-in CloudFormation rules at synthesis (default
   * true; any unacknowledged finding fails it). Off only where just the definition matters.
   */
  checks?: boolean;
}

/** The CDK app with the nextbuy stack. */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: NextbuyStack } {
  const checks = options.checks ?? true;
  const app = new App({ ...(options.context ? { context: options.context } : {}), builtinCloudFormationValidation: checks });
  const settings = readPipelineSettings((key) => app.node.tryGetContext(key));
  const stack = new NextbuyStack(app, stackName, {
    description: 'nextbuy: next-purchase prediction pipeline (S3, DynamoDB, ECR, Lambda, SageMaker, Step Functions)',
    settings,
  });
  if (checks) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/** The `context` of infra/cdk.json (feature flags and any pipeline settings kept there). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** The state machine of a fresh synthesis with cdk.json's context, as plain ASL (what state-machine.asl.json holds). */
export function synthesizeAsl(): AslDefinition {
  const { app, stack } = createApp({ context: cdkJsonContext(), checks: false });
  return stateMachineAsl(app.synth().getStackByName(stack.stackName).template);
}
