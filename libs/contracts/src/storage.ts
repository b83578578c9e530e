import { z } from 'zod';
import { MODEL_TARBALL } from './manifest';

/** A dataset's name: a segment of every S3 key of the pipeline and part of SageMaker job names. */
export const datasetNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes (at most 63)');

/** A pipeline run's id: a segment of S3 keys, so it keeps to characters S3 and SageMaker both take as they are. */
export const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'letters, digits, ".", "_" and "-" (at most 80), starting with a letter or digit');

/** The S3 key prefixes of one dataset's run (design.md "Storage"); each ends with "/". */
export const runPrefixes = {
  raw: (dataset: string, run: string) => `${dataset}/raw/${run}/`,
  batchInput: (dataset: string, run: string) => `${dataset}/batch-input/${run}/`,
  predictions: (dataset: string, run: string) => `${dataset}/predictions/${run}/`,
} as const;

/** The names of the objects lambda-extract writes into a run's prefixes: the training channel's file and the batch input. */
export const RUN_OBJECTS = { transactions: 'transactions.csv.gz', batchInput: 'customers.jsonl' } as const;

/** The keys of those objects. */
export const runKeys = {
  transactions: (dataset: string, run: string) => `${runPrefixes.raw(dataset, run)}${RUN_OBJECTS.transactions}`,
  batchInput: (dataset: string, run: string) => `${runPrefixes.batchInput(dataset, run)}${RUN_OBJECTS.batchInput}`,
} as const;

/** A dataset's training jobs' output path (one per dataset: the job name tells runs apart); ends with "/". */
export function modelsPrefix(dataset: string): string {
  return `${dataset}/models/`;
}

/** Where SageMaker puts a training job's packed model, under its output path (a folder, ending with "/"): `<job>/output/model.tar.gz`. */
export function trainingJobModelKey(outputFolder: string, jobName: string): string {
  return `${outputFolder}${jobName}/output/${MODEL_TARBALL}`;
}

/** Where a dataset's endpoint writes the requests and responses it samples (data capture); ends with "/". */
export const captureKeyPrefix = (dataset: string) => `${dataset}/capture/`;

/** `s3://bucket/key`. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Bucket and key (possibly empty) of an `s3://bucket/key` URI; throws RangeError on anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) throw new RangeError(`not an s3://bucket/key URI: "${uri}"`);
  return { bucket: match[1]!, key: match[2] ?? '' };
}
