export { AGGREGATE_NAMES, customerAggregates, type CustomerAggregates } from './aggregates';
export { NotFittedError, OutlierOptionsError } from './errors';
export { filterOutlierCustomers, type OutlierFilterOptions, type OutlierFilterResult } from './filter';
export { IsolationForest, type IsolationForestOptions } from './isolation-forest';
export { anomalyScore, averagePathLength } from './path-length';
