import { InputDataError } from '@nextbuy/contracts';
import { describe, expect, it } from 'vitest';
import { LSTM_HYPERPARAMETERS, parseHyperparameters, settingsToHyperparameters } from './hyperparameters';

describe('parseHyperparameters', () => {
  it('has the seed defaults for the sequence and network shape', () => {
    expect(parseHyperparameters({})).toMatchObject({ timeSeriesLength: 3, hiddenSize: 32, lstmLayers: 1 });
  });

  it('parses SageMaker-style strings and numbers alike', () => {
    const settings = parseHyperparameters({ time_series_length: '5', learning_rate: '0.01', dropout: 0.25, batch_size: '128', seed: '0' });
    expect(settings).toMatchObject({ timeSeriesLength: 5, learningRate: 0.01, dropout: 0.25, batchSize: 128, seed: 0 });
    expect(parseHyperparameters(settingsToHyperparameters(settings))).toEqual(settings);
  });

  it.each([
    ['hidden_size', '0'],
    ['hidden_size', '3.5'],
    ['epochs', 'ten'],
    ['batch_size', ''],
    ['learning_rate', '-1'],
    ['dropout', '1'],
    ['validation_split', 'NaN'],
    ['lstm_layers', true],
    ['seed', '-3'],
  ])('rejects %s = %j by name', (name, value) => {
    const parse = () => parseHyperparameters({ [name]: value });
    expect(parse).toThrow(InputDataError);
    expect(parse).toThrow(`column "${name}"`);
  });

  it('rejects an unknown hyperparameter by name and lists the known ones', () => {
    expect(() => parseHyperparameters({ hiden_size: 16 })).toThrow(/column "hiden_size".*hidden_size/);
    expect(LSTM_HYPERPARAMETERS).toContain('time_series_length');
  });
});
