import cluster from 'node:cluster';
import { readServerConfig, type ServerConfig } from './config';
import { serverLog } from './logging';
import { runPrimary, runWorker } from './server';

let config: ServerConfig;
try {
  config = readServerConfig(process.env);
} catch (error) {
  serverLog({ level: 'error', message: 'invalid configuration', error: (error as Error).message });
  process.exit(1);
}
if (cluster.isPrimary) runPrimary(config, serverLog);
else runWorker(config, serverLog);
