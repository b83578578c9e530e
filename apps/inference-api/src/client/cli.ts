import { runInvokeCli } from './invoke-cli';

process.exitCode = await runInvokeCli(process.argv.slice(2));
