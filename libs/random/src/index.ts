export {
  createRng,
  cumulativeWeights,
  deriveSeed,
  sampleBeta,
  sampleCumulative,
  sampleExponential,
  sampleGamma,
  sampleGeometric,
  sampleNormal,
  samplePoisson,
  shuffle,
  type Rng,
} from './random';
