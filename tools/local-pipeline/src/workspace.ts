import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalSetupError } from './errors';

/** The Nx workspace this tool belongs to. */
export const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The state machine definition the CDK app synthesizes (`nx run infra:asl` writes it). */
export const aslFile = join(workspaceRoot, 'infra', 'state-machine.asl.json');

/** Where `npm start` leaves each run's reports and logs (git-ignored). */
export const defaultRunsDir = join(workspaceRoot, 'runs');

/** The built deployables the local pipeline runs, by the app that builds them. */
const BUNDLES = {
  'lambda-extract': 'dist/apps/lambda-extract/main.js',
  'lambda-batch': 'dist/apps/lambda-batch/main.js',
  'lambda-dynamo': 'dist/apps/lambda-dynamo/main.js',
  trainer: 'dist/apps/trainer/bin.js',
  'inference-api': 'dist/apps/inference-api/main.js',
} as const;
export type BuiltApp = keyof typeof BUNDLES;

/** The absolute path of an app's built bundle; LocalSetupError says how to build it when it is missing. */
export function builtBundle(app: BuiltApp): string {
  const path = join(workspaceRoot, BUNDLES[app]);
  if (!existsSync(path)) throw new LocalSetupError(`${BUNDLES[app]} is missing: build it with \`npx nx run ${app}:build\` (npm start does)`);
  return path;
}
