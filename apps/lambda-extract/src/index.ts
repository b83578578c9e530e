export { loadConfig, type DatabaseSettings, type ExtractConfig } from './config';
export { ConfigurationError, InvalidEventError, NoCleanTransactionsError, SecretFormatError } from './errors';
export { extractEventSchema, extractStep, parseExtractEvent, runIdAt, type ExtractEvent, type ExtractOutput } from './handler';
export { handler } from './main';
export { databaseSecretSettings, databaseSettings, sourceSelection, type SourceSelection } from './source';
export { uploadText } from './upload';
