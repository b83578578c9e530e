export { handler, parsePredictionLine, type ParsedLine } from './handler';
