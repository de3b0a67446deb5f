import { readFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { CliError, EXIT } from './errors.js';
import { makeStyle } from './style.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const EXIT_STATUS_HELP = `
Exit status:
  0   allowed in every browser
  1   blocked in at least one browser
  2   bad usage or bad input
  3   nothing answered (connection refused, DNS, TLS, timeout)
  70  internal error (a bug: please report it)

Environment:
  NO_COLOR=1          no colours (colours are used only on a terminal anyway)
  CORS_DOCTOR_DEBUG=1 print stack traces of internal errors`;

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command()
    .name('cors-doctor')
    .description(
      'Explains browser CORS failures like the browser does: what Chrome and Firefox send, why they block, and the exact console text.',
    )
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_STATUS_HELP);

  program
    .command('simulate')
    .description(
      'Predict what Chrome, Firefox and the Fetch standard do with a cross-origin fetch() and the server answers, with no network involved.',
    )
    .argument('[file]', 'a JSON scenario or an array of scenarios; - reads standard input', '-')
    .option('--json', 'machine-readable output (see docs/cli-contract.md)')
    .addHelpText(
      'after',
      `
Scenario (JSON):
  {"origin": "http://localhost:3000",
   "request": {"url": "http://localhost:8000/items", "method": "PUT",
               "headers": {"Content-Type": "application/json"}, "credentials": "include"},
   "preflight": {"status": 200, "headers": [["Access-Control-Allow-Origin", "http://localhost:3000"]]},
   "response":  {"status": 200, "headers": [["Access-Control-Allow-Origin", "http://localhost:3000"]]}}

Examples:
  cors-doctor simulate examples/scenarios/json-put.json
  cors-doctor simulate --json examples/scenarios/json-put.json
  echo '{"origin":"http://localhost:3000","request":{"url":"http://localhost:8000/a","method":"GET"}}' | cors-doctor simulate -
${EXIT_STATUS_HELP}`,
    )
    .action(async (file, options) => {
      const { runSimulate } = await import('./commands/simulate.js');
      setExit(await runSimulate(file, options, makeStyle()));
    });

  return program;
}

/** Runs the CLI and returns the exit status; never throws. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`cors-doctor: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cors-doctor: internal error: ${message} (set CORS_DOCTOR_DEBUG=1 for details)\n`);
    if (process.env.CORS_DOCTOR_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT.internal;
  }
}
