import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared';

// s3rver encrypts list continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
export default mergeConfig(projectTestConfig(), { test: { execArgv: ['--openssl-legacy-provider'] } });
