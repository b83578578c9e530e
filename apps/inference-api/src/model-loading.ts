import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractArtifact } from '@nextbuy/artifact';
import { ArtifactError, MANIFEST_FILE, MODEL_TARBALL, type Manifest, type NextPurchaseModel } from '@nextbuy/contracts';
import { buildScoringTable, FEATURE_NAMES } from '@nextbuy/features';
import { loadModel } from '@nextbuy/model-registry';

/** A verified model ready to predict. */
export interface ServingModel {
  manifest: Manifest;
  model: NextPurchaseModel;
}

/**
 * A throwaway one-customer prediction, so that the first real request does not pay for
 * compiling the prediction path (V8, and tfjs kernels for the LSTM) and so that a model that
 * loads but cannot predict is never reported ready.
 */
async function warmUp(model: NextPurchaseModel): Promise<void> {
  const orders = {
    nRows: 2,
    customerIds: ['warm-up', 'warm-up'],
    day: Int32Array.of(15_000, 15_030),
    totalPrice: Float64Array.of(10, 20),
    quantity: Float64Array.of(1, 2),
    lines: Int32Array.of(1, 1),
    invoices: Int32Array.of(1, 1),
  };
  await model.predict(buildScoringTable(orders, 15_040));
}

/**
 * Loads the model of a SageMaker model directory: an extracted artifact (its manifest at the
 * top), or a directory holding `model.tar.gz`, which is extracted safely into a temporary
 * directory (removed once loaded: every model type holds its files in memory). Verifies the manifest, its checksums and format version (`loadModel`), and that the
 * model's features are the ones this server computes. Throws ArtifactError saying what is wrong.
 */
export async function loadServingModel(modelDir: string): Promise<ServingModel> {
  if (!existsSync(modelDir)) throw new ArtifactError(`${modelDir}: no such model directory (set SM_MODEL_DIR)`);
  let extracted: string | undefined;
  let artifactDir = modelDir;
  if (!existsSync(join(modelDir, MANIFEST_FILE))) {
    const tarball = join(modelDir, MODEL_TARBALL);
    if (!existsSync(tarball)) throw new ArtifactError(`${modelDir}: neither ${MANIFEST_FILE} nor ${MODEL_TARBALL} is there`);
    extracted = await mkdtemp(join(tmpdir(), 'nextbuy-model-'));
    artifactDir = extracted;
  }
  try {
    if (extracted) await extractArtifact(join(modelDir, MODEL_TARBALL), extracted);
    const { manifest, model } = await loadModel(artifactDir);
    try {
      if (manifest.featureNames.join(',') !== FEATURE_NAMES.join(',')) {
        throw new ArtifactError(
          `${artifactDir}: the model was trained on features [${manifest.featureNames.join(', ')}], but this server computes [${FEATURE_NAMES.join(', ')}]; retrain it or serve it with the matching release`,
        );
      }
      await warmUp(model);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return { manifest, model };
  } finally {
    if (extracted) await rm(extracted, { recursive: true, force: true });
  }
}
