export { extractEventSchema, handler, parseExtractEvent, type ExtractEvent } from './handler';
