export { formatInvoiceDate } from './calendar';
export { csvField, writeOnlineRetailCsv, type CsvWriteOptions, type CsvWriteSummary } from './csv';
export {
  CUSTOMER_BASE_PROCESSES,
  customerBaseOrders,
  customerBaseTransactions,
  MAX_CUSTOMERS,
  MAX_HISTORY_DAYS,
  MIN_CUSTOMERS,
  MIN_HISTORY_DAYS,
  resolveCustomerBase,
  simulateCustomer,
  type CustomerBaseProcess,
  type CustomerBaseSettings,
  type CustomerPurchases,
  type ResolvedCustomerBase,
} from './customer-base';
export { GeneratorOptionsError } from './errors';
export { generateTransactions, plantedWholesaleCustomerIds } from './generator';
export { MAX_ROWS, MIN_ROWS, type GeneratorOptions } from './options';
export { findScenario, SCENARIOS, scenarioOrders, writeScenarioCsv, type Scenario } from './scenarios';
