import { CommanderError } from 'commander';
import { parseTrainerArgs } from './cli';

try {
  const options = parseTrainerArgs(process.argv.slice(2));
  console.log(JSON.stringify({ level: 'info', message: 'trainer options', options }));
} catch (error) {
  if (error instanceof CommanderError && error.exitCode === 0) process.exit(0);
  console.error(`trainer: ${(error as Error).message}`);
  process.exit(2);
}
