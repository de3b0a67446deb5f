import { Command, CommanderError } from '@commander-js/extra-typings';
import { CorsDoctorError } from '../core/errors.js';
import { EXIT } from '../core/exit.js';
import { packageVersion } from '../package-root.js';
import { maskText, secretsInArguments } from '../report/mask.js';
import { makeStyle } from '../report/style.js';

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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

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
    .command('scan')
    .description('Read a FastAPI/Starlette project and report CORS problems in its source: no server needed.')
    .argument('<dir>', "the backend project's folder")
    .option('--origin <origin>', 'a frontend origin that must work (repeatable)', collect, [] as string[])
    .option('-X, --method <method>', 'a method the frontend uses, to narrow the verdict to it')
    .option(
      '-H, --header <header>',
      "a request header the frontend sets, 'Name: value' (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      '--credentials <mode>',
      "fetch()'s credentials mode the frontend uses: omit, same-origin or include",
    )
    .option('--format <format>', 'text, json or sarif (SARIF 2.1.0, for code scanning)', 'text')
    .option('--json', 'the same as --format json (see docs/cli-contract.md)')
    .option('--write', 'write the patches proven for the --origin values (nothing is changed without it)')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor scan ./backend --origin http://localhost:3000
  cors-doctor scan ./backend --origin http://localhost:3000 --write
  cors-doctor scan ./backend --origin https://app.example.com -X PUT -H 'Authorization: Bearer x' --credentials include
  cors-doctor scan ./backend --format sarif > cors.sarif

Exit status: 0 no error-level finding, 1 some, 2 bad usage.`,
    )
    .action(async (dir, options) => {
      const { runScan } = await import('./commands/scan.js');
      setExit(await runScan(dir, options, makeStyle()));
    });

  program
    .command('simulate')
    .description(
      'Predict what Chrome, Firefox and the Fetch standard do with a cross-origin fetch() and the server answers, with no network involved.',
    )
    .argument('[file]', 'a JSON scenario or an array of scenarios; - reads standard input', '-')
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option('--format <format>', 'text or json', 'text')
    .option('--json', 'the same as --format json (see docs/cli-contract.md)')
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

  program
    .command('check')
    .description(
      "Probe a live URL exactly as a browser would (preflight, then the request), explain each browser's verdict and name the root cause.",
    )
    .argument('<url>', 'the API URL the page calls, e.g. http://localhost:8000/items')
    .option('--origin <origin>', "the page's origin (default: http://localhost:3000)")
    .option(
      '-X, --method <method>',
      'the method the page passes to fetch() (default: GET, or POST with a body)',
    )
    .option(
      '-H, --header <header>',
      "a request header the page sets, 'Name: value' (repeatable)",
      collect,
      [] as string[],
    )
    .option('--data <body>', 'a request body (text)')
    .option('--json-body <json>', 'a JSON request body (adds Content-Type: application/json)')
    .option('--credentials <mode>', "fetch()'s credentials mode: omit, same-origin or include", 'same-origin')
    .option(
      '--cookie <cookie>',
      "cookies the browser holds for the API, 'a=b; c=d' (sent with --credentials include)",
    )
    .option('--browser <browser>', 'chrome, firefox or all', 'all')
    .option('--timeout <ms>', 'give up on a request after this many milliseconds', '10000')
    .option('--force-actual', 'send the actual request even when every browser stops at the preflight')
    .option('--project <dir>', "the backend's source folder: confirm the cause in the code, with file:line")
    .option(
      '--offline',
      'no server needed: answer every request from the server model of --project (FastAPI/Starlette source)',
    )
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option('--format <format>', 'text, json or sarif (the causes, at their places in the source)', 'text')
    .option('--json', 'the same as --format json (see docs/cli-contract.md)')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor check http://localhost:8000/items --origin http://localhost:3000
  cors-doctor check http://localhost:8000/items/1 -X PUT --json-body '{"name":"pear"}' -H 'Authorization: Bearer t0ken'
  cors-doctor check https://api.example.com/me --origin https://app.example.com --credentials include --cookie 'session=abc'
  cors-doctor check http://localhost:8000/items --json | jq '.causes[].code'
  cors-doctor check http://localhost:8000/items/1 -X PUT --json-body '{}' --project ./backend
  cors-doctor check http://localhost:8000/items --project ./backend --format sarif > cors.sarif
  cors-doctor check http://localhost:8000/me -H 'Authorization: Bearer t' --project ./backend --offline
${EXIT_STATUS_HELP}`,
    )
    .action(async (url, options) => {
      const { runCheck } = await import('./commands/check.js');
      setExit(await runCheck(url, options, makeStyle()));
    });

  program
    .command('fix')
    .description(
      'Find the CORS fixes for a FastAPI/Starlette project, each proven by the server and browser models before it is offered; --write applies them.',
    )
    .argument('<dir>', "the backend project's folder")
    .option('--origin <origin>', 'a frontend origin that must work (repeatable)', collect, [] as string[])
    .option('-X, --method <method>', 'the method the page passes to fetch()')
    .option(
      '-H, --header <header>',
      "a request header the page sets, 'Name: value' (repeatable)",
      collect,
      [] as string[],
    )
    .option('--data <body>', 'a request body (text)')
    .option('--json-body <json>', 'a JSON request body (adds Content-Type: application/json)')
    .option('--credentials <mode>', "fetch()'s credentials mode: omit, same-origin or include")
    .option('--cookie <cookie>', "cookies the browser holds for the API, 'a=b; c=d'")
    .option(
      '--url <url>',
      'the API URL the page calls: the request proven (and re-checked live after --write)',
    )
    .option('--timeout <ms>', 'give up on a live request after this many milliseconds', '10000')
    .option('--write', 'apply the proven patches to the files (nothing is changed without it)')
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option('--format <format>', 'text or json', 'text')
    .option('--json', 'the same as --format json')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor fix ./backend --origin http://localhost:3000
  cors-doctor fix ./backend --origin http://localhost:3000 -X PUT -H 'Authorization: Bearer t' --credentials include
  cors-doctor fix ./backend --origin http://localhost:3000 --url http://localhost:8000/items --write

Exit status: 0 the request is allowed and nothing is left to fix, 1 otherwise, 2 bad usage, 3 no app to fix.`,
    )
    .action(async (dir, options) => {
      const { runFix } = await import('./commands/fix.js');
      setExit(await runFix(dir, options, makeStyle()));
    });

  program
    .command('gen-tests')
    .description(
      "Write a pytest module that sends the browser's preflight and request to the app in-process (TestClient) and asserts every check a browser makes.",
    )
    .argument('<url>', 'the API URL the page calls, e.g. http://localhost:8000/items')
    .requiredOption('--project <dir>', "the backend's source folder")
    .option('--origin <origin>', "the page's origin (default: http://localhost:3000)")
    .option('-X, --method <method>', 'the method the page passes to fetch()')
    .option(
      '-H, --header <header>',
      "a request header the page sets, 'Name: value' (repeatable)",
      collect,
      [] as string[],
    )
    .option('--data <body>', 'a request body (text)')
    .option('--json-body <json>', 'a JSON request body (adds Content-Type: application/json)')
    .option('--credentials <mode>', "fetch()'s credentials mode: omit, same-origin or include", 'same-origin')
    .option('--cookie <cookie>', "cookies the browser holds for the API, 'a=b; c=d'")
    .option('--out <file>', 'write the module to this file (default: standard output)')
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor gen-tests http://localhost:8000/items --project ./backend --origin http://localhost:3000 --out backend/test_cors.py
  cd backend && python3 -m pytest test_cors.py

Exit status: 0 written, 2 bad usage, 3 no app to test.`,
    )
    .action(async (url, options) => {
      const { runGenTests } = await import('./commands/gen-tests.js');
      setExit(await runGenTests(url, options, makeStyle()));
    });

  program
    .command('verify')
    .description(
      "Run the page's fetch() in the real browsers installed here (headless), from a page at --origin that cors-doctor serves itself, beside the model's prediction.",
    )
    .argument('<url>', 'the API URL the page calls, e.g. http://localhost:8000/items')
    .option('--origin <origin>', "the page's origin (default: http://localhost:3000)")
    .option('-X, --method <method>', 'the method the page passes to fetch()')
    .option(
      '-H, --header <header>',
      "a request header the page sets, 'Name: value' (repeatable)",
      collect,
      [] as string[],
    )
    .option('--data <body>', 'a request body (text)')
    .option('--json-body <json>', 'a JSON request body (adds Content-Type: application/json)')
    .option('--credentials <mode>', "fetch()'s credentials mode: omit, same-origin or include", 'same-origin')
    .option('--cookie <cookie>', "cookies the browser holds for the API, 'a=b; c=d'")
    .option('--browser <browser>', 'chrome, firefox or all', 'all')
    .option('--timeout <ms>', 'give up on a request after this many milliseconds', '10000')
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option('--format <format>', 'text or json', 'text')
    .option('--json', 'the same as --format json (see docs/cli-contract.md)')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor verify http://localhost:8000/items --origin http://localhost:3000
  cors-doctor verify https://api.example.com/me --origin https://app.example.com --credentials include --browser firefox

Environment:
  CHROME_PATH, FIREFOX_PATH  the browser binaries (default: the usual places)
${EXIT_STATUS_HELP}`,
    )
    .action(async (url, options) => {
      const { runVerify } = await import('./commands/verify.js');
      setExit(await runVerify(url, options, makeStyle()));
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
    // No message prints a secret of the command line (unless --show-secrets).
    if (error instanceof Error && !argv.includes('--show-secrets'))
      error.message = maskText(error.message, secretsInArguments(argv));
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
    if (error instanceof CorsDoctorError) {
      process.stderr.write(`cors-doctor: ${error.message}\n`);
      return error.exitStatus;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cors-doctor: internal error: ${message} (set CORS_DOCTOR_DEBUG=1 for details)\n`);
    if (process.env.CORS_DOCTOR_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT.internal;
  }
}
