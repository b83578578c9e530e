import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared';

// s3rver runs in the test process and encrypts list continuation tokens with DES, which OpenSSL 3
// only has in its legacy provider. The SDK's notice about Node 20 says nothing about the tests.
export default mergeConfig(projectTestConfig({ testTimeout: 120_000 }), {
  test: { execArgv: ['--openssl-legacy-provider'], env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
});
