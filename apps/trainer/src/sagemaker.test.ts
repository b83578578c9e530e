import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hyperparametersToArgs, metricLines, sageMakerLayout } from './sagemaker';

describe('SageMaker contract', () => {
  it('turns string hyperparameters into flags and finds the train channel file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'opt-ml-'));
    const layout = sageMakerLayout({ SM_OPT_ML_ROOT: root });
    await mkdir(join(root, 'input', 'config'), { recursive: true });
    await mkdir(layout.trainChannel, { recursive: true });
    await writeFile(join(layout.trainChannel, 'sales.csv.gz'), '');
    await writeFile(layout.hyperparameters, JSON.stringify({ epochs: '5', model_backend: 'lstm', sagemaker_program: 'x' }));
    expect(await hyperparametersToArgs(layout)).toEqual(['--epochs', '5', '--model_backend', 'lstm', '--file_path', join(layout.trainChannel, 'sales.csv.gz'), '--model_dir', join(root, 'model')]);
  });
  it('refuses invalid hyperparameters.json by path', async () => {
    const root = await mkdtemp(join(tmpdir(), 'opt-ml-'));
    const layout = sageMakerLayout({ SM_OPT_ML_ROOT: root });
    await mkdir(join(root, 'input', 'config'), { recursive: true });
    await writeFile(layout.hyperparameters, '{"epochs": ');
    await expect(hyperparametersToArgs(layout)).rejects.toThrow(/hyperparameters\.json is not valid JSON/);
  });
  it('prints metrics as name=value; lines, baselines prefixed, nulls left out', () => {
    const lines = metricLines({
      cutoff: '2011-01-01',
      scoredCustomers: 1,
      returnedCustomers: 1,
      metrics: { model: { mae_days: 50.25, c_index: 0.8, auc_90d: null, brier_90d: null }, baseline_km: { mae_days: 300, c_index: 0.6, auc_90d: 0.7, brier_90d: 0.1 } },
    });
    expect(lines).toEqual(['mae_days=50.25;', 'c_index=0.8;', 'baseline_km:mae_days=300;', 'baseline_km:c_index=0.6;', 'baseline_km:auc_90d=0.7;', 'baseline_km:brier_90d=0.1;']);
  });
});
