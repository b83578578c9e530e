import * as tf from '@tensorflow/tfjs';
import { LstmNetwork, type NetworkShape } from './network';

/**
 * The network as a stock tfjs Layers model: Masking (the is-real-step channel makes every real
 * step non-zero, so exactly the padding is masked) -> LSTM x layers -> Dropout -> Dense(2). It is
 * the saved artifact's format, so anyone can load it with tf.loadLayersModel; the weights are
 * LstmNetwork's, in the same order.
 */
export function toLayersModel(network: LstmNetwork, dropout: number): tf.Sequential {
  const { inputSize, hiddenSize, layers, steps } = network.shape;
  const model = tf.sequential({ name: 'lstm_gap_model' });
  model.add(tf.layers.masking({ maskValue: 0, inputShape: [steps, inputSize], name: 'padding' }));
  for (let l = 0; l < layers; l++) {
    // tfjs defaults recurrentActivation to hardSigmoid; Keras and PyTorch use the sigmoid, and so do we.
    model.add(tf.layers.lstm({ units: hiddenSize, recurrentActivation: 'sigmoid', returnSequences: l + 1 < layers, name: `lstm_${l}` }));
    model.add(tf.layers.dropout({ rate: dropout, name: `dropout_${l}` }));
  }
  model.add(tf.layers.dense({ units: 2, name: 'head' }));
  const weights = network.specs.map((spec) => tf.tensor(network.theta.subarray(spec.offset, spec.offset + spec.size), spec.shape));
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
  return model;
}

/** The network held by a Layers model of toLayersModel's shape (checked weight by weight). */
export function fromLayersModel(model: tf.LayersModel): LstmNetwork {
  const input = model.inputs[0]!.shape;
  const lstms = model.layers.filter((layer) => layer.getClassName() === 'LSTM');
  const first = lstms[0];
  if (input.length !== 3 || !first) throw new Error('not an LSTM gap model: expected [steps, channels] inputs and an LSTM layer');
  const shape: NetworkShape = {
    steps: input[1]!,
    inputSize: input[2]!,
    hiddenSize: (first.getConfig() as { units: number }).units,
    layers: lstms.length,
  };
  const network = new LstmNetwork(shape);
  const weights = model.getWeights();
  if (weights.length !== network.specs.length) throw new Error(`expected ${network.specs.length} weights, the model has ${weights.length}`);
  network.specs.forEach((spec, i) => {
    const weight = weights[i]!;
    if (weight.shape.join() !== spec.shape.join()) throw new Error(`weight ${spec.name} has shape [${weight.shape}], expected [${spec.shape}]`);
    network.theta.set(weight.dataSync(), spec.offset);
  });
  return network;
}
