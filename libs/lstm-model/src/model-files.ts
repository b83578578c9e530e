import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ArtifactError } from '@nextbuy/contracts';
import * as tf from '@tensorflow/tfjs';

/** The files of a tfjs Layers model in TensorFlow.js's own format. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * A tfjs IOHandler reading and writing `model.json` + `weights.bin` in a directory, the layout
 * tfjs-node's file:// handler uses (tfjs-node cannot be installed here, and the core package
 * has no file system handler). Weights are written and read back byte for byte.
 */
export function directoryHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('a Layers model was expected (JSON topology)');
      const weightsManifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology!,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest,
      };
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load() {
      const modelJson = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const paths = manifest.flatMap((group) => group.paths);
        // Weight files sit next to model.json; a path elsewhere is a broken or hostile artifact.
        const outside = paths.find((path) => basename(path) !== path);
        if (outside !== undefined) throw new ArtifactError(`${join(dir, MODEL_JSON)}: weight path "${outside}" leaves the model directory`);
        const buffers = await Promise.all(paths.map((path) => readFile(join(dir, path))));
        const weights = Buffer.concat(buffers);
        const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
        return [manifest.flatMap((group) => group.weights), data];
      });
    },
  };
}
