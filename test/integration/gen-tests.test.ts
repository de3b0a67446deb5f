/**
 * `gen-tests`, proven on real apps: for every request of test/fixtures/fastapi/cases.ts (the examples and
 * the FastAPI fixtures), the generated pytest module, run by Debian's pytest against the app in-process,
 * is red where a browser blocks the request (its message quoting Chrome's console line and naming the
 * cause) and green where it allows it; after `scan --write` on a copy, every module of a fixed app is green.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASTAPI_CASES, type FastapiCase } from '../fixtures/fastapi/cases.js';
import { runCli } from '../support/run-cli.js';

const PYTHON = '/usr/bin/python3';
const inCI = process.env.CI === 'true';

interface Run {
  code: number | null;
  output: string;
}

function run(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...extraEnv };
    delete env.PYTHONHOME;
    delete env.PYTHONPATH;
    const child = spawn(PYTHON, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => done({ code: null, output: error.message }));
    child.once('close', (code) => done({ code, output }));
  });
}

const probe = await run(['-c', 'import fastapi, httpx, pytest'], tmpdir());
const unavailable =
  probe.code === 0
    ? undefined
    : `${PYTHON} cannot import fastapi, httpx and pytest (apt-get install -y python3-fastapi python3-httpx python3-pytest): ${probe.output.trim().split('\n').at(-1)}`;
if (unavailable && inCI) throw new Error(`CI needs FastAPI, httpx and pytest: ${unavailable}`);

/** The apps `scan --write` fixes (test/integration/fix-proof.test.ts proves the fix under uvicorn). */
const FIXED_BY_PATCH = [
  'examples/missing-middleware',
  'examples/auth-wraps-cors',
  'examples/wildcard-credentials',
  'test/fixtures/fastapi/credentials-not-allowed',
  'test/fixtures/fastapi/default-methods',
  'test/fixtures/fastapi/headers-not-allowed',
  'test/fixtures/fastapi/loopback-ip',
  'test/fixtures/fastapi/other-port',
  'test/fixtures/fastapi/trailing-slash',
];

const APPS = [...new Set(FASTAPI_CASES.map((c) => c.app))];
const work = await mkdtemp(path.join(tmpdir(), 'cors-doctor-gen-tests-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const copyOf = (app: string) => path.join(work, app.replaceAll('/', '_'));
const moduleName = (index: number) => `test_cors_${index}.py`;

/** The request options of a case, as `check` and `gen-tests` take them. */
function requestArgs(c: FastapiCase): string[] {
  const args = [`http://localhost:8000${c.request.path}`, '--origin', c.origin, '-X', c.request.method];
  for (const [name, value] of Object.entries(c.request.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (c.request.body !== undefined) args.push('--data', c.request.body);
  if (c.request.credentials) args.push('--credentials', c.request.credentials);
  if (c.request.cookie) args.push('--cookie', c.request.cookie);
  return args;
}

/** `scan --write` options that describe what the app's frontend does (its cases). */
function scanArgs(app: string): string[] {
  const cases = FASTAPI_CASES.filter((c) => c.app === app);
  const args: string[] = [];
  for (const origin of new Set(cases.map((c) => c.origin))) args.push('--origin', origin);
  for (const name of new Set(cases.flatMap((c) => Object.keys(c.request.headers ?? {}))))
    args.push('-H', `${name}: x`);
  if (cases.some((c) => c.request.credentials === 'include')) args.push('--credentials', 'include');
  return args;
}

/** Each test of a pytest run (`-rA`): its outcome and, for a failure, its assertion message. */
function outcomes(output: string): Map<string, { outcome: string; message: string }> {
  const found = new Map<string, { outcome: string; message: string }>();
  for (const line of output.split('\n')) {
    const m = /^(PASSED|FAILED|ERROR) (\S+::\S+)(?: - (.*))?$/.exec(line);
    if (m) found.set(m[2] as string, { outcome: m[1] as string, message: m[3] ?? '' });
  }
  return found;
}

/** The failure sections (`--tb=short`) of pytest's output that belong to the module `file`. */
function failureSections(output: string, file: string): string[] {
  const where = new RegExp(`/${file.replaceAll('.', '\\.')}:\\d+: in `);
  return output.split(/^_{3,} \S+ _{3,}$/m).filter((section) => where.test(section));
}

/**
 * Runs `pytest -rA` once on modules of several projects (paths relative to the work folder). Most of them
 * serve `main:app`: each module imports its own project's app, as if each project ran alone, or the
 * allowed and blocked requests below could not both come out right.
 */
const pytest = (files: string[], env?: Record<string, string>): Promise<Run> =>
  run(['-m', 'pytest', '-q', '-rA', '-p', 'no:cacheprovider', '--tb=short', ...files], work, env);

/** The generated modules of the apps of FASTAPI_CASES, relative to the work folder. */
const appModules = (apps: string[]) =>
  FASTAPI_CASES.flatMap((c, index) =>
    apps.includes(c.app) ? [`${path.basename(copyOf(c.app))}/${moduleName(index)}`] : [],
  );

/** The results of the tests in `prefix` (a module `dir/test_x.py`, or a folder `dir/`) of a run. */
const resultsIn = (result: Run | undefined, prefix: string) =>
  [...outcomes(result?.output ?? '')].filter(([id]) => id.startsWith(prefix));

const generated = new Map<number, { code: number; stderr: string }>();
let red: Run | undefined;
let green: Run | undefined;
const written = new Map<string, string>();

describe.skipIf(unavailable !== undefined)(
  `gen-tests: red on the broken apps, green once fixed${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    beforeAll(async () => {
      for (const app of APPS) await cp(app, copyOf(app), { recursive: true });
      for (const [index, c] of FASTAPI_CASES.entries()) {
        const out = path.join(copyOf(c.app), moduleName(index));
        const result = await runCli([
          'gen-tests',
          ...requestArgs(c),
          '--project',
          copyOf(c.app),
          '--out',
          out,
        ]);
        generated.set(index, { code: result.code, stderr: result.stderr });
      }
      red = await pytest(appModules(APPS));
      for (const app of FIXED_BY_PATCH) {
        const result = await runCli(['scan', copyOf(app), ...scanArgs(app), '--write']);
        written.set(app, result.stderr);
      }
      green = await pytest(appModules(FIXED_BY_PATCH));
    }, 240_000);

    it.each(FASTAPI_CASES.map((c, index) => ({ ...c, index })))(
      '$app: $title',
      ({ index, app, expectedOutcome, expectedCause, sourceCause, origin, request }) => {
        expect(generated.get(index)?.code).toBe(0);
        expect(generated.get(index)?.stderr).toMatch(/^wrote .*test_cors_\d+\.py/m);
        const full = red?.output ?? '';
        const mine = resultsIn(red, `${path.basename(copyOf(app))}/${moduleName(index)}::`);
        expect(mine.length, full).toBeGreaterThan(0);
        if (expectedOutcome === 'allowed') {
          expect(
            mine.filter(([, r]) => r.outcome !== 'PASSED'),
            full,
          ).toEqual([]);
          return;
        }
        const failed = mine.filter(([, r]) => r.outcome === 'FAILED');
        expect(failed.length, full).toBeGreaterThan(0);
        expect(mine.filter(([, r]) => r.outcome === 'ERROR')).toEqual([]);
        // Each failure quotes Chrome's console line for this URL and origin, names a cause (the case's
        // among them) and shows the answer.
        const causes = [expectedCause, sourceCause].filter(Boolean).join('|');
        const sections = failureSections(full, moduleName(index));
        expect(sections.length, full).toBe(failed.length);
        for (const section of sections) {
          expect(section).toContain(
            `E   AssertionError: Chrome: Access to fetch at 'http://localhost:8000${request.path}' from origin '${origin}' has been blocked by CORS policy: `,
          );
          expect(section).toMatch(/^E +cause: \S/m);
          expect(section).toMatch(/^E +the app answered: \d{3} /m);
        }
        expect(sections.join('\n')).toMatch(new RegExp(`^E +cause: [^\\n]*\\b(?:${causes})\\b`, 'm'));
      },
    );

    it.each(FIXED_BY_PATCH)('%s: every generated module is green after scan --write', (app) => {
      expect(written.get(app)).toMatch(/applied [1-9]\d* fix\(es\)/);
      const results = resultsIn(green, `${path.basename(copyOf(app))}/`);
      for (const [index, c] of FASTAPI_CASES.entries()) {
        if (c.app !== app) continue;
        const file = `${path.basename(copyOf(app))}/${moduleName(index)}::`;
        expect(resultsIn(green, file).length, green?.output).toBeGreaterThan(0);
      }
      expect(
        results.filter(([, r]) => r.outcome !== 'PASSED'),
        green?.output,
      ).toEqual([]);
    });
  },
);

/** A broken setup of test/fixtures/broken (see its README): the request, and the cause `check --project` names. */
interface BrokenSetup {
  name: string;
  title: string;
  origin: string;
  request: FastapiCase['request'];
  cause: string;
  serve?: { app?: string; env?: Record<string, string> };
  nginx?: string;
}

const BROKEN_ROOT = 'test/fixtures/broken';
const brokenModule = (name: string) => `test_cors_${name.replace(/\W/g, '_')}.py`;
// A setup whose fault is in nginx is left out: the generated test covers the app alone, and says so.
const BROKEN: BrokenSetup[] = (existsSync(BROKEN_ROOT) ? readdirSync(BROKEN_ROOT) : [])
  .filter((name) => existsSync(path.join(BROKEN_ROOT, name, 'cors-case.json')))
  .map((name) => ({
    name,
    ...JSON.parse(readFileSync(path.join(BROKEN_ROOT, name, 'cors-case.json'), 'utf8')),
  }))
  .filter((setup: BrokenSetup) => setup.nginx === undefined);

describe.skipIf(unavailable !== undefined || BROKEN.length === 0)(
  'gen-tests: red on every broken setup of test/fixtures/broken, naming its cause',
  () => {
    const runs = new Map<string, { generated: { code: number; stderr: string }; pytest?: Run }>();
    beforeAll(async () => {
      // One pytest run for the setups the project's files configure, one for each that the platform
      // gives an environment of its own (`serve.env`).
      const runsBy = new Map<string, string[]>();
      for (const setup of BROKEN) {
        const dir = path.join(work, `broken_${setup.name}`);
        await cp(path.join(BROKEN_ROOT, setup.name), dir, { recursive: true });
        const c = { app: '', title: setup.title, origin: setup.origin, request: setup.request };
        const file = brokenModule(setup.name);
        const generated = await runCli([
          'gen-tests',
          ...requestArgs({ ...c, expectedOutcome: 'blocked' }),
          '--project',
          dir,
          '--out',
          path.join(dir, file),
        ]);
        runs.set(setup.name, { generated: { code: generated.code, stderr: generated.stderr } });
        const key = JSON.stringify(setup.serve?.env ?? {});
        runsBy.set(key, [...(runsBy.get(key) ?? []), `${path.basename(dir)}/${file}`]);
      }
      for (const [env, files] of runsBy) {
        const result = await pytest(files, JSON.parse(env));
        for (const setup of BROKEN) {
          const entry = runs.get(setup.name);
          if (entry && files.some((f) => f.endsWith(`/${brokenModule(setup.name)}`))) entry.pytest = result;
        }
      }
    }, 240_000);

    it.each(BROKEN)('$name: $title', ({ name, cause }) => {
      const entry = runs.get(name);
      expect(entry?.generated.code, entry?.generated.stderr).toBe(0);
      const output = entry?.pytest?.output ?? '';
      const file = brokenModule(name);
      const results = resultsIn(entry?.pytest, `broken_${name}/${file}::`);
      expect(results.length, output).toBeGreaterThan(0);
      expect(
        results.filter(([, r]) => r.outcome === 'ERROR'),
        output,
      ).toEqual([]);
      expect(results.filter(([, r]) => r.outcome === 'FAILED').length, output).toBeGreaterThan(0);
      const sections = failureSections(output, file).join('\n');
      // Chrome's console line, or (a redirect to another origin) why the test cannot follow the browser.
      expect(sections).toMatch(
        /^E +AssertionError: (?:Chrome: Access to fetch at '|The request was redirected to \S+, another origin)/m,
      );
      expect(sections).toMatch(new RegExp(`^E +cause: [^\\n]*\\b${cause}\\b`, 'm'));
    });
  },
);

describe.skipIf(unavailable !== undefined)('gen-tests: what the module says, and bad input', () => {
  it('prints the module on stdout without --out; a path no route serves is still tested, and said so', async () => {
    const result = await runCli([
      'gen-tests',
      'http://localhost:8000/no/such/path',
      '--project',
      'examples/correct',
      '--origin',
      'http://localhost:3000',
      '-X',
      'PUT',
      '-H',
      'Content-Type: application/json',
      '--data',
      '{}',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^note: no route of the app serves \/no\/such\/path: /m);
    expect(result.stdout).toMatch(
      /^# Note: no route of the app serves \/no\/such\/path: the app answers 404/m,
    );
    const dir = path.join(work, 'no-route');
    await mkdir(dir);
    await writeFile(path.join(dir, 'test_no_route.py'), result.stdout);
    const pytest = await run(
      ['-m', 'pytest', '-q', '-rA', '-p', 'no:cacheprovider', 'test_no_route.py'],
      dir,
    );
    expect(pytest.output).toMatch(/^PASSED test_no_route\.py::test_preflight$/m);
    expect(pytest.output).toMatch(/^PASSED test_no_route\.py::test_request$/m);
  });

  it('tests the app alone behind nginx, where nginx passes the request, and says nginx is not covered', async () => {
    const project = path.join(work, 'behind-nginx');
    await cp('test/fixtures/nginx/behind-proxy/app', path.join(project, 'app'), { recursive: true });
    await writeFile(
      path.join(project, 'nginx.conf'),
      'events {}\nhttp {\n  server {\n    listen 8080;\n    location /api/ {\n      proxy_pass http://127.0.0.1:8000/;\n    }\n  }\n}\n',
    );
    const out = path.join(project, 'test_cors.py');
    const result = await runCli([
      'gen-tests',
      'http://localhost:8080/api/orders',
      '--project',
      project,
      '-X',
      'POST',
      '--json-body',
      '{"item": "saw"}',
      '--credentials',
      'include',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^note: nginx is not covered: http:\/\/localhost:8080\/api\/orders goes through nginx\.conf/m,
    );
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/^# Note: nginx is not covered: /m);
    expect(text).toContain('APP_URL = "http://127.0.0.1:8000/orders"');
    expect(text).toContain('URL = "http://localhost:8080/api/orders"');
    const pytest = await run(
      ['-m', 'pytest', '-q', '-rA', '-p', 'no:cacheprovider', 'test_cors.py'],
      project,
    );
    expect(pytest.output).toMatch(/^PASSED test_cors\.py::test_preflight$/m);
    expect(pytest.output).toMatch(/^PASSED test_cors\.py::test_request$/m);
  });

  it.each([
    {
      title: 'a project without an app: exit 3',
      args: (empty: string) => ['gen-tests', 'http://localhost:8000/items', '--project', empty],
      code: 3,
      line: /^cors-doctor: no FastAPI or Starlette app to test in .*; point --project at the backend folder\n$/,
    },
    {
      title: 'an --out in a folder that does not exist: exit 2',
      args: () => [
        'gen-tests',
        'http://localhost:8000/items',
        '--project',
        'examples/correct',
        '--origin',
        'http://localhost:3000',
        '--out',
        '/nonexistent-folder/test_cors.py',
      ],
      code: 2,
      line: /^cors-doctor: --out: cannot write \/nonexistent-folder\/test_cors\.py: its folder does not exist\n$/,
    },
    {
      title: 'an --out that is a folder: exit 2',
      args: () => [
        'gen-tests',
        'http://localhost:8000/items',
        '--project',
        'examples/correct',
        '--origin',
        'http://localhost:3000',
        '--out',
        'examples',
      ],
      code: 2,
      line: /^cors-doctor: --out: cannot write examples: it is a folder\n$/,
    },
  ])('$title', async ({ args, code, line }) => {
    const empty = path.join(work, 'empty');
    await mkdir(empty, { recursive: true });
    const result = await runCli(args(empty));
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(line);
  });
});
