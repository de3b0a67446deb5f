import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Exit statuses of the command users run (bin/cors-doctor.cjs and the bundled dist/cli, built by
 * `npm run build`), as a separate process: bad usage is exit 2 and one line on stderr, for the argument
 * parser's own errors too; a reader that closes standard output early ends the run quietly with the
 * command's own status; a file the system refuses to read or write is one line naming it, never exit 70.
 */
const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cors-doctor.cjs');
const inCI = process.env.CI === 'true';

const work = mkdtempSync(join(tmpdir(), 'cors-doctor-exit-'));
chmodSync(work, 0o755);
afterAll(() => {
  chmodSync(join(work, 'read-only'), 0o755);
  rmSync(work, { recursive: true, force: true });
});

const allowed = {
  origin: 'http://localhost:3000',
  request: { url: 'http://localhost:8000/items', method: 'GET' },
  response: { status: 200, headers: [['Access-Control-Allow-Origin', '*']] },
};
const blocked = { ...allowed, response: { status: 200, headers: [] } };
// Output far larger than a pipe holds (64 KiB), so that a reader that stops early closes it mid-run.
writeFileSync(join(work, 'allowed.json'), JSON.stringify(Array(5000).fill(allowed)));
writeFileSync(join(work, 'blocked.json'), JSON.stringify(Array(5000).fill(blocked)));
writeFileSync(join(work, 'broken.json'), '{"origin": ');
writeFileSync(join(work, 'a-file.txt'), 'not a folder\n');
mkdirSync(join(work, 'a-folder'));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { stdout?: number; input?: string } = {}): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
    input: options.input ?? '',
    stdio: ['pipe', options.stdout ?? 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr };
}

/** One line on stderr, `cors-doctor: ...`, and no stack trace. */
function expectOneLine(stderr: string, line: RegExp): void {
  expect(stderr).toMatch(/^cors-doctor: [^\n]+\n$/);
  expect(stderr).toMatch(line);
  expect(stderr).not.toMatch(/^ {4}at /m);
}

it('the bundle is built (run npm run build)', () => {
  expect(existsSync(join(ROOT, 'dist/cli/main.cjs'))).toBe(true);
});

// Each row: the arguments and what the one line on stderr says. Every row exits 2 and prints nothing on stdout.
const BAD_USAGE: Array<[string, string[], RegExp]> = [
  ['no command', [], /^cors-doctor: no command given; run cors-doctor --help \(commands: scan, /],
  ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'; run cors-doctor --help/],
  ['a misspelt command', ['chek'], /unknown command 'chek' \(did you mean check\?\); run cors-doctor --help/],
  [
    'help of an unknown command',
    ['help', 'frobnicate'],
    /unknown command 'frobnicate'; run cors-doctor --help/,
  ],
  [
    'an unknown option before the command',
    ['--verbose'],
    /unknown option '--verbose'; run cors-doctor --help/,
  ],

  [
    'check: a misspelt option',
    ['check', '--orign', 'http://localhost:3000', 'http://localhost:8000/'],
    /^cors-doctor: unknown option '--orign' \(did you mean --origin\?\); run cors-doctor check --help\n$/,
  ],
  [
    'check: no URL',
    ['check'],
    /^cors-doctor: missing required argument 'url'; run cors-doctor check --help\n$/,
  ],
  [
    'check: --timeout with no value',
    ['check', 'http://localhost:8000/', '--timeout'],
    /^cors-doctor: option '--timeout <ms>' is missing its value; run cors-doctor check --help\n$/,
  ],
  [
    'check: a second URL',
    ['check', 'http://localhost:8000/a', 'http://localhost:8000/b'],
    /too many arguments for 'check': expected 1 argument but got 2; run cors-doctor check --help/,
  ],
  ['check: --timeout not a number', ['check', 'http://localhost:8000/', '--timeout', 'soon'], /--timeout/],
  ['check: an unknown browser', ['check', 'http://localhost:8000/', '--browser', 'safari'], /--browser/],
  ['check: a URL without a scheme', ['check', 'localhost:8000/items'], /has no scheme/],
  ['check: --offline without --project', ['check', 'http://localhost:8000/', '--offline'], /--project/],
  ['check: an unknown format', ['check', 'http://localhost:8000/', '--format', 'xml'], /--format/],

  ['scan: no folder', ['scan'], /missing required argument 'dir'; run cors-doctor scan --help/],
  [
    'scan: an unknown option',
    ['scan', 'examples/correct', '--fix'],
    /unknown option '--fix'; run cors-doctor scan/,
  ],
  [
    'scan: --format with no value',
    ['scan', 'examples/correct', '--format'],
    /option '--format <format>' is missing/,
  ],
  ['scan: two folders', ['scan', 'examples/correct', 'examples/error-500'], /too many arguments for 'scan'/],
  ['scan: a folder that does not exist', ['scan', join(work, 'nope')], /nope/],
  ['scan: a file, not a folder', ['scan', join(work, 'a-file.txt')], /a-file\.txt is not a directory/],
  ['scan: a malformed --origin', ['scan', 'examples/correct', '--origin', 'localhost:3000'], /origin/i],
  ['scan: --write without --origin', ['scan', 'examples/correct', '--write'], /--origin/],

  ['simulate: two files', ['simulate', 'a.json', 'b.json'], /too many arguments for 'simulate'/],
  [
    'simulate: an unknown option',
    ['simulate', '--yaml'],
    /unknown option '--yaml'; run cors-doctor simulate/,
  ],
  [
    'simulate: a missing file',
    ['simulate', join(work, 'nope.json')],
    /cannot read .*nope\.json: no such file/,
  ],
  ['simulate: a folder', ['simulate', join(work, 'a-folder')], /a-folder is a directory/],
  ['simulate: broken JSON', ['simulate', join(work, 'broken.json')], /broken\.json is not valid JSON/],
  ['simulate: empty standard input', ['simulate', '-'], /standard input is empty/],

  ['fix: no folder', ['fix'], /missing required argument 'dir'; run cors-doctor fix --help/],
  ['fix: no --origin', ['fix', 'examples/correct'], /--origin/],
  [
    'fix: --url with no value',
    ['fix', 'examples/correct', '--url'],
    /option '--url <url>' is missing its value/,
  ],
  ['fix: an unknown option', ['fix', 'examples/correct', '--dry-run'], /unknown option '--dry-run'/],

  [
    'gen-tests: no --project',
    ['gen-tests', 'http://localhost:8000/'],
    /required option '--project <dir>' not specified; run cors-doctor gen-tests --help/,
  ],
  ['gen-tests: no URL', ['gen-tests', '--project', 'examples/correct'], /missing required argument 'url'/],
  [
    'gen-tests: --out with no value',
    ['gen-tests', 'http://localhost:8000/', '--project', 'examples/correct', '--out'],
    /option '--out <file>' is missing its value/,
  ],

  ['verify: no URL', ['verify'], /missing required argument 'url'; run cors-doctor verify --help/],
  [
    'verify: --browser with no value',
    ['verify', 'http://localhost:8000/', '--browser'],
    /'--browser <browser>'/,
  ],
  [
    'verify: an unknown option',
    ['verify', 'http://localhost:8000/', '--headless'],
    /unknown option '--headless'/,
  ],
  ['verify: an unknown format', ['verify', 'http://localhost:8000/', '--format', 'sarif'], /--format/],
];

describe('bad usage: exit 2, one line on stderr', () => {
  it.each(BAD_USAGE)('%s', (_title, args, line) => {
    const result = run(args);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expectOneLine(result.stderr, line);
  });
});

describe('every --help shows the same exit statuses', () => {
  const table = (help: string) => help.slice(help.indexOf('Exit status'), help.indexOf('Environment:'));
  const main = run(['--help']);
  it.each(['check', 'scan', 'simulate', 'fix', 'gen-tests', 'verify'])('%s --help', (command) => {
    const help = run([command, '--help']);
    expect(help.status).toBe(0);
    expect(table(help.stdout)).toBe(table(main.stdout));
    for (const status of ['0', '1', '2', '3', '70'])
      expect(table(help.stdout)).toMatch(new RegExp(`^  ${status} `, 'm'));
    // Stated once: no command repeats its own line of exit statuses.
    expect(help.stdout.match(/exit status/gi)).toHaveLength(1);
  });
});

/** Runs the CLI with its standard output read by a reader that closes it at once or after the first chunk. */
function runClosingOutput(args: string[], closeAt: 'start' | 'first chunk'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    if (closeAt === 'start') child.stdout.destroy();
    else
      child.stdout.once('data', (chunk: Buffer) => {
        stdout = chunk.toString('utf8');
        child.stdout.destroy();
      });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('a reader that closes standard output early (EPIPE): quiet, with the status of a full run', () => {
  it.each([
    { title: '--help, closed at once', args: ['--help'], closeAt: 'start' as const },
    { title: 'check --help, closed at once', args: ['check', '--help'], closeAt: 'start' as const },
    { title: '--version, closed at once', args: ['--version'], closeAt: 'start' as const },
    {
      title: 'simulate of 5000 allowed scenarios, closed after the first chunk',
      args: ['simulate', join(work, 'allowed.json')],
      closeAt: 'first chunk' as const,
    },
    {
      title: 'simulate --json of 5000 allowed scenarios, closed after the first chunk',
      args: ['simulate', '--json', join(work, 'allowed.json')],
      closeAt: 'first chunk' as const,
    },
    {
      title: 'simulate of 5000 blocked scenarios, closed after the first chunk',
      args: ['simulate', join(work, 'blocked.json')],
      closeAt: 'first chunk' as const,
    },
    {
      title: 'scan --json, closed at once',
      args: ['scan', '--json', 'examples/correct'],
      closeAt: 'start' as const,
    },
  ])('$title', async ({ args, closeAt }) => {
    const full = run(args);
    const closed = await runClosingOutput(args, closeAt);
    expect(closed.stderr).toBe(full.stderr);
    expect(closed.stderr).toBe('');
    expect(closed.status).toBe(full.status);
  });

  it.each([
    ['cors-doctor --help | head -1', `"${BIN}" --help | head -1`, 0],
    ['simulate big.json | head -2', `"${BIN}" simulate "${join(work, 'allowed.json')}" | head -2`, 0],
    ['scan --json | head -1', `"${BIN}" scan --json examples/correct | head -1`, 0],
  ])('%s (bash, pipefail)', (_title, pipeline, status) => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; node ${pipeline}`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(status);
    expect(result.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(1);
  });
});

describe('files the system refuses: one line naming the file, exit 2', () => {
  const genTests = (out: string) => [
    'gen-tests',
    'http://localhost:8000/items',
    '--project',
    'examples/correct',
    '--out',
    out,
  ];

  it.each([
    [
      'gen-tests --out on a full device (ENOSPC)',
      genTests('/dev/full'),
      /^cors-doctor: --out: cannot write \/dev\/full: no space left on the device\n$/,
    ],
    [
      'gen-tests --out that is a folder (EISDIR)',
      genTests(join(work, 'a-folder')),
      /--out: cannot write .*a-folder: it is a folder\n$/,
    ],
    [
      'gen-tests --out under a file (ENOTDIR)',
      genTests(join(work, 'a-file.txt', 'test_cors.py')),
      /--out: cannot write .*a-file\.txt\/test_cors\.py: a part of the path is not a folder\n$/,
    ],
    [
      'simulate of a file under a file (ENOTDIR)',
      ['simulate', join(work, 'a-file.txt', 'x.json')],
      /cannot read .*a-file\.txt\/x\.json: a part of the path is not a folder\n$/,
    ],
    [
      'simulate of a file the kernel refuses to read (EIO)',
      ['simulate', '/proc/self/mem'],
      /^cors-doctor: cannot read \/proc\/self\/mem: input\/output error\n$/,
    ],
  ])('%s', (_title, args, line) => {
    const result = run(args);
    expect(result.status, result.stderr).toBe(2);
    expectOneLine(result.stderr, line);
  });

  it('standard output on a full device (ENOSPC)', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = run(['simulate', 'examples/scenarios/no-cors-middleware.json'], { stdout: full });
      expect(result.status).toBe(2);
      expectOneLine(
        result.stderr,
        /^cors-doctor: cannot write standard output: no space left on the device\n$/,
      );
    } finally {
      closeSync(full);
    }
  });

  // Read-only files refuse writes to a user, not to root: as root, the command runs as `nobody` (setpriv).
  const isRoot = process.getuid?.() === 0;
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find(existsSync);
  const asUser = (args: string[]): Run => {
    if (!isRoot) return run(args);
    const result = spawnSync(
      setpriv as string,
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  // As `nobody`, the checkout must be readable (not under a private home folder).
  const userRuns = !isRoot || (setpriv !== undefined && asUser(['--version']).status === 0);
  if (!userRuns && inCI)
    throw new Error(
      `CI runs as root: nobody must be able to run ${BIN} (a checkout all can read, setpriv from util-linux, npm run build)`,
    );
  const project = join(work, 'read-only');
  cpSync(join(ROOT, 'examples/missing-middleware'), project, { recursive: true });

  it.skipIf(!userRuns).each([
    {
      title: 'scan --write on a read-only file (EACCES)',
      mode: { file: 0o444, folder: 0o755 },
      args: ['scan', project, '--origin', 'http://localhost:3000', '--write'],
      line: /^cors-doctor: scan --write: cannot write main\.py: permission denied \(EACCES\)\n$/,
    },
    {
      title: 'fix --write on a read-only file (EACCES)',
      mode: { file: 0o444, folder: 0o755 },
      args: ['fix', project, '--origin', 'http://localhost:3000', '--write'],
      line: /^cors-doctor: fix --write: cannot write main\.py: permission denied \(EACCES\)\n$/,
    },
    {
      title: 'scan --write in a read-only folder (EACCES)',
      mode: { file: 0o644, folder: 0o555 },
      args: ['scan', project, '--origin', 'http://localhost:3000', '--write'],
      line: /^cors-doctor: scan --write: cannot write main\.py: permission denied \(EACCES\)\n$/,
    },
    {
      title: 'simulate of a file only its owner reads (EACCES)',
      mode: { file: 0o600, folder: 0o755 },
      args: ['simulate', join(project, 'main.py')],
      line: /^cors-doctor: cannot read .*main\.py: permission denied\n$/,
    },
  ])('$title', ({ mode, args, line }) => {
    chmodSync(project, 0o755);
    chmodSync(join(project, 'main.py'), mode.file);
    chmodSync(project, mode.folder);
    const result = asUser(args);
    expect(result.status, result.stderr).toBe(2);
    expectOneLine(result.stderr, line);
    chmodSync(project, 0o755);
  });
});
