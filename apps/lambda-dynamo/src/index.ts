export { isTransientError, withBackoff, type BackoffPolicy } from './backoff';
export { loadConfig, type DynamoConfig } from './config';
export { ConfigurationError, InvalidEventError, PredictionsNotFoundError } from './errors';
export {
  MAX_REPORTED_REJECTIONS,
  parseWritePredictionsEvent,
  writePredictionsEventSchema,
  writePredictionsStep,
  type RejectedLine,
  type WritePredictionsEvent,
  type WritePredictionsOutput,
} from './handler';
export { handler } from './main';
export { parsePredictionLine, type ParsedLine } from './prediction-lines';
export { predictionItem, putPrediction, type PredictionItem, type WriteOutcome } from './predictions-table';
export { listTransformOutputs, openLines } from './transform-output';
