export { createApp, type AppOptions, type ServingState } from './app';
export { invokeEndpoint, type InvokeEndpointOptions } from './client/invoke';
export { readServerConfig, type ServerConfig } from './config';
export { parseRequest } from './input/parse-request';
export { loadServingModel, type ServingModel } from './model-loading';
export { formatPredictions } from './output';
export { predictCustomers } from './predict';
