export {
  alignTruth,
  backtestModel,
  backtestSplit,
  BTYD_BASELINES,
  clipToHorizon,
  defaultCutoffDay,
  evaluate,
  evaluateCustomers,
  runBacktest,
  selectTruth,
  type BacktestCustomers,
  type BacktestModel,
  type BacktestPrediction,
  type BacktestOptions,
  type BacktestResult,
  type BacktestSplit,
  type BacktestTruth,
} from './backtest';
export { percentileInterval, type PercentileInterval } from './bootstrap';
export { BASELINES, baselineCustomerMean, baselineKm, baselineRecency, type Baseline } from './baselines';
export { buildScoringTable, buildTrainingTable } from './feature-tables';
export { conditionalKaplanMeier, kaplanMeier, survivalAt, type SurvivalCurve } from './kaplan-meier';
export { ELAPSED_FEATURE, geometricLandmarkDays, horizonOutcomes, landmarkTable, scoringLandmarks, type LandmarkTable, yearPhase } from './landmarks';
export { erfc, lognormalConditional, lognormalConditionalWithin, normalSurvival, normalUpperQuantile, survivalOfLognormal } from './lognormal';
export { auc, brier, concordanceIndex, maeDays } from './metrics';
export { FEATURE_COUNT, FEATURE_DESCRIPTIONS, FEATURE_NAMES, type FeatureName } from './order-features';
export { buildSequences, type SequenceBatch } from './sequences';
export {
  type Answers,
  type Blend,
  type BlendChoice,
  BLEND_WEIGHTS,
  blendLabel,
  blendFits,
  blendProbability,
  blendWait,
  btydAnswers,
  type BtydFamily,
  type BtydFits,
  BTYD_FAMILIES,
  chooseAtInnerCutoff,
  chooseBlend,
  DEFAULT_OWN_LABEL,
  familiesUsed,
  fitBgCnbdIfPossible,
  fitBgNbdIfPossible,
  fitParetoNbdIfPossible,
  heldOutShare,
  type InnerAnswers,
  type InnerCutoff,
  innerCutoff,
  innerFollowUpDays,
  modelAlone,
  MODEL_ONLY,
  type OtherFits,
} from './inner-validation';
