import { ingest } from './src/index';
const start = performance.now();
const { report } = await ingest(process.argv[2]!);
console.log(process.argv[2], report.rowsRead, report.rowsKept, ((performance.now() - start) / 1000).toFixed(2), 's');
