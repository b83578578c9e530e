import { Command, InvalidArgumentError } from 'commander';
import { GeneratorOptionsError, MAX_ROWS, MIN_ROWS, SCENARIOS, writeOnlineRetailCsv, writeScenarioCsv } from '@nextbuy/datagen';

function integerFlag(name: string) {
  return (text: string): number => {
    const value = Number(text.replaceAll('_', ''));
    if (!/^-?[\d_]+$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError(`${name} must be an integer, got "${text}".`);
    return value;
  };
}

const program = new Command()
  .name('datagen')
  .description(
    'Writes seeded, deterministic transactions in the UCI Online Retail schema to a .csv or .csv.gz file: ' +
      'the Online Retail-like generator (--rows ...), or a named customer base of the zoo (--scenario).',
  )
  .requiredOption('--out <path>', 'output file, ending in .csv or .csv.gz')
  .option('--scenario <name>', `a customer base of the zoo (libs/datagen/README.md): ${SCENARIOS.map((s) => s.name).join(', ')}; --seed replaces its own seed`)
  .option('--rows <n>', `target number of rows, ${MIN_ROWS.toLocaleString('en-US')} to ${MAX_ROWS.toLocaleString('en-US')}`, integerFlag('--rows'), 540_000)
  .option('--seed <n>', 'random seed: the same seed and flags give the same file', integerFlag('--seed'), 1)
  .option('--start <YYYY-MM-DD>', 'first day of the data', '2010-01-01')
  .option('--end <YYYY-MM-DD>', 'last day of the data, inclusive', '2011-12-31')
  .option('--customers <n>', 'registered customers (default: rows / 120)', integerFlag('--customers'))
  .option('--wholesale-customers <n>', 'extreme wholesale customers among them (default: customers / 600, at least 2)', integerFlag('--wholesale-customers'))
  .option('--quiet', 'no progress on stderr')
  .showHelpAfterError('(run with --help for usage)');

const flags = program.parse().opts<{
  out: string;
  scenario?: string;
  rows: number;
  seed: number;
  start: string;
  end: string;
  customers?: number;
  wholesaleCustomers?: number;
  quiet?: boolean;
}>();

/** The command-line flag of an option: `wholesaleCustomers` -> `--wholesale-customers`. */
function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

const started = performance.now();
let reported = 0;

/** Writes the named scenario; the generator's own flags do not apply to it. */
async function writeScenario(name: string): Promise<void> {
  const conflicting = ['rows', 'start', 'end', 'customers', 'wholesaleCustomers'].filter((flag) => program.getOptionValueSource(flag) === 'cli');
  if (conflicting.length > 0) throw new GeneratorOptionsError('scenario', `sets its own history; drop ${conflicting.map(flagName).join(', ')}`);
  const seed = program.getOptionValueSource('seed') === 'cli' ? flags.seed : undefined;
  const { rows } = await writeScenarioCsv(flags.out, name, seed);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`datagen: wrote scenario ${name}: ${rows.toLocaleString('en-US')} rows to ${flags.out} in ${seconds.toFixed(1)} s\n`);
}

/** Writes the Online Retail-like generator's data as the flags ask. */
async function writeGenerated(): Promise<void> {
  const summary = await writeOnlineRetailCsv(flags.out, {
    rows: flags.rows,
    seed: flags.seed,
    start: flags.start,
    end: flags.end,
    customers: flags.customers,
    wholesaleCustomers: flags.wholesaleCustomers,
    onProgress: (rows) => {
      const percent = Math.min(100, Math.floor((100 * rows) / flags.rows));
      if (flags.quiet || percent < reported + 10) return;
      reported = percent - (percent % 10);
      process.stderr.write(`datagen: ${rows.toLocaleString('en-US')} rows (${reported}% of target)\n`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `datagen: wrote ${summary.rows.toLocaleString('en-US')} rows, ${summary.invoices.toLocaleString('en-US')} invoices, ` +
      `${summary.customers.toLocaleString('en-US')} customers to ${summary.path} in ${seconds.toFixed(1)} s ` +
      `(${Math.round(summary.rows / seconds).toLocaleString('en-US')} rows/s)\n`,
  );
}

try {
  if (flags.scenario !== undefined) await writeScenario(flags.scenario);
  else await writeGenerated();
} catch (error) {
  if (!(error instanceof GeneratorOptionsError)) throw error;
  process.stderr.write(`datagen: error: ${flagName(error.option)} ${error.detail}\n`);
  process.exitCode = 1;
}
