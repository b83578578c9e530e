import { formatResults, runChecks } from './checks';

const { results, ok } = await runChecks();
console.log(formatResults(results));
console.log(ok ? '\nready' : '\nmissing required pieces: see the fixes above');
process.exitCode = ok ? 0 : 1;
