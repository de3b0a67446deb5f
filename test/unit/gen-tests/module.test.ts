// The module gen-tests writes, for real projects: valid Python (Debian's interpreter compiles it), the
// requests exactly as the browser model plans them, the checks that apply to this request and no others.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPageFetch, type PageFetchInput } from '../../../src/core/page.js';
import type { EnvironmentSources } from '../../../src/gen-tests/environment.js';
import { moduleNotes, testModule } from '../../../src/gen-tests/module.js';
import { proxyInFront, routeServes, servedApp } from '../../../src/gen-tests/served-app.js';
import { readProject } from '../../../src/project/read-project.js';

const PYTHON = '/usr/bin/python3';
const inCI = process.env.CI === 'true';
const unavailable = existsSync(PYTHON) ? undefined : `${PYTHON} not found (apt-get install -y python3)`;
if (unavailable && inCI) throw new Error(`CI needs ${PYTHON}`);

async function moduleFor(
  root: string,
  input: PageFetchInput,
  out = true,
  environment?: EnvironmentSources,
): Promise<string> {
  const page = buildPageFetch({ origin: 'http://localhost:3000', ...input });
  const project = await readProject(root);
  const served = servedApp(project, page.url, (dir) => existsSync(join(root, dir, '__init__.py')));
  if (!served) throw new Error(`no app in ${root}`);
  const proxy = proxyInFront(project, page);
  const noRoute = served.app !== undefined && !routeServes(served.app, proxy?.upstreamUrl ?? page.url);
  return testModule({
    page,
    served,
    projectPath: out ? { relative: '.' } : { absolute: project.root },
    ...(proxy && { proxy }),
    ...(noRoute && { noRoute }),
    ...(environment && { environment }),
    runWith: 'python3 -m pytest -q test_cors.py',
  });
}

function compiles(text: string): string {
  const result = spawnSync(PYTHON, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {
    input: text,
    encoding: 'utf8',
  });
  return result.status === 0 ? 'ok' : result.stderr;
}

describe.skipIf(unavailable !== undefined)('testModule', () => {
  it.each([
    {
      title: 'a simple GET: no preflight test, no preflight checks',
      root: 'examples/correct',
      input: { url: 'http://localhost:8000/items' },
      has: ['def test_request(client):', '"preflight": None,', 'assert allow_origin in (ORIGIN, "*")'],
      hasNot: ['def test_preflight', 'def check_preflight', 'InvalidAllowCredentials'],
    },
    {
      title: 'PUT with JSON and credentials: the preflight, "*" refused, Access-Control-Allow-Credentials',
      root: 'examples/correct',
      input: { url: 'http://localhost:8000/items/1', method: 'PUT', jsonBody: '{}', credentials: 'include' },
      has: [
        'def test_preflight(client):',
        '("Access-Control-Request-Method", "PUT"),',
        '("Access-Control-Request-Headers", "content-type"),',
        '"method_to_allow": "PUT",',
        '"header_names_to_allow": ["content-type"],',
        'assert allow_origin != "*", blocked("PreflightWildcardOriginNotAllowed", response, url)',
        'assert allow_credentials == "true", blocked(',
        'assert method is None or method in methods, blocked(',
        '        "body": "{}",',
      ],
      hasNot: ['or "*" in methods', 'elif "authorization" in expected'],
    },
    {
      title: 'Authorization without credentials: "*" covers other names, never Authorization',
      root: 'examples/correct',
      input: { url: 'http://localhost:8000/me', headers: ['Authorization: Bearer t0k3n'] },
      has: [
        '("Access-Control-Request-Headers", "authorization"),',
        '    if "*" not in allowed:',
        '    elif "authorization" in expected["header_names"]:',
        'AUTHORIZATION_WARNING = "Authorization will not be covered by the wildcard symbol (*)',
      ],
      hasNot: ['"method_to_allow": "GET"'],
    },
    {
      title: 'a project with compose and .env: the environment block',
      root: 'test/fixtures/fastapi/env-origins-spaces',
      input: { url: 'http://localhost:8000/items/1', method: 'PUT', jsonBody: '{}' },
      environment: { composeFiles: ['docker-compose.yml'], dockerfiles: [], dotenvFiles: ['.env'] },
      has: ['COMPOSE_FILES = ["docker-compose.yml"]', 'DOTENV_FILES = [".env"]', 'patch.setenv(name, value)'],
      hasNot: [],
    },
    {
      title: 'a path no route serves: said at the top',
      root: 'examples/correct',
      input: { url: 'http://localhost:8000/nowhere' },
      has: ['# Note: no route of the app serves /nowhere: the app answers 404'],
      hasNot: ['nginx'],
    },
    {
      title: 'printed: the project by its absolute path',
      root: 'examples/correct',
      input: { url: 'http://localhost:8000/items' },
      out: false,
      has: [`PROJECT = ${JSON.stringify(join(process.cwd(), 'examples/correct'))}`],
      hasNot: ['os.path.abspath(__file__)'],
    },
  ])('$title', async ({ root, input, has, hasNot, out, environment }) => {
    const text = await moduleFor(root, input, out !== false, environment);
    expect(compiles(text)).toBe('ok');
    for (const line of has) expect(text).toContain(line);
    for (const line of hasNot) expect(text).not.toContain(line);
    // Nothing in the module makes the project reader take it for an app or a CORS setup.
    expect(text).not.toMatch(/CORSMiddleware|add_middleware|(?:FastAPI|Starlette)\s*[(),]/);
  });

  it('notes nginx in front, for the module and for stderr', () => {
    const page = buildPageFetch({ url: 'http://localhost:8080/api/items', origin: 'http://localhost:3000' });
    const notes = moduleNotes({
      page,
      served: { module: 'main', attribute: 'app', factory: false, importDir: '', runDir: '', foundBy: '' },
      proxy: { config: { proxy: 'nginx', file: 'deploy/nginx.conf' }, upstreamUrl: 'http://app:8000/items' },
    });
    expect(notes).toEqual([
      'nginx is not covered: http://localhost:8080/api/items goes through deploy/nginx.conf, and this test sends the requests to the app alone (at http://app:8000/items, where nginx passes them). What nginx adds, hides or answers itself is not tested here: check it live (cors-doctor check URL).',
    ]);
  });
});
