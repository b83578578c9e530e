import { NextBuyError } from '@nextbuy/contracts';
import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam';
import type { LstmSettings } from './hyperparameters';
import { censoredLogNormalNll } from './loss';
import type { GapLabels, LstmNetwork, Windows } from './network';
import { type Rng, shuffle } from '@nextbuy/random';

/** Windows with their labels. */
export interface LabelledWindows {
  windows: Windows;
  labels: GapLabels;
}

/** One epoch's mean training loss and, with a validation set, its loss. */
export interface EpochMetrics {
  epoch: number;
  loss: number;
  val_loss?: number;
}

/** The training loss stopped being a number; the message says what to change. */
export class TrainingDivergedError extends NextBuyError {}

/** Mean censored log-normal loss of the network on `data` (no dropout). */
export function meanLoss(network: LstmNetwork, data: LabelledWindows): number {
  const { mu, logSigma } = network.predict(data.windows);
  return tf.tidy(() => {
    const nll = censoredLogNormalNll(tf.tensor1d(mu), tf.tensor1d(logSigma), tf.tensor1d(data.labels.logGap), tf.tensor1d(data.labels.censored, 'bool'));
    return tf.mean(nll).dataSync()[0]!;
  });
}

/**
 * Adam on shuffled mini-batches for up to `epochs` epochs. With a validation set, stops after
 * `patience` epochs without a lower validation loss and restores the weights of the best epoch.
 */
export function trainNetwork(
  network: LstmNetwork,
  train: LabelledWindows,
  validation: LabelledWindows | undefined,
  settings: Pick<LstmSettings, 'epochs' | 'batchSize' | 'learningRate' | 'dropout' | 'patience'>,
  rng: Rng,
  onEpoch?: (metrics: EpochMetrics) => void,
): { history: EpochMetrics[]; bestEpoch: number | undefined } {
  const adam = new Adam(network.theta.length, settings.learningRate);
  const n = train.windows.n;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const history: EpochMetrics[] = [];
  let best: { loss: number; epoch: number; theta: Float32Array } | undefined;
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    shuffle(order, rng);
    let total = 0;
    for (let from = 0; from < n; from += settings.batchSize) {
      const rows = order.subarray(from, Math.min(n, from + settings.batchSize));
      const { loss, grad } = network.lossAndGradient(train.windows, rows, train.labels, settings.dropout, rng);
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(`the training loss became ${loss} in epoch ${epoch}: lower learning_rate (now ${settings.learningRate})`);
      adam.update(network.theta, grad);
      total += loss * rows.length;
    }
    const metrics: EpochMetrics = { epoch, loss: total / n };
    if (validation) metrics.val_loss = meanLoss(network, validation);
    history.push(metrics);
    onEpoch?.(metrics);
    if (metrics.val_loss !== undefined) {
      if (!best || metrics.val_loss < best.loss) best = { loss: metrics.val_loss, epoch, theta: network.theta.slice() };
      else if (epoch - best.epoch >= settings.patience) break;
    }
  }
  if (best) network.theta.set(best.theta);
  return { history, bestEpoch: best?.epoch };
}
