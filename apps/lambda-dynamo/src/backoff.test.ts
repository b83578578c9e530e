import { describe, expect, it } from 'vitest';
import { isTransientError, withBackoff } from './backoff';

function named(name: string, extra: object = {}): Error {
  return Object.assign(new Error(name), { name }, extra);
}

describe('isTransientError', () => {
  it('retries throttling, server and network failures only', () => {
    expect(isTransientError(named('ProvisionedThroughputExceededException'))).toBe(true);
    expect(isTransientError(named('ThrottlingException'))).toBe(true);
    expect(isTransientError(named('SomethingNew', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isTransientError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientError(named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isTransientError(named('ValidationException'))).toBe(false);
    expect(isTransientError('throttled')).toBe(false);
  });
});

describe('withBackoff', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

  it('retries transient failures with jittered, capped exponential pauses', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const result = await withBackoff(
      async () => {
        if (++calls < 4) throw named('ThrottlingException');
        return 'done';
      },
      policy,
      { random: () => 0.5, sleep: async (ms) => void pauses.push(ms) },
    );
    expect(result).toBe('done');
    expect(pauses).toEqual([50, 100, 125]);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    const failing = withBackoff(
      async () => {
        calls++;
        throw named('ThrottlingException');
      },
      policy,
      { sleep: async () => undefined },
    );
    await expect(failing).rejects.toThrow('ThrottlingException');
    expect(calls).toBe(4);
  });

  it('does not retry a failure that would fail again', async () => {
    let calls = 0;
    const failing = withBackoff(
      async () => {
        calls++;
        throw named('ValidationException');
      },
      policy,
      { sleep: async () => undefined },
    );
    await expect(failing).rejects.toThrow('ValidationException');
    expect(calls).toBe(1);
  });
});
