import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Runs one of bench's TypeScript commands as nx runs it (node with tsx), for its tests: its exit
 * code and output, whether it succeeded or not.
 */
export async function runCommand(script: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}
