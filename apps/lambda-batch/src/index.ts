export { loadConfig, type BatchConfig } from './config';
export { ConfigurationError, InvalidEventError, ModelConflictError, TrainingJobNotCompletedError, TrainingJobNotFoundError } from './errors';
export { createModelEventSchema, createModelStep, parseCreateModelEvent, type CreateModelEvent, type CreateModelOutput } from './handler';
export { handler } from './main';
export { createModelRequest, modelNameFor, transformJobNameFor, transformJobRequest } from './requests';
