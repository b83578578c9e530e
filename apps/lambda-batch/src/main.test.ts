import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from './errors';
import { handler } from './main';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('main.handler', () => {
  it('loads without configuration and names the missing variable when invoked', async () => {
    vi.stubEnv('DATA_BUCKET', 'nextbuy-data');
    vi.stubEnv('INFERENCE_IMAGE_URI', 'registry/nextbuy-inference:1');
    vi.stubEnv('SAGEMAKER_ROLE_ARN', '');
    const failure = handler({ dataset: 'cdnow', run: 'r1', trainingJobName: 'job-1' });
    await expect(failure).rejects.toThrow(ConfigurationError);
    await expect(failure).rejects.toThrow(/"SAGEMAKER_ROLE_ARN"/);
  });
});
