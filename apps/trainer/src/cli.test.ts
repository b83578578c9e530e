import { describe, expect, it } from 'vitest';
import { buildProgram, parseTrainerArgs } from './cli';

describe('trainer command line', () => {
  it('accepts the seed flags and defaults the model dir to SM_MODEL_DIR', () => {
    const options = parseTrainerArgs(['--file_path', 'data.csv', '--model_backend', 'lstm'], { SM_MODEL_DIR: '/opt/ml/model' });
    expect(options).toMatchObject({ filePath: 'data.csv', modelBackend: 'lstm', modelDir: '/opt/ml/model', seed: 42 });
    expect(parseTrainerArgs([], {}).modelDir).toBe('./model');
  });
  it('rejects an unknown model backend by name', () => {
    expect(() => parseTrainerArgs(['--model_backend', 'prophet'], {})).toThrow(/prophet/);
  });
  it('documents every flag in --help', () => {
    const help = buildProgram({}).helpInformation();
    for (const flag of ['--file_path', '--model_backend', '--cutoff', '--model_dir', '--seed']) expect(help).toContain(flag);
  });
});
