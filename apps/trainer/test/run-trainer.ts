import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The built trainer, as a user (or a SageMaker container) runs it. Built by the test target's dependency. */
export const TRAINER_BIN = resolve(import.meta.dirname, '../../../dist/apps/trainer/bin.js');

export interface TrainerRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTrainer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<TrainerRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [TRAINER_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}
