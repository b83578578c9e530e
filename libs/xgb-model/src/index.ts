export { Booster, type ImportanceType, type ParamValue, type Params, type PredictOptions } from './booster';
export { DMatrix, type DMatrixOptions, type DenseData, type FloatInfoField } from './dmatrix';
export { XGBoostError, XGBoostLibraryError } from './errors';
export { type EvalScore, type EvalsLog, parseEvalResult } from './eval-log';
export { type HandleKind, liveHandles } from './handles';
export { INSTALL_HINT, loadLibrary, xgboostVersion } from './native';
export { EarlyStopping, type TrainOptions, type TrainingCallback, train } from './train';
export { DEFAULT_HYPERPARAMETERS, MIN_GAP_DAYS, MODEL_FILE, WAIT_SCALE_ATTRIBUTE, XGBoostGapModel, xgboostFactory } from './gap-model';
export { fitWaitScale, logNormalSurvival, medianWaitWithin, type WaitSample, waitLocation, waitLogLikelihood } from './lognormal-wait';
