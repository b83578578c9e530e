import { captureKeyPrefix, modelsPrefix, runPrefixes } from '@nextbuy/contracts';

/**
 * Object-key patterns (IAM `*` wildcards) of design.md's storage layout, for any dataset and run:
 * `<dataset>/raw/<run>/...`, `<dataset>/batch-input/<run>/...`, `<dataset>/predictions/<run>/...`,
 * `<dataset>/models/<job>/output/model.tar.gz`. Derived from the contracts' prefixes so the
 * policies cannot drift from the keys the handlers write.
 */
export const keyPatterns = {
  raw: `${runPrefixes.raw('*', '*')}*`,
  batchInput: `${runPrefixes.batchInput('*', '*')}*`,
  predictions: `${runPrefixes.predictions('*', '*')}*`,
  models: `${modelsPrefix('*')}*`,
  capture: `${captureKeyPrefix('*')}*`,
} as const;

/**
 * The tag one lifecycle rule expires raw objects by, under every dataset (a prefix rule cannot say
 * `*\/raw/`). lambda-extract does not tag yet (when it does, its role needs s3:PutObjectTagging on
 * raw keys); until then the per-dataset prefix rules are what expire raw data.
 */
export const rawDataTag = { key: 'data-class', value: 'raw' } as const;
