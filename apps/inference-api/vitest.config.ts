import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared';

// The models every test file uses are trained once per run (test/global-setup.ts).
export default mergeConfig(projectTestConfig(), { test: { globalSetup: ['test/global-setup.ts'] } });
