export {
  DEFAULT_MODEL_TYPE,
  hyperparameterSpecs,
  isModelType,
  loadModel,
  MODEL_TYPE_NAMES,
  MODEL_TYPES,
  modelFactory,
  trainingMetricDefinitions,
  type ModelType,
  type ModelTypeEntry,
  UnknownModelTypeError,
} from './registry';
