export { BACKEND_LADDER, modelBackend, selectBackend, type BackendChoice, type BackendName } from './backend';
export { LSTM_HYPERPARAMETERS, parseHyperparameters, type LstmSettings } from './hyperparameters';
export { censoredLogNormalLoss, censoredLogNormalNll, type LossAndGradient } from './loss';
export { CALIBRATION_LANDMARK_DAYS, LstmGapModel, lstmFactory } from './model';
export { PREPROCESSING_FILE, type FeatureScaling, type Preprocessing } from './preprocessing';
export { TrainingDivergedError } from './train';
export { MIN_GAP_DAYS } from './windows';
