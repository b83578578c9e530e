export { buildProgram, hyperparameterFlags, parseTrainerArgs, type TrainerOptions } from './cli';
export { main } from './main';
export { BATCH_INPUT_FILE, metricsTable, REPORT_FILE, train, TrainingInputError, type TrainingResult } from './pipeline';
export { hyperparametersToArgs, isTrainingJob, metricLines, sageMakerLayout, writeFailure, type SageMakerLayout } from './sagemaker';
