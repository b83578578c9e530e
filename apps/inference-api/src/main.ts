import { createApp } from './app';

const port = Number(process.env.SAGEMAKER_BIND_TO_PORT ?? 8080);
const server = createApp({}).listen(port, () => {
  console.log(JSON.stringify({ level: 'info', message: 'listening', port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
