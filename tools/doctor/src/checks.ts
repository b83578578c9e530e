import { spawnSync } from 'node:child_process';
import { selectBackend } from '@nextbuy/lstm-model';
import { INSTALL_HINT, xgboostVersion } from '@nextbuy/xgb-model';

export interface CheckResult {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  /** What to do when the check fails. */
  fix?: string;
}

export type Check = () => Promise<CheckResult>;

export const MINIMUM_NODE = [22, 12] as const;

export function checkNode(version: string = process.versions.node): Promise<CheckResult> {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const ok = major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
  return Promise.resolve({
    name: 'node',
    ok,
    required: true,
    detail: `Node.js ${version}`,
    fix: ok ? undefined : `install Node.js ${MINIMUM_NODE.join('.')} or later (https://nodejs.org or your package manager)`,
  });
}

export async function checkXGBoost(): Promise<CheckResult> {
  try {
    return { name: 'libxgboost', ok: true, required: true, detail: `XGBoost ${xgboostVersion()}` };
  } catch (error) {
    return { name: 'libxgboost', ok: false, required: true, detail: (error as Error).message.split(';')[0]!, fix: INSTALL_HINT };
  }
}

export async function checkTensorFlow(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  try {
    const choice = await selectBackend(env);
    const skipped = choice.tried.map((t) => t.name).join(', ');
    return {
      name: 'tensorflow.js',
      ok: true,
      required: true,
      detail: `backend ${choice.name}${skipped ? ` (not available: ${skipped})` : ''}`,
    };
  } catch (error) {
    return { name: 'tensorflow.js', ok: false, required: true, detail: (error as Error).message, fix: 'run `npm ci` at the workspace root, or unset TFJS_BACKEND' };
  }
}

export async function checkDocker(): Promise<CheckResult> {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  const ok = result.status === 0 && result.stdout.trim().length > 0;
  return {
    name: 'docker',
    ok,
    required: false,
    detail: ok ? `Docker engine ${result.stdout.trim()}` : result.error ? 'docker client not found' : 'no Docker engine answers',
    fix: ok ? undefined : 'only needed for `nx run trainer:docker` and `nx run inference-api:docker`: install Docker and start its engine',
  };
}

export const ALL_CHECKS: Check[] = [() => checkNode(), checkXGBoost, () => checkTensorFlow(), checkDocker];

export async function runChecks(checks: Check[] = ALL_CHECKS): Promise<{ results: CheckResult[]; ok: boolean }> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(await check());
  return { results, ok: results.every((r) => r.ok || !r.required) };
}

export function formatResults(results: CheckResult[]): string {
  return results
    .map((r) => {
      const mark = r.ok ? 'ok  ' : r.required ? 'FAIL' : 'warn';
      return `${mark} ${r.name.padEnd(14)} ${r.detail}${r.ok || !r.fix ? '' : `\n     fix: ${r.fix}`}`;
    })
    .join('\n');
}
