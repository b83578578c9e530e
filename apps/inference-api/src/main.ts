import cluster from 'node:cluster';
import { readServerConfig, type ServerConfig } from './config';
import { stdoutLog } from './logging';
import { runPrimary, runWorker } from './server';

let config: ServerConfig;
try {
  config = readServerConfig(process.env);
} catch (error) {
  stdoutLog({ level: 'error', message: 'invalid configuration', error: (error as Error).message });
  process.exit(1);
}
if (cluster.isPrimary) runPrimary(config, stdoutLog);
else runWorker(config, stdoutLog);
