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

describe('model flags, read off the model registry', () => {
  it('offers every registered model type, and each one\'s hyperparameters with range and default in --help', () => {
    const help = buildProgram({}).helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('--model_backend <type> model type (choices: "xgboost", "lstm", "bgnbd", "pareto_nbd", default: "xgboost")');
    expect(help).toContain('--eta <value> [xgboost] XGBoost learning rate (a number > 0 and <= 1, default 0.05)');
    expect(help).toContain('--return_horizon_days <value> [every model]');
    expect(help).toContain('--hidden_size <value> [lstm]');
  });

  it('checks a model flag against the chosen type\'s spec and names the flag', () => {
    expect(parseTrainerArgs(['--eta', '0.3', '--max_depth', '4'], {}).hyperparameters).toEqual({ seed: 42, eta: 0.3, max_depth: 4 });
    expect(() => parseTrainerArgs(['--eta', '2'], {})).toThrow('--eta must be a number > 0 and <= 1, got "2"');
    expect(() => parseTrainerArgs(['--return_horizon_days', '30', '--model_backend', 'bgnbd'], {})).toThrow('--return_horizon_days must be an integer from 90 to 3650, got "30"');
    expect(() => parseTrainerArgs(['--epochs', '5'], {})).toThrow(/--epochs is not a parameter of the xgboost model \(it is one of lstm: did you mean --model_backend lstm\?\)/);
    expect(() => parseTrainerArgs(['--model_backend', 'bgnbd', '--eta', '0.1'], {})).toThrow(/--eta is not a parameter of the bgnbd model/);
  });

  it('refuses an upload destination that is not s3:// before any training, by its flag', () => {
    expect(() => parseTrainerArgs(['--upload_artifact', '/tmp/out'], {})).toThrow('--upload_artifact must be an s3://bucket/prefix, got "/tmp/out"');
    expect(parseTrainerArgs(['--upload_batch_input', 's3://bucket/runs/'], {}).uploadBatchInput).toBe('s3://bucket/runs/');
  });

  it('passes the trainer\'s seed to models that declare one, and only to them', () => {
    expect(parseTrainerArgs(['--seed', '7', '--model_backend', 'lstm'], {}).hyperparameters).toEqual({ seed: 7 });
    expect(parseTrainerArgs(['--seed', '7', '--model_backend', 'pareto_nbd'], {}).hyperparameters).toEqual({});
  });
});
