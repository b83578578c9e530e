/** The CloudFormation stack's name, also the key of its outputs in cdk-outputs.json. */
export const stackName = 'Nextbuy';

/**
 * Prefix of every SageMaker name the pipeline creates: training jobs are `nextbuy-<hash>`,
 * lambda-batch derives model names from them, endpoints are `nextbuy-<dataset>`, so IAM can
 * scope SageMaker actions to the prefix.
 */
export { sageMakerNamePrefix } from '@nextbuy/contracts';
