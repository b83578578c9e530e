export { listFiles, sha256File } from './checksums';
export { readArtifact, writeManifest, type ManifestDraft } from './manifest-io';
export { DEFAULT_EXTRACT_LIMITS, extractArtifact, packArtifact, type ExtractLimits } from './tarball';
