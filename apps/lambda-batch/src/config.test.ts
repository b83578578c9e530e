import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { ConfigurationError } from './errors';

const required = {
  DATA_BUCKET: 'nextbuy-data',
  INFERENCE_IMAGE_URI: 'registry/nextbuy-inference:1',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/nextbuy-sagemaker',
};

describe('loadConfig', () => {
  it('reads every setting, with one transform in flight per model server worker by default', () => {
    const config = loadConfig({
      ...required,
      SAGEMAKER_MODEL_SERVER_WORKERS: '4',
      MODEL_ENVIRONMENT: '{"TFJS_BACKEND":"wasm"}',
      TRANSFORM_INSTANCE_TYPE: 'ml.c5.xlarge',
      TRANSFORM_INSTANCE_COUNT: '3',
      TRANSFORM_MAX_PAYLOAD_MB: '10',
    });
    expect(config.modelEnvironment).toEqual({ TFJS_BACKEND: 'wasm', SAGEMAKER_MODEL_SERVER_WORKERS: '4' });
    expect(config.transform).toEqual({ instanceType: 'ml.c5.xlarge', instanceCount: 3, maxPayloadInMB: 10, maxConcurrentTransforms: 4 });
    expect(loadConfig({ ...required, TRANSFORM_MAX_CONCURRENT_TRANSFORMS: '1' }).transform.maxConcurrentTransforms).toBe(1);
  });

  it('names the variable at fault', () => {
    expect(() => loadConfig({ ...required, SAGEMAKER_ROLE_ARN: 'nextbuy-sagemaker' })).toThrow(ConfigurationError);
    expect(() => loadConfig({ ...required, SAGEMAKER_ROLE_ARN: undefined })).toThrow(/"SAGEMAKER_ROLE_ARN"/);
    expect(() => loadConfig({ ...required, TRANSFORM_INSTANCE_TYPE: 'm5.large' })).toThrow(/"TRANSFORM_INSTANCE_TYPE"/);
    expect(() => loadConfig({ ...required, MODEL_ENVIRONMENT: '{oops' })).toThrow(/"MODEL_ENVIRONMENT": not JSON/);
    expect(() => loadConfig({ ...required, MODEL_ENVIRONMENT: '{"WORKERS":4}' })).toThrow(/"MODEL_ENVIRONMENT"/);
    expect(() => loadConfig({ ...required, ENDPOINTS: '{"retail":{}}' })).toThrow(/"ENDPOINTS".*exactly one of "serverless"/);
  });

  it('reads the endpoints by dataset, none by default', () => {
    expect(loadConfig(required).endpoints).toEqual({});
    expect(loadConfig({ ...required, ENDPOINTS: '{"retail":{"serverless":{}}}' }).endpoints).toEqual({ retail: { serverless: { memorySizeMb: 2048, maxConcurrency: 5 }, keepConfigs: 3 } });
  });
});
