export { formatInvoiceDate } from './calendar';
export { csvField, writeOnlineRetailCsv, type CsvWriteOptions, type CsvWriteSummary } from './csv';
export { GeneratorOptionsError } from './errors';
export { generateTransactions, plantedWholesaleCustomerIds } from './generator';
export { MAX_ROWS, MIN_ROWS, type GeneratorOptions } from './options';
export { createRng, sampleNormal, type Rng } from './random';
