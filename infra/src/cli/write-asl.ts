import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { synthesizeAsl } from '../app';

/** infra/state-machine.asl.json: the definition the local runner executes. */
export const aslFile = fileURLToPath(new URL('../../state-machine.asl.json', import.meta.url));

/** The file's exact text for a definition, so the drift test compares like with like. */
export function aslFileText(definition: unknown): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(aslFile, aslFileText(synthesizeAsl()));
  console.log(`wrote ${aslFile}`);
}
