import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputDataError } from '@nextbuy/contracts';
import { assertSingleInstance, hyperparametersToArgs, metricLines, sageMakerLayout } from './sagemaker';

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
  it('trains on a channel of several files (an S3 prefix of exports) as one folder, and names an empty channel', async () => {
    const root = await mkdtemp(join(tmpdir(), 'opt-ml-'));
    const layout = sageMakerLayout({ SM_OPT_ML_ROOT: root });
    await mkdir(join(root, 'input', 'config'), { recursive: true });
    await mkdir(layout.trainChannel, { recursive: true });
    await writeFile(layout.hyperparameters, '{}');
    await writeFile(join(layout.trainChannel, '_SUCCESS'), '');
    await expect(hyperparametersToArgs(layout)).rejects.toThrow(`the train channel ${layout.trainChannel} holds no transactions file`);
    await writeFile(join(layout.trainChannel, 'part-0.csv'), '');
    expect(await hyperparametersToArgs(layout)).toContain(join(layout.trainChannel, 'part-0.csv'));
    await writeFile(join(layout.trainChannel, 'part-1.csv'), '');
    expect(await hyperparametersToArgs(layout)).toEqual(['--file_path', layout.trainChannel, '--model_dir', join(root, 'model')]);
  });
  it('refuses invalid hyperparameters.json by path', async () => {
    const root = await mkdtemp(join(tmpdir(), 'opt-ml-'));
    const layout = sageMakerLayout({ SM_OPT_ML_ROOT: root });
    await mkdir(join(root, 'input', 'config'), { recursive: true });
    await writeFile(layout.hyperparameters, '{"epochs": ');
    await expect(hyperparametersToArgs(layout)).rejects.toThrow(/hyperparameters\.json is not valid JSON/);
  });
  describe('resourceconfig.json', () => {
    async function layoutWith(resourceConfig?: string) {
      const root = await mkdtemp(join(tmpdir(), 'opt-ml-'));
      const layout = sageMakerLayout({ SM_OPT_ML_ROOT: root });
      await mkdir(join(root, 'input', 'config'), { recursive: true });
      if (resourceConfig !== undefined) await writeFile(layout.resourceConfig, resourceConfig);
      return layout;
    }
    it('lets one instance (or no file, as in a local emulation) through', async () => {
      await expect(assertSingleInstance(await layoutWith())).resolves.toBeUndefined();
      const one = JSON.stringify({ current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' });
      await expect(assertSingleInstance(await layoutWith(one))).resolves.toBeUndefined();
    });
    it('refuses more than one instance in one sentence naming the hosts', async () => {
      const layout = await layoutWith(JSON.stringify({ current_host: 'algo-2', hosts: ['algo-1', 'algo-2'] }));
      const refusal = assertSingleInstance(layout);
      await expect(refusal).rejects.toThrow(InputDataError);
      await expect(assertSingleInstance(layout)).rejects.toThrow(
        `${layout.resourceConfig}: the training job has 2 instances (algo-1, algo-2) but the trainer trains on one and does not distribute training: set the instance count to 1`,
      );
    });
    it.each([
      ['{"hosts": ', /resourceconfig\.json: not valid JSON/],
      ['null', /resourceconfig\.json: expected an object whose "hosts" is a non-empty list/],
      ['{"current_host": "algo-1"}', /"hosts" is a non-empty list/],
      ['{"hosts": []}', /"hosts" is a non-empty list/],
      ['{"hosts": [1, 2]}', /"hosts" is a non-empty list/],
    ])('refuses a malformed file %j by its path', async (content, message) => {
      await expect(assertSingleInstance(await layoutWith(content))).rejects.toThrow(message);
    });
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
