// bench:quality-compare <before.json> <after.json>: two `bench:quality --json` files side by side
// (quality-compare.ts). Reads files only; runs nothing.
import { Command } from 'commander';
import { comparisonLines, compareRuns, QualityRunError, readQualityRun } from './quality-compare';

const program = new Command('bench:quality-compare')
  .description('compare two bench:quality --json files: the columns whose verdict changed, the choices that changed, and both summaries')
  .argument('<before>', 'the first run, e.g. the default as it is')
  .argument('<after>', 'the second, e.g. with a change');
program.parse();
const [beforePath, afterPath] = program.args as [string, string];

try {
  const [before, after] = await Promise.all([readQualityRun(beforePath), readQualityRun(afterPath)]);
  const comparison = compareRuns(before.results, after.results);
  if (comparison.common === 0) throw new QualityRunError(`${beforePath} and ${afterPath} share no backtest (dataset and cutoff): nothing to compare`);
  console.log(comparisonLines(before, after, comparison).join('\n'));
} catch (error) {
  if (!(error instanceof QualityRunError)) throw error;
  console.error(`bench:quality-compare: ${error.message}`);
  process.exitCode = 1;
}
