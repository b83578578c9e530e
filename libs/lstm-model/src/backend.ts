import * as tf from '@tensorflow/tfjs';
import { installKernelFixes } from './kernel-fixes';

/** The TensorFlow.js backends tried in order; the first that loads wins. */
export const BACKEND_LADDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_LADDER)[number];

const PACKAGES: Record<BackendName, string | undefined> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: undefined,
};
// tfjs-node and tfjs-node-gpu both register themselves as the 'tensorflow' backend.
const REGISTERED_AS: Record<BackendName, string> = { 'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

export interface BackendChoice {
  name: BackendName;
  /** Version of the backend's package (tfjs-core's own for cpu). */
  version: string;
  tried: Array<{ name: BackendName; error: string }>;
}

/**
 * Selects the first backend of the ladder that loads (or only `TFJS_BACKEND` when set) and
 * makes it tfjs's active backend; on wasm, installs the kernel fixes of kernel-fixes.ts.
 */
export async function selectBackend(env: NodeJS.ProcessEnv = process.env): Promise<BackendChoice> {
  const requested = env.TFJS_BACKEND as BackendName | undefined;
  if (requested !== undefined && !BACKEND_LADDER.includes(requested)) {
    throw new Error(`TFJS_BACKEND="${requested}" is not one of ${BACKEND_LADDER.join(', ')}`);
  }
  const ladder = requested ? [requested] : BACKEND_LADDER;
  const tried: BackendChoice['tried'] = [];
  for (const name of ladder) {
    try {
      const pkg = PACKAGES[name];
      const module = pkg ? ((await import(/* @vite-ignore */ pkg)) as { version?: string; version_wasm?: string }) : undefined;
      // A package can resolve without being the backend (this workspace maps tfjs-node to tfjs itself).
      if (!tf.findBackendFactory(REGISTERED_AS[name])) {
        tried.push({ name, error: `${pkg} loaded but registered no '${REGISTERED_AS[name]}' backend` });
        continue;
      }
      if (await tf.setBackend(REGISTERED_AS[name])) {
        await tf.ready();
        if (name === 'wasm') installKernelFixes();
        return { name, version: module?.version_wasm ?? module?.version ?? tf.version_core, tried };
      }
      tried.push({ name, error: 'setBackend returned false' });
    } catch (error) {
      tried.push({ name, error: (error as Error).message.split('\n')[0] ?? String(error) });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${tried.map((t) => `${t.name} (${t.error})`).join('; ')}`);
}

let selected: Promise<BackendChoice> | undefined;

/**
 * The backend the models train and predict on: selected on first use (from the process
 * environment) and logged once, then kept, unless something switched tfjs to another backend since.
 */
export async function modelBackend(log: (line: string) => void = console.info): Promise<BackendChoice> {
  const current = selected && (await selected.catch(() => undefined));
  if (current && tf.getBackend() === REGISTERED_AS[current.name]) return current;
  selected = selectBackend(process.env);
  const choice = await selected.catch((error: unknown) => {
    selected = undefined;
    throw error;
  });
  const fallbacks = choice.tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  log(`lstm-model: TensorFlow.js backend ${choice.name} ${choice.version}${fallbacks ? ` (not available: ${fallbacks})` : ''}`);
  return choice;
}
