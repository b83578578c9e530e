import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared';

// Benchmarks measure, they do not assert: the project may hold no test file.
export default mergeConfig(projectTestConfig(), { test: { passWithNoTests: true } });
