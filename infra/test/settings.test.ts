import { describe, expect, it } from 'vitest';
import { PipelineSettingsError, readPipelineSettings } from '../src/settings';

const read = (context: Record<string, unknown>) => readPipelineSettings((key) => context[key]);

describe('readPipelineSettings', () => {
  it('has a default for everything, with the schedule off', () => {
    expect(read({})).toEqual({
      modelBackend: 'xgboost',
      hyperparameters: { seed: '42' },
      trainInstanceType: 'ml.m5.large',
      trainInstanceCount: 1,
      trainVolumeSizeGb: 30,
      trainMaxRuntimeSeconds: 7200,
      transformInstanceType: 'ml.m5.large',
      transformInstanceCount: 1,
      maxConcurrency: 2,
      imageTag: '0.1.0',
      sourceTable: 'transactions',
      rawRetentionDays: 90,
      scheduleEnabled: false,
      scheduleExpression: 'cron(0 3 ? * MON *)',
      datasets: [],
      endpoints: {},
    });
  });

  it('reads the endpoints by dataset from `-c endpoints=<json>` or cdk.json', () => {
    const endpoints = { retail: { serverless: { memorySizeMb: 1024 } }, cdnow: { instances: { instanceCount: 2 }, dataCapturePercent: 10 } };
    const expected = {
      retail: { serverless: { memorySizeMb: 1024, maxConcurrency: 5 }, keepConfigs: 3 },
      cdnow: { instances: { instanceType: 'ml.m5.large', instanceCount: 2, maxModelLatencyMs: 1000, bakeSeconds: 300 }, dataCapturePercent: 10, keepConfigs: 3 },
    };
    expect(read({ endpoints }).endpoints).toEqual(expected);
    expect(read({ endpoints: JSON.stringify(endpoints) }).endpoints).toEqual(expected);
  });

  it('reads `-c key=value` strings as well as cdk.json values', () => {
    const settings = read({
      maxConcurrency: '4',
      trainInstanceCount: '1',
      scheduleEnabled: 'true',
      datasets: 'cdnow, online-retail',
      hyperparameters: '{"seed": 7, "cutoff": "2024-01-01"}',
      modelBackend: 'lstm',
    });
    expect(settings).toMatchObject({
      maxConcurrency: 4,
      trainInstanceCount: 1,
      scheduleEnabled: true,
      datasets: ['cdnow', 'online-retail'],
      hyperparameters: { seed: '7', cutoff: '2024-01-01' },
      modelBackend: 'lstm',
    });
    expect(read({ datasets: '["a","b"]', scheduleEnabled: false }).datasets).toEqual(['a', 'b']);
  });

  it('reads the source VPC as ids, lists given either way', () => {
    expect(read({ sourceVpcId: 'vpc-0123456789abcdef0', sourceSubnetIds: 'subnet-01234567, subnet-89abcdef', sourceSecurityGroupIds: ['sg-0123456789abcdef0'] })).toMatchObject({
      sourceVpcId: 'vpc-0123456789abcdef0',
      sourceSubnetIds: ['subnet-01234567', 'subnet-89abcdef'],
      sourceSecurityGroupIds: ['sg-0123456789abcdef0'],
    });
  });

  it('refuses more than one training instance in one sentence: the trainer does not distribute training', () => {
    expect(() => read({ trainInstanceCount: '2' })).toThrow(PipelineSettingsError);
    expect(() => read({ trainInstanceCount: '2' })).toThrow(
      'CDK context "trainInstanceCount" = "2": the trainer does not distribute training, so more than one instance would train the same model several times and race to write it: use 1',
    );
  });

  it.each([
    [{ trainInstanceCount: 0 }, /"trainInstanceCount" = 0/],
    [{ sourceSubnetIds: 'subnet-01234567' }, /"sourceVpcId" = undefined: placing lambda-extract in the source database's VPC takes sourceVpcId, sourceSubnetIds, sourceSecurityGroupIds together/],
    [{ trainInstanceType: 'm5.large' }, /"trainInstanceType" = "m5.large": a SageMaker instance type/],
    [{ maxConcurrency: 0 }, /"maxConcurrency" = 0/],
    [{ modelBackend: 'prophet' }, /"modelBackend"/],
    [{ hyperparameters: '{"seed": ' }, /"hyperparameters" = "\{\\"seed\\": ": expected JSON/],
    [{ hyperparameters: { model_backend: 'lstm' } }, /set the backend with "modelBackend"/],
    // Model hyperparameters are checked by the model registry's specs, as the training job will.
    [{ hyperparameters: { eta: '2' } }, /"hyperparameters.eta" = .*must be a number > 0 and <= 1, got "2"/],
    [{ modelBackend: 'bgnbd', hyperparameters: { epochs: '5' } }, /"hyperparameters.epochs" = .*a hyperparameter of lstm, not of the bgnbd model/],
    [{ scheduleEnabled: true }, /"datasets" = undefined: the schedule is enabled but names no datasets/],
    [{ datasets: 'cdnow,Bad_Name' }, /"datasets.1"/],
    [{ sourceDatabaseUrl: 'postgres://user:secret@db/sales' }, /without a password/],
    [{ sourceTable: 'x; drop table y' }, /"sourceTable"/],
    [{ scheduleEnabled: 'yes' }, /"scheduleEnabled"/],
    [{ endpoints: '{"retail": {"serverless": {}, "instances": {}}}' }, /"endpoints.retail" = .*give exactly one of "serverless"/],
    [{ endpoints: { retail: { serverless: {}, dataCapturePercent: 5 } } }, /"endpoints.retail.dataCapturePercent" = .*serverless endpoints do not support data capture/],
  ])('rejects %j naming the key', (context, message) => {
    expect(() => read(context)).toThrow(PipelineSettingsError);
    expect(() => read(context)).toThrow(message);
  });
});
