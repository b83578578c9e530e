import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from './errors';
import { handler } from './main';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('main.handler', () => {
  it('loads without configuration and names the missing variable when invoked', async () => {
    vi.stubEnv('DATA_BUCKET', 'nextbuy-data');
    vi.stubEnv('IDEMPOTENCY_TABLE', 'idempotency');
    vi.stubEnv('SOURCE_TABLE', 'sales');
    vi.stubEnv('SOURCE_DATABASE_URL', undefined);
    vi.stubEnv('PGHOST', undefined);
    const failure = handler({ dataset: 'cdnow' });
    await expect(failure).rejects.toThrow(ConfigurationError);
    await expect(failure).rejects.toThrow(/"SOURCE_DATABASE_URL"/);
  });
});
