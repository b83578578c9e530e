import { runIdSchema } from '@nextbuy/contracts';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROWS, localRunId, parseCli } from './cli';

describe('the command line', () => {
  it('runs one generated dataset with the xgboost model when given no flags', () => {
    expect(parseCli([], '/runs')).toEqual({
      datasets: ['retail'],
      rows: DEFAULT_ROWS,
      seed: 1,
      modelBackend: 'xgboost',
      hyperparameters: {},
      runsDir: '/runs',
      filePath: undefined,
      run: undefined,
      // npm start shows the endpoint path: a serverless endpoint per dataset unless told otherwise.
      endpoints: { retail: { serverless: { memorySizeMb: 2048, maxConcurrency: 5 }, keepConfigs: 3 } },
      keepServing: false,
    });
  });

  it('takes the endpoints as the CDK context "endpoints" gives them, {} for none', () => {
    expect(parseCli(['--endpoints', '{}'], '/runs').endpoints).toEqual({});
    expect(parseCli(['--datasets', 'a,b'], '/runs').endpoints).toEqual({ a: expect.objectContaining({ serverless: expect.anything() }), b: expect.objectContaining({ serverless: expect.anything() }) });
    expect(parseCli(['--endpoints', '{"a":{"instances":{"instanceCount":2}}}', '--keep_serving'], '/runs')).toMatchObject({ endpoints: { a: { instances: { instanceCount: 2 } } }, keepServing: true });
    expect(() => parseCli(['--endpoints', '{"a":{}}'], '/runs')).toThrow(/--endpoints.*a: give exactly one of "serverless"/);
  });

  it('takes several datasets, a file, a model type and hyperparameters (also as --flag=value, as Nx forwards them)', () => {
    expect(parseCli(['--datasets', 'a,b-2', '--file_path=/data/retail.csv', '--model_backend', 'lstm', '--hyperparameters', 'epochs=3,batch_size=64', '--rows=20000'], '/runs')).toMatchObject({
      datasets: ['a', 'b-2'],
      filePath: '/data/retail.csv',
      modelBackend: 'lstm',
      hyperparameters: { epochs: '3', batch_size: '64' },
      rows: 20000,
    });
  });

  it('refuses bad flags, saying which and why', () => {
    const failure = (argv: string[]) => {
      try {
        parseCli(argv, '/runs');
      } catch (error) {
        expect(error).toBeInstanceOf(CommanderError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(failure(['--datasets', 'Retail'])).toMatch(/"Retail": lower-case/);
    expect(failure(['--datasets', 'a,a'])).toMatch(/each dataset once/);
    expect(failure(['--rows', '10'])).toMatch(/--rows.*an integer from 1000/);
    expect(failure(['--model_backend', 'forest'])).toMatch(/forest/);
    expect(failure(['--hyperparameters', 'eta'])).toMatch(/"eta" is not key=value/);
    expect(failure(['--run', 'a/b'])).toMatch(/--run/);
    // Hyperparameters are checked against the chosen model type's specs, read off the model registry.
    expect(failure(['--hyperparameters', 'eta=2'])).toMatch(/--hyperparameters: .*column "eta": must be a number > 0 and <= 1, got "2"/);
    expect(failure(['--model_backend', 'bgnbd', '--hyperparameters', 'eta=0.1'])).toMatch(/"eta".*not a hyperparameter of the bgnbd model/);
    expect(parseCli(['--model_backend', 'pareto_nbd'], '/runs').modelBackend).toBe('pareto_nbd');
  });

  it('names a run after its start time, as a valid run id', () => {
    const run = localRunId(new Date('2026-11-26T08:15:00.123Z'));
    expect(run).toBe('local-20261126-081500');
    expect(runIdSchema.safeParse(run).success).toBe(true);
  });
});
