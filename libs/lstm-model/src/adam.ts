/**
 * Adam over a flat Float32Array of weights, with tf.train.adam's update (bias-corrected moments,
 * epsilon 1e-7 added to the root of the second moment). The weights live in one JS array between
 * steps, so one loop replaces the ~10 tensor ops per weight tensor tfjs's optimiser would run
 * (a test checks both give the same weights).
 */
export class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private step = 0;

  constructor(
    size: number,
    readonly learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Moves `weights` one step against `grad`. */
  update(weights: Float32Array, grad: Float32Array): void {
    this.step++;
    const { beta1, beta2, epsilon, m, v } = this;
    const lr = this.learningRate / (1 - beta1 ** this.step);
    const correction2 = 1 / (1 - beta2 ** this.step);
    for (let i = 0; i < weights.length; i++) {
      const g = grad[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      weights[i]! -= (lr * mi) / (Math.sqrt(vi * correction2) + epsilon);
    }
  }
}
