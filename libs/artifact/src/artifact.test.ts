import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError, emptyDropCounts, HORIZON_DAYS, MANIFEST_FILE } from '@nextbuy/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { extractArtifact, packArtifact, readArtifact, writeManifest, type ManifestDraft } from './index';

const draft: ManifestDraft = {
  modelType: 'xgboost',
  modelVersion: 'xgboost-test',
  createdAt: '2026-11-26T07:00:00.000Z',
  featureNames: ['PrevGapDays'],
  label: { name: 'NextGapDays', unit: 'days', censoring: 'right', definition: 'days to the next order' },
  hyperparameters: { max_depth: 6 },
  backtest: { cutoff: '2011-09-01', scoredCustomers: 10, returnedCustomers: 4, metrics: { model: { mae_days: 1, c_index: 0.7, auc_90d: null, brier_90d: null } } },
  dataQuality: { source: 'x.csv', rowsRead: 1, rowsKept: 1, dropped: emptyDropCounts(), customers: 1, orders: 1, firstDate: null, lastDate: null },
  dataFingerprint: { sha256: 'a'.repeat(64), rows: 1, customers: 1 },
  libraries: { xgboost: '1.7.4' },
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'artifact-'));
  await writeFile(join(dir, 'model.json'), '{"learner": {}}');
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'weights.bin'), Buffer.from([1, 2, 3]));
});

describe('artifact manifest', () => {
  it('lists every file with its sha256 and verifies them back', async () => {
    const manifest = await writeManifest(dir, draft);
    expect(Object.keys(manifest.files)).toEqual(['model.json', 'sub/weights.bin']);
    expect(manifest.files['model.json']).toMatch(/^[0-9a-f]{64}$/);
    expect(await readArtifact(dir)).toEqual(manifest);
  });

  it('refuses a corrupted or missing file, naming it', async () => {
    await writeManifest(dir, draft);
    await writeFile(join(dir, 'sub', 'weights.bin'), Buffer.from([1, 2, 4]));
    await expect(readArtifact(dir)).rejects.toThrow(/checksum mismatch for "sub\/weights.bin"/);
    await writeManifest(dir, draft);
    execFileSync('rm', [join(dir, 'model.json')]);
    await expect(readArtifact(dir)).rejects.toThrow(/"model.json" listed in the manifest is missing/);
  });

  it('refuses an unknown format version with a clear error', async () => {
    await writeManifest(dir, draft);
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, formatVersion: 99 }));
    const error = await readArtifact(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as Error).message).toMatch(/format version 99 is not supported/);
  });

  it('keeps the horizons a model was fitted with, and refuses one fitted for another p_order_90d horizon in one sentence', async () => {
    const horizons = { orderWithinDays: HORIZON_DAYS, landmarkDays: [1, 2, 3], classifierHorizonsDays: [7, 30, HORIZON_DAYS] };
    expect((await writeManifest(dir, { ...draft, horizons })).horizons).toEqual(horizons);
    expect((await readArtifact(dir)).horizons).toEqual(horizons);

    await writeManifest(dir, { ...draft, horizons: { orderWithinDays: 60, classifierHorizonsDays: [7, 60] } });
    const error = await readArtifact(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as Error).message).toBe(
      `${join(dir, MANIFEST_FILE)}: the model was fitted to predict an order within 60 days, but this build serves p_order_90d (an order within 90 days); retrain the model with this build or serve it with the release that trained it`,
    );
  });

  it('loads a manifest written before horizons were recorded (fitted for 90 days, as the field documents)', async () => {
    const manifest = await writeManifest(dir, draft);
    expect(manifest.horizons).toBeUndefined();
    expect(await readArtifact(dir)).toEqual(manifest);
  });

  it('loads a manifest whose data-quality report predates a cleaning rule, counting none under it', async () => {
    await writeManifest(dir, draft);
    const path = join(dir, MANIFEST_FILE);
    const written = JSON.parse(await readFile(path, 'utf8')) as { dataQuality: { dropped: Record<string, unknown> } };
    expect(written.dataQuality.dropped.future_date).toEqual({ count: 0, firstLines: [] });
    delete written.dataQuality.dropped.future_date;
    await writeFile(path, JSON.stringify(written));
    expect((await readArtifact(dir)).dataQuality.dropped.future_date).toEqual({ count: 0, firstLines: [] });
  });

  it('refuses classifier horizons that do not end with the p_order_90d horizon', async () => {
    await expect(writeManifest(dir, { ...draft, horizons: { orderWithinDays: HORIZON_DAYS, classifierHorizonsDays: [30, 7] } })).rejects.toThrow(/ascending and end with orderWithinDays/);
  });
});

describe('model tarball', () => {
  it('round-trips an artifact through model.tar.gz', async () => {
    await writeManifest(dir, draft);
    const tarball = join(await mkdtemp(join(tmpdir(), 'tgz-')), 'model.tar.gz');
    await packArtifact(dir, tarball);
    const out = await mkdtemp(join(tmpdir(), 'out-'));
    await extractArtifact(tarball, out);
    expect((await readArtifact(out)).modelVersion).toBe('xgboost-test');
  });

  // Python's tarfile writes the hostile entries node-tar refuses to create.
  function hostileTarball(kind: 'dotdot' | 'symlink' | 'absolute' | 'big'): string {
    const script = `
import io, sys, tarfile
kind, path = sys.argv[1], sys.argv[2]
with tarfile.open(path, 'w:gz') as t:
    def add(name, data=b'x'):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
    add('manifest.json', b'{}')
    if kind == 'dotdot': add('../escaped.txt')
    if kind == 'absolute': add('/tmp/absolute-escape.txt')
    if kind == 'big': add('big.bin', b'0' * 5000)
    if kind == 'symlink':
        info = tarfile.TarInfo('link'); info.type = tarfile.SYMTYPE; info.linkname = '/etc/passwd'; t.addfile(info)
`;
    const path = join(dir, `${kind}.tar.gz`);
    execFileSync('python3', ['-c', script, kind, path]);
    return path;
  }

  it.each(['dotdot', 'symlink', 'absolute'] as const)('refuses a %s entry and writes nothing outside the target', async (kind) => {
    const parent = await mkdtemp(join(tmpdir(), 'parent-'));
    const target = join(parent, 'model');
    await expect(extractArtifact(hostileTarball(kind), target)).rejects.toThrow(ArtifactError);
    expect(existsSync(join(parent, 'escaped.txt'))).toBe(false);
    expect(existsSync(join(target, 'link'))).toBe(false);
  });

  it('refuses contents over the size limit', async () => {
    const target = await mkdtemp(join(tmpdir(), 'limit-'));
    await expect(extractArtifact(hostileTarball('big'), target, { maxBytes: 1000, maxFiles: 10 })).rejects.toThrow(/exceed 1000 bytes/);
  });
});
