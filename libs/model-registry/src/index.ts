export { isModelType, loadModel, MODEL_TYPES, modelFactory, UnknownModelTypeError, type ModelType } from './registry';
