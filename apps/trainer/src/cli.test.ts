import { describe, expect, it } from 'vitest';
import { buildProgram, parseTrainerArgs } from './cli';
import { TrainingInputError } from './errors';

describe('trainer command line', () => {
  it('accepts the seed flags and defaults the model dir to SM_MODEL_DIR', () => {
    const options = parseTrainerArgs(['--file_path', 'data.csv', '--model_backend', 'lstm'], { SM_MODEL_DIR: '/opt/ml/model' });
    expect(options).toMatchObject({ filePath: 'data.csv', modelBackend: 'lstm', modelDir: '/opt/ml/model', seed: 42 });
    expect(parseTrainerArgs([], {}).modelDir).toBe('./model');
  });
  it('rejects an unknown model backend by name', () => {
    expect(() => parseTrainerArgs(['--model_backend', 'prophet'], {})).toThrow(/prophet/);
  });
  it('refuses each bad value of the trainer\'s own flags by flag and value, before any training', () => {
    const refused: Array<[string[], string]> = [
      [['--outlier_contamination', '0.6'], '--outlier_contamination must be a share from 0 to 0.5, got "0.6"'],
      [['--outlier_contamination', '-0.1'], '--outlier_contamination must be a share from 0 to 0.5, got "-0.1"'],
      [['--outlier_contamination', 'abc'], '--outlier_contamination must be a share from 0 to 0.5, got "abc"'],
      [['--outlier_contamination', ''], '--outlier_contamination must be a share from 0 to 0.5, got ""'],
      [['--cutoff', '2011/02/01'], '--cutoff must be a date YYYY-MM-DD, got "2011/02/01"'],
      [['--cutoff', '2011-02-30'], '--cutoff must be a date YYYY-MM-DD, got "2011-02-30"'],
      [['--seed', '1.5'], '--seed must be an integer >= 0, got "1.5"'],
      [['--seed', '-1'], '--seed must be an integer >= 0, got "-1"'],
      [['--seed', ''], '--seed must be an integer >= 0, got ""'],
      [['--rows', '999'], '--rows must be an integer >= 1000, got "999"'],
      [['--rows', 'many'], '--rows must be an integer >= 1000, got "many"'],
      [['--use_gpu', 'maybe'], '--use_gpu must be true or false, got "maybe"'],
      [['--strict', 'sometimes'], '--strict must be true or false, got "sometimes"'],
    ];
    for (const [argv, message] of refused) {
      expect(() => parseTrainerArgs(argv, {}), argv.join(' ')).toThrow(TrainingInputError);
      expect(() => parseTrainerArgs(argv, {}), argv.join(' ')).toThrow(message);
    }
  });

  it('reads the boolean flags bare or with a value, as SageMaker hyperparameters pass them', () => {
    expect(parseTrainerArgs([], {})).toMatchObject({ strict: false, useGpu: false, outlierContamination: 0.01, seed: 42, rows: 200_000 });
    expect(parseTrainerArgs(['--strict', '--use_gpu'], {})).toMatchObject({ strict: true, useGpu: true });
    expect(parseTrainerArgs(['--strict', 'true', '--use_gpu', 'false'], {})).toMatchObject({ strict: true, useGpu: false });
    expect(parseTrainerArgs(['--strict', 'false', '--use_gpu', '1'], {})).toMatchObject({ strict: false, useGpu: true });
    expect(parseTrainerArgs(['--outlier_contamination', '0', '--cutoff', '2012-02-29', '--seed', '0', '--rows', '1000'], {})).toMatchObject({ outlierContamination: 0, cutoff: '2012-02-29', seed: 0, rows: 1000 });
  });

  it('documents every flag in --help', () => {
    const help = buildProgram({}).helpInformation();
    for (const flag of ['--file_path', '--model_backend', '--cutoff', '--model_dir', '--seed']) expect(help).toContain(flag);
  });
});

describe('model flags, read off the model registry', () => {
  it('offers every registered model type, and each one\'s hyperparameters with range and default in --help', () => {
    const help = buildProgram({}).helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('--model_backend <type> model type (choices: "xgboost", "lstm", "bgnbd", "pareto_nbd", "bgcnbd", default: "xgboost")');
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
