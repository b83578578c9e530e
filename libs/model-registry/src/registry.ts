import { NextBuyError, type Manifest, type ModelFactory, type NextPurchaseModel } from '@nextbuy/contracts';
import { readArtifact } from '@nextbuy/artifact';

/**
 * Every model type the product knows, one line each. Factories load lazily, so serving an
 * XGBoost model never loads TensorFlow.js and vice versa.
 */
export const MODEL_TYPES = {
  xgboost: () => import('@nextbuy/xgb-model').then((m) => m.xgboostFactory),
  lstm: () => import('@nextbuy/lstm-model').then((m) => m.lstmFactory),
} satisfies Record<string, () => Promise<ModelFactory>>;

export type ModelType = keyof typeof MODEL_TYPES;

export class UnknownModelTypeError extends NextBuyError {}

export function isModelType(type: string): type is ModelType {
  return Object.hasOwn(MODEL_TYPES, type);
}

/** The factory of a model type; the error lists the known types. */
export async function modelFactory(type: string): Promise<ModelFactory> {
  if (!isModelType(type)) throw new UnknownModelTypeError(`unknown model type "${type}" (known: ${Object.keys(MODEL_TYPES).join(', ')})`);
  return MODEL_TYPES[type]();
}

/** Verifies an artifact directory (manifest, checksums, format version) and loads its model. */
export async function loadModel(dir: string): Promise<{ manifest: Manifest; model: NextPurchaseModel }> {
  const manifest = await readArtifact(dir);
  const factory = await modelFactory(manifest.modelType);
  const model = await factory.load(dir, {
    hyperparameters: manifest.hyperparameters,
    libraries: manifest.libraries,
    ...(manifest.backend ? { backend: manifest.backend } : {}),
  });
  return { manifest, model };
}
