import { ConfigurationError } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { readServerConfig } from './config';

describe('readServerConfig', () => {
  it('reads the SageMaker serving variables, with their defaults when unset', () => {
    expect(readServerConfig({ SM_MODEL_DIR: '/m', SAGEMAKER_BIND_TO_PORT: '9000', SAGEMAKER_MODEL_SERVER_WORKERS: '3' })).toMatchObject({ modelDir: '/m', port: 9000, workers: 3, maxPayloadMb: 6, threadsPerWorker: 1 });
  });

  it('refuses a bad variable with the workspace ConfigurationError naming it', () => {
    let thrown: unknown;
    try {
      readServerConfig({ SAGEMAKER_MAX_PAYLOAD_IN_MB: '500' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect(thrown).toMatchObject({ variable: 'SAGEMAKER_MAX_PAYLOAD_IN_MB', message: expect.stringMatching(/^invalid configuration "SAGEMAKER_MAX_PAYLOAD_IN_MB": "500": /) });
  });
});
