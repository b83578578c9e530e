import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FORMAT_VERSION, ArtifactError, HORIZON_DAYS, MANIFEST_FILE, manifestSchema, type Manifest } from '@nextbuy/contracts';
import { listFiles, sha256File } from './checksums';

export type ManifestDraft = Omit<Manifest, 'files' | 'formatVersion'>;

/**
 * Writes `manifest.json` into an artifact directory whose model files are already there,
 * with the sha256 of every other file. Returns the manifest written.
 */
export async function writeManifest(dir: string, draft: ManifestDraft): Promise<Manifest> {
  const files: Record<string, string> = {};
  for (const path of await listFiles(dir)) {
    if (path !== MANIFEST_FILE) files[path] = await sha256File(join(dir, path));
  }
  const manifest = manifestSchema.parse({ formatVersion: ARTIFACT_FORMAT_VERSION, ...draft, files });
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Reads and verifies an artifact directory: a manifest this version understands, fitted for the
 * horizon this build serves (`HORIZON_DAYS`; a manifest without `horizons` predates the field
 * and was), and every file it lists present with its checksum. Throws ArtifactError saying what
 * is wrong.
 */
export async function readArtifact(dir: string): Promise<Manifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw new ArtifactError(`${join(dir, MANIFEST_FILE)}: cannot read the manifest (${(error as Error).message})`);
  }
  const version = (raw as { formatVersion?: unknown })?.formatVersion;
  if (version !== ARTIFACT_FORMAT_VERSION) {
    throw new ArtifactError(
      `${join(dir, MANIFEST_FILE)}: artifact format version ${JSON.stringify(version)} is not supported (this build reads version ${ARTIFACT_FORMAT_VERSION}); retrain the model or use the matching release`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ArtifactError(`${join(dir, MANIFEST_FILE)}: invalid manifest at "${issue.path.join('.')}": ${issue.message}`);
  }
  const manifest = parsed.data;
  // The record's column is p_order_90d: a model fitted for another horizon would be served under a false name.
  const horizon = manifest.horizons?.orderWithinDays ?? HORIZON_DAYS;
  if (horizon !== HORIZON_DAYS) {
    throw new ArtifactError(
      `${join(dir, MANIFEST_FILE)}: the model was fitted to predict an order within ${horizon} days, but this build serves p_order_90d (an order within ${HORIZON_DAYS} days); retrain the model with this build or serve it with the release that trained it`,
    );
  }
  for (const [path, expected] of Object.entries(manifest.files)) {
    if (path.startsWith('/') || path.split('/').includes('..')) throw new ArtifactError(`manifest lists a path outside the artifact: "${path}"`);
    let actual: string;
    try {
      actual = await sha256File(join(dir, path));
    } catch {
      throw new ArtifactError(`${dir}: file "${path}" listed in the manifest is missing`);
    }
    if (actual !== expected) throw new ArtifactError(`${dir}: checksum mismatch for "${path}" (expected ${expected}, found ${actual}): the artifact is corrupted or was modified`);
  }
  return manifest;
}
