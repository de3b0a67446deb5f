import { Command, CommanderError, type OptionValues } from '@commander-js/extra-typings';
import { CorsDoctorError, FileSystemError, systemErrorCode } from '../core/errors.js';
import { EXIT } from '../core/exit.js';
import { packageVersion } from '../package-root.js';
import { maskText, secretsInArguments } from '../report/mask.js';
import { makeStyle } from '../report/style.js';

/** The exit statuses, one table for every command's --help (and the README's "Exit status"). */
const EXIT_STATUS_HELP = `
Exit status (the same for every command):
  0   allowed in every browser; no error-level finding (scan, fix); no finding of severity error
      or warning (audit); the module written (gen-tests)
  1   blocked in at least one browser; an error-level finding (scan, fix); a finding of severity
      error or warning (audit)
  2   bad usage or bad input, a file that cannot be read or written included: one line on stderr
      says what is wrong and what to do
  3   nothing to judge, or not all of it: nothing answered (connection refused, DNS, TLS, timeout),
      the server model cannot predict the answer (--offline), no app (fix, gen-tests), or a scan
      that could not see everything and found no error (scan-incomplete)
  70  internal error: a bug (CORS_DOCTOR_DEBUG=1 prints its stack trace; please report it)
Output read by a reader that stops early (\`| head\`) ends quietly, with the status the command
would have had.`;

/** The environment variables every command reads, and those of one command. */
function environmentHelp(own: string[] = []): string {
  return [
    '',
    'Environment:',
    ...own,
    '  NO_COLOR=1                 no colours (used only on a terminal anyway)',
    '  CORS_DOCTOR_DEBUG=1        print the stack trace of an internal error',
  ].join('\n');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * The options that describe the page's fetch(), the same on every command that takes one (check, fix,
 * gen-tests, verify).
 */
function requestOptions<Args extends unknown[], Opts extends OptionValues>(command: Command<Args, Opts>) {
  return command
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
    .option(
      '--credentials <mode>',
      "fetch()'s credentials mode: omit, same-origin or include (default: same-origin)",
    )
    .option(
      '--cookie <cookie>',
      "cookies the browser holds for the API, 'a=b; c=d' (sent with --credentials include)",
    );
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command()
    .name('cors-doctor')
    .description(
      'Explains browser CORS failures like the browser does: what Chrome and Firefox send, why they block, and the exact console text.',
    )
    .version(packageVersion(), '-V, --version');

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
    .option('--format <format>', 'text, json, sarif (SARIF 2.1.0, code scanning) or html (one page)', 'text')
    .option('--json', 'the same as --format json (see docs/cli-contract.md)')
    .option('--write', 'write the patches proven for the --origin values (nothing is changed without it)')
    .option('--show-secrets', 'print the values of secret settings (.env, compose) in patches unmasked')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor scan ./backend --origin http://localhost:3000
  cors-doctor scan ./backend --origin http://localhost:3000 --write
  cors-doctor scan ./backend --origin https://app.example.com -X PUT -H 'Authorization: Bearer x' --credentials include
  cors-doctor scan ./backend --format sarif > cors.sarif`,
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
  echo '{"origin":"http://localhost:3000","request":{"url":"http://localhost:8000/a","method":"GET"}}' | cors-doctor simulate -`,
    )
    .action(async (file, options) => {
      const { runSimulate } = await import('./commands/simulate.js');
      setExit(await runSimulate(file, options, makeStyle()));
    });

  requestOptions(
    program
      .command('check')
      .description(
        "Probe a live URL exactly as a browser would (preflight, then the request), explain each browser's verdict and name the root cause.",
      )
      .argument(
        '[url]',
        "the API URL the page calls, e.g. http://localhost:8000/items (with --from: the copy's URL)",
      )
      .option('--origin <origin>', "the page's origin (default: http://localhost:3000)"),
  )
    .option('--browser <browser>', 'chrome, firefox or all', 'all')
    .option('--timeout <ms>', 'give up on a request after this many milliseconds', '10000')
    .option('--force-actual', 'send the actual request even when every browser stops at the preflight')
    .option(
      '--from <file>',
      'the request as DevTools copied it: "Copy as cURL" (bash or cmd) or "Copy as fetch" text; - reads standard input',
    )
    .option('--project <dir>', "the backend's source folder: confirm the cause in the code, with file:line")
    .option(
      '--offline',
      'no server needed: answer every request from the server model of --project (FastAPI/Starlette source)',
    )
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option(
      '--format <format>',
      'text, json, sarif (the causes, at their places in the source) or html (one self-contained page)',
      'text',
    )
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
  cors-doctor check --from request.txt            (the text of DevTools' Copy as cURL or Copy as fetch)
  pbpaste | cors-doctor check --from - --origin https://app.example.com`,
    )
    .action(async (url, options) => {
      const { runCheck } = await import('./commands/check.js');
      setExit(await runCheck(url, options, makeStyle()));
    });

  requestOptions(
    program
      .command('fix')
      .description(
        'Find the CORS fixes for a FastAPI/Starlette project, each proven by the server and browser models before it is offered; --write applies them.',
      )
      .argument('<dir>', "the backend project's folder")
      .option('--origin <origin>', 'a frontend origin that must work (repeatable)', collect, [] as string[]),
  )
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
  cors-doctor fix ./backend --origin http://localhost:3000 --url http://localhost:8000/items --write`,
    )
    .action(async (dir, options) => {
      const { runFix } = await import('./commands/fix.js');
      setExit(await runFix(dir, options, makeStyle()));
    });

  requestOptions(
    program
      .command('gen-tests')
      .description(
        "Write a pytest module that sends the browser's preflight and request to the app in-process (TestClient) and asserts every check a browser makes.",
      )
      .argument('<url>', 'the API URL the page calls, e.g. http://localhost:8000/items')
      .requiredOption('--project <dir>', "the backend's source folder")
      .option('--origin <origin>', "the page's origin (default: http://localhost:3000)"),
  )
    .option('--out <file>', 'write the module to this file (default: standard output)')
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor gen-tests http://localhost:8000/items --project ./backend --origin http://localhost:3000 --out backend/test_cors.py
  cd backend && python3 -m pytest test_cors.py`,
    )
    .action(async (url, options) => {
      const { runGenTests } = await import('./commands/gen-tests.js');
      setExit(await runGenTests(url, options, makeStyle()));
    });

  requestOptions(
    program
      .command('verify')
      .description(
        "Run the page's fetch() in the real browsers installed here (headless), from a page at --origin that cors-doctor serves itself, beside the model's prediction.",
      )
      .argument('<url>', 'the API URL the page calls, e.g. http://localhost:8000/items')
      .option('--origin <origin>', "the page's origin (default: http://localhost:3000)"),
  )
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
  cors-doctor verify https://api.example.com/me --origin https://app.example.com --credentials include --browser firefox`,
    )
    .action(async (url, options) => {
      const { runVerify } = await import('./commands/verify.js');
      setExit(await runVerify(url, options, makeStyle()));
    });

  program
    .command('audit')
    .description(
      "Find CORS policies that let other sites read users' data: probes from attacking origins derived from --origin, each finding proven by the origin that got through.",
    )
    .argument('<url>', 'an API URL that serves user data, e.g. https://api.example.com/me')
    .option(
      '--origin <origin>',
      'a frontend origin that must keep working (repeatable)',
      collect,
      [] as string[],
    )
    .option('--project <dir>', "the backend's source folder: findings with file:line and a proven patch")
    .option('--max-probes <n>', 'send at most this many probes', '40')
    .option('--rate <n>', 'send at most this many probes per second (default: 20, none on loopback)')
    .option('--timeout <ms>', 'give up on a probe after this many milliseconds', '10000')
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option('--format <format>', 'text, json, sarif or html (one self-contained page)', 'text')
    .option('--json', 'the same as --format json (see docs/cli-contract.md)')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor audit https://api.example.com/me --origin https://app.example.com
  cors-doctor audit http://localhost:8000/me --origin http://localhost:3000 --project ./backend --format sarif`,
    )
    .action(async (url, options) => {
      const { runAudit } = await import('./commands/audit.js');
      setExit(await runAudit(url, options, makeStyle()));
    });

  program
    .command('har')
    .description(
      'Judge every cross-origin fetch/XHR of a HAR file saved from Chrome or Firefox DevTools, with its preflight, as check would, without sending anything.',
    )
    .argument('<file>', 'the HAR file ("Save all as HAR"); - reads standard input')
    .option('--project <dir>', "the backend's source folder: causes with file:line")
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option('--format <format>', 'text, json or html', 'text')
    .option('--json', 'the same as --format json (see docs/cli-contract.md)')
    .addHelpText(
      'after',
      `
Examples:
  cors-doctor har ~/Downloads/localhost.har
  cors-doctor har app.har --project ./backend --format html > report.html`,
    )
    .action(async (file, options) => {
      const { runHar } = await import('./commands/har.js');
      setExit(await runHar(file, options, makeStyle()));
    });

  program
    .command('watch')
    .description(
      'A development proxy in front of the API: passes every exchange through unchanged and judges each cross-origin one as it happens, with a live page at /__cors-doctor/.',
    )
    .requiredOption('--target <url>', 'the API the proxy passes requests to, e.g. http://localhost:8000')
    .option('--port <port>', 'the port to listen on (the frontend calls http://127.0.0.1:PORT)', '8001')
    .option('--host <host>', 'the address to listen on (loopback unless told otherwise)', '127.0.0.1')
    .option('--max-exchanges <n>', 'keep the last N exchanges', '500')
    .option('--project <dir>', "the backend's source folder: causes with file:line")
    .option('--show-secrets', 'print Authorization, cookies and tokens (headers, URLs, bodies) unmasked')
    .option(
      '--format <format>',
      'text (one line per request on stdout) or html (the lines on stderr; on Ctrl-C the entries kept as one page on stdout)',
      'text',
    )
    .addHelpText(
      'after',
      `
Pages of the proxy (on its own address only; never passed to the target):
  /__cors-doctor/                  the live page: each exchange as it arrives
  /__cors-doctor/exchanges.json    the entries kept, as JSON (see docs/cli-contract.md)
  /__cors-doctor/events            each new or changed entry as it comes (server-sent events)
  /__cors-doctor/report.html       the entries kept as one self-contained page (as --format html writes)

Examples:
  cors-doctor watch --target http://localhost:8000 --port 8001
  (then point the frontend's API base URL at http://127.0.0.1:8001 and open http://127.0.0.1:8001/__cors-doctor/)
  cors-doctor watch --target http://localhost:8000 --format html > watch.html`,
    )
    .action(async (options) => {
      const { runWatch } = await import('./commands/watch.js');
      setExit(await runWatch(options, makeStyle()));
    });

  for (const command of [program, ...program.commands]) {
    const own =
      command.name() === 'verify'
        ? ['  CHROME_PATH, FIREFOX_PATH  the browser binaries (default: the usual places)']
        : [];
    command.addHelpText('after', `${EXIT_STATUS_HELP}\n${environmentHelp(own)}`);
  }
  return program;
}

/** Set when standard output could not be written for a reason other than a reader that stopped reading. */
let outputFailure: string | undefined;
let outputGuarded = false;

/**
 * Standard output closed by its reader (`cors-doctor --help | head -1`): the output ends there, quietly, and
 * the command finishes with its own status (later writes are dropped by the closed stream). Any other
 * failure to write it (`> /dev/full`) is one line on stderr and exit status 2.
 */
function guardOutput(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || outputFailure !== undefined) return;
    outputFailure = FileSystemError.from(error, 'standard output', 'write').message;
    process.stderr.write(`cors-doctor: ${outputFailure}\n`);
    process.exitCode = EXIT.usage;
  });
  // Nothing can be said about a closed or failing standard error: its writes are dropped.
  process.stderr.on('error', () => undefined);
}

/** A message as one line (a value quoted in it may hold line breaks). */
const oneLine = (message: string) => message.replace(/\s*[\r\n]+\s*/g, ' ');

/** The first operand (a command name, or `help`'s), skipping options. */
function operands(argv: string[]): string[] {
  return argv.filter((arg) => !arg.startsWith('-'));
}

/** Commander's error as one line: what was wrong, then where to read the usage. */
function usageLine(
  error: CommanderError,
  command: string | undefined,
  argv: string[],
  names: string[],
): string {
  let what: string;
  if (error.code === 'commander.help') {
    // The program's help shown as an error: no command, or `help` of an unknown one.
    const [first, second] = operands(argv);
    const unknown = first === 'help' ? second : first;
    what = unknown === undefined ? 'no command given' : `unknown command '${unknown}'`;
  } else {
    what = error.message
      .replace(/^error: /, '')
      .replace(/^option '(.*)' argument missing$/, "option '$1' is missing its value")
      .replace(/\s*\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
      .replace(/\. Expected /, ': expected ')
      .replace(/\.$/, '')
      .replace(/\s+/g, ' ')
      .trim();
  }
  const commands = command === undefined ? ` (commands: ${names.join(', ')})` : '';
  return `${what}; run cors-doctor${command === undefined ? '' : ` ${command}`} --help${commands}`;
}

/** A system error that reached the top (a file the user named, read or written): one line naming it. */
function systemErrorLine(error: unknown): string | undefined {
  if (systemErrorCode(error) === undefined) return undefined;
  const { path, syscall } = error as NodeJS.ErrnoException;
  if (path === undefined) return undefined;
  const writes = /^(write|rename|unlink|rmdir|mkdir|chmod|chown|copyfile|symlink|link|ftruncate|utime)/;
  return FileSystemError.from(error, path, writes.test(syscall ?? '') ? 'write' : 'read').message;
}

/** Runs the CLI and returns the exit status; never throws. */
export async function main(argv: string[]): Promise<number> {
  guardOutput();
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  // Commander's errors are printed as one line below, by the command that raised them.
  let failedCommand: string | undefined;
  for (const command of [program, ...program.commands]) {
    command.exitOverride((error) => {
      failedCommand = command === program ? undefined : command.name();
      throw error;
    });
    command.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outputFailure === undefined ? exitCode : EXIT.usage;
  } catch (error) {
    // No message prints a secret of the command line (unless --show-secrets).
    if (error instanceof Error && !argv.includes('--show-secrets'))
      error.message = maskText(error.message, secretsInArguments(argv));
    if (error instanceof CommanderError) {
      const shown =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        (error.code === 'commander.help' && error.exitCode === 0);
      if (shown) return outputFailure === undefined ? EXIT.ok : EXIT.usage;
      process.stderr.write(
        `cors-doctor: ${usageLine(
          error,
          failedCommand,
          argv,
          program.commands.map((c) => c.name()),
        )}\n`,
      );
      return EXIT.usage;
    }
    if (error instanceof CorsDoctorError) {
      process.stderr.write(`cors-doctor: ${oneLine(error.message)}\n`);
      return error.exitStatus;
    }
    const systemError = systemErrorLine(error);
    if (systemError !== undefined) {
      process.stderr.write(`cors-doctor: ${systemError}\n`);
      return EXIT.usage;
    }
    const message = oneLine(error instanceof Error ? error.message : String(error));
    process.stderr.write(`cors-doctor: internal error: ${message} (set CORS_DOCTOR_DEBUG=1 for details)\n`);
    if (process.env.CORS_DOCTOR_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT.internal;
  }
}
