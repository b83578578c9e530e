import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration every project uses. The JSON report is what `.ci/run`
 * totals, so it lands in `<project>/test-output/vitest.json` (a cached Nx output).
 */
export function projectTestConfig(options: { testTimeout?: number } = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      reporters: ['default', 'json'],
      outputFile: { json: 'test-output/vitest.json' },
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 120_000,
      pool: 'forks',
    },
  });
}
