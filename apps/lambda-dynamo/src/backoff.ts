/** How often and how patiently an operation is retried. */
export interface BackoffPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: Omit<BackoffPolicy, 'maxAttempts'> = { baseDelayMs: 50, maxDelayMs: 5_000 };

// DynamoDB's throttling errors, and the server-side ones its documentation says to retry.
const RETRYABLE_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** True for throttling, 5xx and network failures: worth the same request again after a pause. */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & { code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  return (
    RETRYABLE_ERROR_NAMES.has(error.name) ||
    details.$retryable !== undefined ||
    (details.$metadata?.httpStatusCode ?? 0) >= 500 ||
    (details.code !== undefined && NETWORK_ERROR_CODES.has(details.code))
  );
}

/**
 * Runs `operation`, retrying transient failures with capped exponential backoff and full jitter
 * (a random pause in [0, min(max, base * 2^attempt))), which spreads retries of many concurrent
 * writers instead of having them hit the table again in step.
 */
export async function withBackoff<T>(
  operation: () => Promise<T>,
  policy: BackoffPolicy,
  options: { isRetryable?: (error: unknown) => boolean; random?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const { isRetryable = isTransientError, random = Math.random, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt + 1 >= policy.maxAttempts || !isRetryable(error)) throw error;
      await sleep(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
    }
  }
}
