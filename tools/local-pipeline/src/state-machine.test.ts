import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalSetupError } from './errors';
import { LOCAL_PLACEHOLDERS } from './pipeline';
import { allStates, localDefinition, NO_TASK_TIMEOUT_SECONDS, taskStates } from './state-machine';
import { aslFile } from './workspace';

const asl = readFileSync(aslFile, 'utf8');

describe('localDefinition of the synthesized state machine', () => {
  it('replaces every CloudFormation placeholder with a local resource and leaves other text alone', () => {
    const definition = localDefinition(asl, { placeholders: LOCAL_PLACEHOLDERS });
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/<[A-Z][A-Za-z0-9:.]*>/);
    expect(text).toContain('<dataset>');
    const states = allStates(definition);
    expect(states.get('Extract')!.Resource).toBe('arn:aws:lambda:us-east-1:000000000000:function:nextbuy-extract');
    expect(states.get('Train')!.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect((states.get('Train')!.Parameters as { OutputDataConfig: unknown }).OutputDataConfig).toEqual({
      'S3OutputPath.$': "States.Format('s3://nextbuy-data/{}/models/', $.dataset)",
    });
  });

  it('keeps a Task timeout the definition sets and stands in for the missing ones with no timeout at all', () => {
    const states = allStates(localDefinition(asl, { placeholders: LOCAL_PLACEHOLDERS }));
    expect(states.get('Transform')!.TimeoutSeconds).toBe(21600);
    for (const name of ['Extract', 'Train', 'CreateModel', 'WritePredictions']) expect(states.get(name)!.TimeoutSeconds, name).toBe(NO_TASK_TIMEOUT_SECONDS);
    expect(NO_TASK_TIMEOUT_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('merges training hyperparameters into the Train state only, as string values', () => {
    const states = allStates(localDefinition(asl, { placeholders: LOCAL_PLACEHOLDERS, hyperparameters: { model_backend: 'lstm', epochs: '3' } }));
    expect((states.get('Train')!.Parameters as { HyperParameters: unknown }).HyperParameters).toEqual({ model_backend: 'lstm', seed: '42', epochs: '3' });
    expect(JSON.stringify(states.get('Transform'))).not.toContain('epochs');
  });

  it('lists the Task states, the five steps and the endpoint ones, each with the resource it calls', () => {
    const tasks = taskStates(localDefinition(asl, { placeholders: LOCAL_PLACEHOLDERS }));
    expect(tasks.map((task) => task.name).sort()).toEqual(
      ['Extract', 'Train', 'CreateModel', 'Transform', 'WritePredictions', 'CreateEndpointConfig', 'FindEndpoint', 'CreateEndpoint', 'UpdateEndpoint', 'DescribeEndpoint', 'ListEndpointConfigs', 'DeleteEndpointConfig'].sort(),
    );
    expect(Object.fromEntries(tasks.filter((task) => /Endpoint/.test(task.name)).map((task) => [task.name, task.resource]))).toEqual({
      CreateEndpointConfig: 'arn:aws:states:::sagemaker:createEndpointConfig',
      FindEndpoint: 'arn:aws:states:::aws-sdk:sagemaker:describeEndpoint',
      CreateEndpoint: 'arn:aws:states:::sagemaker:createEndpoint',
      UpdateEndpoint: 'arn:aws:states:::sagemaker:updateEndpoint',
      DescribeEndpoint: 'arn:aws:states:::aws-sdk:sagemaker:describeEndpoint',
      ListEndpointConfigs: 'arn:aws:states:::aws-sdk:sagemaker:listEndpointConfigs',
      DeleteEndpointConfig: 'arn:aws:states:::aws-sdk:sagemaker:deleteEndpointConfig',
    });
  });

  it('refuses a definition that references a resource it has no stand-in for, naming it', () => {
    const definition = '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"<QueueFunction.Arn>","End":true}}}';
    expect(() => localDefinition(definition, { placeholders: LOCAL_PLACEHOLDERS })).toThrow(LocalSetupError);
    expect(() => localDefinition(definition, { placeholders: LOCAL_PLACEHOLDERS })).toThrow(/<QueueFunction\.Arn>/);
  });
});
