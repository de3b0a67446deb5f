// served-app-not-configured: the serve command names another object than the one CORS is set up on. Rows
// built by hand (apps as the reader gives them, serve commands as the project reader resolves them), then
// real projects read from source: Dockerfile, Procfile, compose, `uvicorn.run`, mounted sub-apps.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from '../../../../src/analysis/scan.js';
import { correlate } from '../../../../src/causes/correlate.js';
import { scanWith } from '../../../../src/causes/index.js';
import { servedAppNotConfigured } from '../../../../src/causes/rules/served-app-not-configured.js';
import type { Cause, Finding } from '../../../../src/core/causes.js';
import { appForUrl, servedApps } from '../../../../src/evidence/offline.js';
import { attachPatches } from '../../../../src/fix/patches.js';
import { readProject } from '../../../../src/project/read-project.js';
import type { Binding, ServeCommand } from '../../../../src/project/serve-commands.js';
import type { Project } from '../../../../src/project/types.js';
import type { MiddlewareEntry, PythonApp } from '../../../../src/python/types.js';
import { app, bool, cors, list, project, route, rv } from '../../../support/python-app.js';
import { ALLOWED, BLOCKED, pageTo, prove } from './offline-proof.js';

const CODE = 'served-app-not-configured';
const FILE = 'app/main.py';
const options = { allow_origins: rv(list('http://localhost:3000')), allow_credentials: rv(bool(true)) };

/** `name = CORSMiddleware(app, ...)` as the reader records it: a `wrap` entry of the app. */
function wrap(
  line: number,
  name = 'CORSMiddleware',
  kind: MiddlewareEntry['kind'] = 'cors',
): MiddlewareEntry {
  return {
    name,
    kind,
    registration: 'wrap',
    source: { file: FILE, line },
    ...(kind === 'cors' && { options }),
  };
}
const call = (name: string, line: number, callee: string, args: string[], topLevel = true): Binding => ({
  name,
  line,
  topLevel,
  kind: 'call',
  callee,
  arguments: args,
});
/** app/main.py: `app = FastAPI()` at line 5, then the given bindings. */
const bindings = (...more: Binding[]): Binding[] => [
  { name: 'FastAPI', line: 1, topLevel: true, kind: 'import' },
  call('app', 5, 'FastAPI', []),
  ...more,
];
function command(attribute: string, over: Partial<ServeCommand> = {}): ServeCommand {
  const literal = `app.main:${attribute}`;
  return {
    file: 'Dockerfile',
    line: 4,
    server: 'uvicorn',
    module: 'app.main',
    attribute,
    text: `CMD ["uvicorn", "${literal}", "--host", "0.0.0.0"]`,
    target: { line: 4, text: literal },
    ...over,
  };
}
function resolved(c: ServeCommand, b: Binding[]): ServeCommand {
  return { ...c, resolved: { file: FILE, bindings: b } };
}
function withCommands(p: Project, ...commands: ServeCommand[]): Project {
  return { ...p, serveCommands: commands };
}
const scan = (p: Project, a: PythonApp): Finding[] =>
  scanWith(servedAppNotConfigured, { project: p, app: a, origins: [], starletteVersion: '0.37.2' });

// -------------------------------------------------------------------------------------------------
// Built by hand

const served = app([wrap(20)], [route('GET', '/items')]);
const wrapped = bindings(call('application', 20, 'CORSMiddleware', ['app']));
const parent = app([], [route('GET', '/health')], {
  mounts: [{ path: '/api', target: 'api', source: { file: FILE, line: 12 } }],
});
const api = app([cors(options, 9)], [route('GET', '/items')], {
  variable: 'api',
  source: { file: FILE, line: 8 },
});
const unmountedApi = app([cors(options, 9)], [route('GET', '/v2/items')], {
  variable: 'api',
  source: { file: FILE, line: 8 },
});
const bare = app([]);
const socketio = wrap(22, 'ASGIApp', 'other');
const withSocketio = app([wrap(20), socketio], [route('GET', '/items')]);

interface HandCase {
  name: string;
  project: Project;
  /** The app scanned (the served one unless said). */
  app: PythonApp;
  message?: RegExp;
  fix?: RegExp;
  /** The text the edit replaces, when there is one (on the serve command's target unless `at` says). */
  edit?: { from: string; to: string } | null;
  /** Where the finding and its edit are, when not on the serve command. */
  at?: { file: string; line: number };
}

const elsewhere = app([{ ...wrap(5), source: { file: 'main.py', line: 5 } }], [route('GET', '/items')]);

const FAILING: HandCase[] = [
  {
    name: 'Dockerfile serves app.main:app, CORS is on application = CORSMiddleware(app, ...)',
    project: withCommands(project(served), resolved(command('app'), wrapped)),
    app: served,
    message:
      /uvicorn serves app\.main:app \(Dockerfile:4\): the FastAPI app `app` \(created at app\/main\.py:5\), which has no CORSMiddleware\. CORSMiddleware is set up on `application`, a CORSMiddleware around `app` \(app\/main\.py:20\)/,
    fix: /Serve the object CORS is set up on: app\.main:application/,
    edit: { from: 'app.main:app', to: 'app.main:application' },
  },
  {
    name: 'CORS only on a sub-app mounted at /api, the parent (with routes) is served',
    project: withCommands(project(parent, api), command('app')),
    app: parent,
    message:
      /Only `api` has one \(CORSMiddleware at app\/main\.py:9\), mounted at \/api \(app\/main\.py:12\): requests that reach it get CORS headers, but the 1 route\(s\) of `app` itself \(GET \/health\) and the redirect from \/api to \/api\/ get none/,
    fix: /app\.add_middleware\(CORSMiddleware, \.\.\.\) covers every path/,
    edit: null,
  },
  {
    name: 'CORS on another app of the module, neither served nor mounted',
    project: withCommands(project(bare, unmountedApi), command('app')),
    app: bare,
    message:
      /CORSMiddleware is set up on the FastAPI app `api` \(created at app\/main\.py:8\) in the same module/,
    fix: /Set CORS up on the served app: app\.add_middleware/,
    edit: null,
  },
  {
    name: 'the served socketio wrapper wraps the bare app, not the CORS wrapper',
    project: withCommands(
      project(withSocketio),
      resolved(command('asgi'), [
        ...wrapped,
        call('asgi', 22, 'socketio.ASGIApp', ['sio', 'other_asgi_app=app']),
      ]),
    ),
    app: withSocketio,
    message:
      /serves app\.main:asgi .*`asgi`, a ASGIApp around `app` \(app\/main\.py:22\), which has no CORSMiddleware/,
    fix: /Make `asgi` \(app\/main\.py:22\) wrap `application` instead of `app`/,
    // The fix is written on the served wrapper's line: it wraps `application` instead.
    at: { file: FILE, line: 22 },
    edit: { from: 'other_asgi_app=app', to: 'other_asgi_app=application' },
  },
  {
    name: 'fastapi run serves the FastAPI app: the wrapper cannot be served by fastapi run',
    project: withCommands(
      project(served),
      resolved(command('app', { server: 'fastapi', target: undefined }), wrapped),
    ),
    app: served,
    fix: /fastapi run serves FastAPI instances only: set CORS up on the app itself with app\.add_middleware/,
    edit: null,
  },
  {
    name: 'uvicorn.run(app) in the module itself',
    project: withCommands(
      project(served),
      resolved(
        command('app', {
          file: FILE,
          line: 30,
          text: 'uvicorn.run(app, host="0.0.0.0")',
          target: { line: 30, text: 'uvicorn.run(app' },
        }),
        wrapped,
      ),
    ),
    app: served,
    edit: { from: 'uvicorn.run(app', to: 'uvicorn.run(application' },
  },
  {
    name: 'the defining module is served, CORS wraps the app in another module',
    project: withCommands(project(elsewhere), resolved(command('app'), bindings())),
    app: elsewhere,
    message:
      /CORSMiddleware is set up only around it in another module, CORSMiddleware\(app, \.\.\.\) at main\.py:5/,
    fix: /Serve the object made at main\.py:5/,
    edit: null,
  },
];

const PASSING: HandCase[] = [
  {
    name: 'the CORS wrapper is the object served',
    project: withCommands(project(served), resolved(command('application'), wrapped)),
    app: served,
  },
  {
    name: 'app = CORSMiddleware(app, ...): the name served is the wrapper',
    project: withCommands(
      project(served),
      resolved(command('app'), bindings(call('app', 20, 'CORSMiddleware', ['app']))),
    ),
    app: served,
  },
  { name: 'no serve command', project: project(served), app: served },
  {
    name: 'the served module is not a file of the project',
    project: withCommands(project(served), command('app', { module: 'other.main' })),
    app: served,
  },
  {
    name: 'the served app has CORSMiddleware itself',
    project: withCommands(project(app([cors(options)])), command('app')),
    app: app([cors(options)]),
  },
  {
    name: 'a factory: what it returns is not followed',
    project: withCommands(project(served), resolved(command('create_app', { factory: true }), wrapped)),
    app: served,
  },
  {
    name: 'a wrapper but the module bindings are unknown: nothing is guessed',
    project: withCommands(project(served), command('app')),
    app: served,
  },
  {
    name: 'the finding is on the served app, not on the other apps of the project',
    project: withCommands(project(parent, api), command('app')),
    app: api,
  },
  {
    name: 'the parent of the mount has no route of its own',
    project: withCommands(project(app([], [], { mounts: parent.mounts }), api), command('app')),
    app: app([], [], { mounts: parent.mounts }),
  },
  {
    name: 'the served name is rebound to something not followed',
    project: withCommands(
      project(served),
      resolved(command('app'), [...wrapped, { name: 'app', line: 25, topLevel: true, kind: 'other' }]),
    ),
    app: served,
  },
  {
    name: 'the served socketio wrapper wraps the CORS wrapper',
    project: withCommands(
      project(withSocketio),
      resolved(command('asgi'), [
        ...wrapped,
        call('asgi', 22, 'socketio.ASGIApp', ['sio', 'other_asgi_app=application']),
      ]),
    ),
    app: withSocketio,
  },
  {
    name: 'the CORS wrapper is made inside a function',
    project: withCommands(
      project(served),
      resolved(command('app'), bindings(call('application', 20, 'CORSMiddleware', ['app'], false))),
    ),
    app: served,
  },
];

describe('rule served-app-not-configured: built by hand', () => {
  it.each(FAILING.map((c) => [c.name, c] as const))('names it: %s', (_name, c) => {
    const findings = scan(c.project, c.app);
    expect(findings).toHaveLength(1);
    const f = findings[0] as Finding;
    expect(f).toMatchObject({ code: CODE, severity: 'error' });
    const cmd = c.project.serveCommands?.[0] as ServeCommand;
    const at = c.at ?? { file: cmd.file, line: c.edit ? (cmd.target?.line ?? cmd.line) : cmd.line };
    expect({ file: f.file, line: f.line }).toEqual(at);
    expect(f.evidence?.[0]).toBe(`${cmd.file}:${cmd.line}: ${cmd.text}`);
    if (c.message) expect(f.message).toMatch(c.message);
    if (c.fix) expect(f.fix?.summary).toMatch(c.fix);
    if (c.edit === null) expect(f.fix?.edits).toBeUndefined();
    if (c.edit) expect(f.fix?.edits).toEqual([{ kind: 'replace-text', ...at, ...c.edit }]);
  });
  it.each(PASSING.map((c) => [c.name, c] as const))('does not name it: %s', (_name, c) => {
    expect(scan(c.project, c.app)).toEqual([]);
  });
  it('reports one finding per serve command', () => {
    const p = withCommands(
      project(served),
      resolved(command('app'), wrapped),
      resolved(
        command('app', {
          file: 'Procfile',
          line: 1,
          text: 'web: gunicorn app.main:app',
          target: { line: 1, text: 'app.main:app' },
        }),
        wrapped,
      ),
      resolved(command('app'), wrapped),
    );
    expect(scan(p, served).map((f) => `${f.file}:${f.line}`)).toEqual(['Dockerfile:4', 'Procfile:1']);
  });
});

// -------------------------------------------------------------------------------------------------
// Read from source

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A project written to a temporary folder and read as `scan` reads it (serve commands included). */
async function fromSource(files: Record<string, string>): Promise<{ root: string; project: Project }> {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-served-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const project = await readProject(root);
  return { root, project };
}

const findingsOf = (p: Project): Finding[] =>
  scanProject(p, { origins: ['http://localhost:3000'] }).findings.filter((f) => f.code === CODE);

const WRAPPED_MAIN = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/items")
def items():
    return []


application = CORSMiddleware(
    app,
    allow_origins=["http://localhost:3000"],
    allow_methods=["*"],
)
`;
const DOCKERFILE = (target: string) =>
  `FROM python:3.12-slim\nWORKDIR /code\nCOPY . .\nCMD ["uvicorn", "${target}", "--host", "0.0.0.0", "--port", "8000"]\n`;

const MOUNTED_MAIN = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
api = FastAPI()
api.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"], allow_methods=["*"])


@api.get("/items")
def items():
    return []


@app.get("/health")
def health():
    return {"ok": True}


app.mount("/api", api)
`;

interface SourceCase {
  name: string;
  files: Record<string, string>;
  /** `file:line` of the finding, its message, and the patch its fix makes. */
  at?: string;
  message?: RegExp;
  patch?: RegExp;
}

const SOURCE_FAILING: SourceCase[] = [
  {
    name: 'Dockerfile CMD serves main:app, main.py has application = CORSMiddleware(app, ...)',
    files: { 'main.py': WRAPPED_MAIN, Dockerfile: DOCKERFILE('main:app'), 'requirements.txt': 'fastapi\n' },
    at: 'Dockerfile:4',
    message:
      /^uvicorn serves main:app \(Dockerfile:4\): the FastAPI app `app` \(created at main\.py:4\), which has no CORSMiddleware\. CORSMiddleware is set up on `application`, a CORSMiddleware around `app` \(main\.py:12\), which this command does not serve/,
    patch: /-CMD \["uvicorn", "main:app", .*\n\+CMD \["uvicorn", "main:application", /,
  },
  {
    name: 'Procfile with gunicorn and the uvicorn worker',
    files: {
      'app/__init__.py': '',
      'app/main.py': WRAPPED_MAIN,
      Procfile: 'web: gunicorn -w 2 -k uvicorn.workers.UvicornWorker app.main:app --bind 0.0.0.0:$PORT\n',
    },
    at: 'Procfile:1',
    message: /^gunicorn serves app\.main:app \(Procfile:1\)/,
    patch: /\+web: gunicorn -w 2 -k uvicorn\.workers\.UvicornWorker app\.main:application --bind/,
  },
  {
    name: 'compose command: list at the root, the app in backend/',
    files: {
      'backend/app/__init__.py': '',
      'backend/app/main.py': WRAPPED_MAIN,
      'docker-compose.yml':
        'services:\n  api:\n    build: ./backend\n    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--reload"]\n    ports:\n      - "8000:8000"\n',
    },
    at: 'docker-compose.yml:4',
    message: /`application`, a CORSMiddleware around `app` \(backend\/app\/main\.py:12\)/,
    patch: /\+ {4}command: \["uvicorn", "app\.main:application",/,
  },
  {
    name: 'uvicorn.run("main:app") under __main__',
    files: {
      'main.py': `${WRAPPED_MAIN}\n\nif __name__ == "__main__":\n    import uvicorn\n\n    uvicorn.run("main:app", host="0.0.0.0", port=8000)\n`,
    },
    at: 'main.py:22',
    patch: /\+ {4}uvicorn\.run\("main:application", host="0\.0\.0\.0", port=8000\)/,
  },
  {
    name: 'uvicorn.run(app) with the variable',
    files: {
      'main.py': `${WRAPPED_MAIN}\n\nif __name__ == "__main__":\n    import uvicorn\n\n    uvicorn.run(app, port=8000)\n`,
    },
    at: 'main.py:22',
    patch: /\+ {4}uvicorn\.run\(application, port=8000\)/,
  },
  {
    name: 'CORS only on the sub-app mounted at /api while the parent is served',
    files: { 'main.py': MOUNTED_MAIN, Dockerfile: DOCKERFILE('main:app') },
    at: 'Dockerfile:4',
    message:
      /Only `api` has one \(CORSMiddleware at main\.py:6\), mounted at \/api \(main\.py:19\).*\(GET \/health\)/,
  },
  {
    name: 'the app is imported from a factory module and wrapped under another name',
    files: {
      'app/__init__.py': '',
      'app/factory.py':
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/items")\ndef items():\n    return []\n',
      'main.py':
        'from fastapi.middleware.cors import CORSMiddleware\n\nfrom app.factory import app\n\nasgi_app = CORSMiddleware(app, allow_origins=["http://localhost:3000"])\n',
      Procfile: 'web: uvicorn main:app --host 0.0.0.0 --port $PORT\n',
    },
    at: 'Procfile:1',
    message:
      /the FastAPI app `app` \(created at app\/factory\.py:3\).*`asgi_app`, a CORSMiddleware around `app` \(main\.py:5\)/,
    patch: /\+web: uvicorn main:asgi_app --host/,
  },
  {
    name: 'the command serves the defining module, main.py wraps the app with CORS',
    files: {
      'app/__init__.py': '',
      'app/factory.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n',
      'main.py':
        'from fastapi.middleware.cors import CORSMiddleware\n\nfrom app.factory import app\n\napplication = CORSMiddleware(app, allow_origins=["http://localhost:3000"])\n',
      'docker-compose.yml': 'services:\n  api:\n    command: uvicorn app.factory:app --host 0.0.0.0\n',
    },
    at: 'docker-compose.yml:3',
    message:
      /serves app\.factory:app .*CORSMiddleware is set up only around it in another module, CORSMiddleware\(app, \.\.\.\) at main\.py:5/,
  },
];

const SOURCE_PASSING: SourceCase[] = [
  {
    name: 'the Dockerfile serves the CORS wrapper',
    files: { 'main.py': WRAPPED_MAIN, Dockerfile: DOCKERFILE('main:application') },
  },
  {
    name: 'app = CORSMiddleware(app, ...) and main:app served',
    files: {
      'main.py': WRAPPED_MAIN.replace('application = ', 'app = '),
      Dockerfile: DOCKERFILE('main:app'),
    },
  },
  { name: 'no serve command in the project', files: { 'main.py': WRAPPED_MAIN } },
  {
    name: 'socketio around the CORS-wrapped app is served',
    files: {
      'main.py': `import socketio\n${WRAPPED_MAIN.replace('application = ', 'app = ')}\nsio = socketio.AsyncServer(async_mode="asgi")\nasgi = socketio.ASGIApp(sio, other_asgi_app=app)\n`,
      Procfile: 'web: uvicorn main:asgi\n',
    },
  },
  {
    name: 'the mounting app has CORSMiddleware itself',
    files: {
      'main.py': MOUNTED_MAIN.replace(
        'app.mount(',
        'app.add_middleware(CORSMiddleware, allow_origins=["*"])\napp.mount(',
      ),
      Dockerfile: DOCKERFILE('main:app'),
    },
  },
  {
    name: 'the command serves a module outside the project',
    files: { 'main.py': WRAPPED_MAIN, Dockerfile: DOCKERFILE('vendor.server:app') },
  },
  {
    name: 'a factory is served',
    files: {
      'main.py': `${WRAPPED_MAIN}\n\ndef create_app():\n    return application\n`,
      'start.sh': 'exec uvicorn main:create_app --factory\n',
    },
  },
];

describe('rule served-app-not-configured: read from source', () => {
  it.each(SOURCE_FAILING.map((c) => [c.name, c] as const))('names it: %s', async (_name, c) => {
    const { root, project: p } = await fromSource(c.files);
    const findings = findingsOf(p);
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual([c.at]);
    const f = findings[0] as Finding;
    expect(f.severity).toBe('error');
    if (c.message) expect(f.message).toMatch(c.message);
    await attachPatches(root, findings);
    if (c.patch) expect(f.fix?.patch).toMatch(c.patch);
    else expect(f.fix?.patch).toBeUndefined();
  });
  it.each(SOURCE_PASSING.map((c) => [c.name, c] as const))('does not name it: %s', async (_name, c) => {
    const { project: p } = await fromSource(c.files);
    expect(findingsOf(p)).toEqual([]);
  });
  it('check --project: the live "no CORS headers" is explained by this finding', async () => {
    const { project: p } = await fromSource({ 'main.py': WRAPPED_MAIN, Dockerfile: DOCKERFILE('main:app') });
    const report = scanProject(p, { origins: ['http://localhost:3000'] });
    const live: Cause = {
      code: 'no-cors-middleware',
      severity: 'error',
      summary: 'The server has no CORS layer.',
      evidence: [
        'OPTIONS http://localhost:8000/items -> 405 Method Not Allowed with no Access-Control-Allow-* header',
      ],
      locations: [],
    };
    const { causes } = correlate([live], report);
    expect(causes.map((x) => x.code)).toEqual(['no-cors-middleware', CODE]);
    // First the serve command whose target the fix rewrites, then the wrapper CORS is set up on.
    expect(causes[1]?.locations).toEqual([
      { file: 'Dockerfile', line: 4 },
      { file: 'main.py', line: 12 },
    ]);
    expect(causes[1]?.confirmedBy).toBeDefined();
  });
});

// -------------------------------------------------------------------------------------------------
// The object uvicorn serves, modelled offline: the page's request blocked while the served object lacks
// CORS, allowed once the patch serves (or wraps) the configured one.

const TIMED_MAIN = `${WRAPPED_MAIN.replace('application = CORSMiddleware(', 'cors_app = CORSMiddleware(')}

class Timing:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


application = Timing(app)
`;
const SERVED_PAGE = pageTo('/items', { origin: 'http://localhost:3000' });

describe('rule served-app-not-configured: the served object, proven offline', () => {
  it.each<{ name: string; files: Record<string, string>; at: string; patched: RegExp }>([
    {
      name: 'the Dockerfile serves main:app, CORS wraps it as `application`: the command serves main:application',
      files: { 'main.py': WRAPPED_MAIN, Dockerfile: DOCKERFILE('main:app') },
      at: 'Dockerfile:4',
      patched: /CMD \["uvicorn", "main:application",/,
    },
    {
      name: 'the Dockerfile serves main:application, a wrapper of the bare app: it wraps cors_app instead',
      files: { 'main.py': TIMED_MAIN, Dockerfile: DOCKERFILE('main:application') },
      at: `main.py:${TIMED_MAIN.split('\n').indexOf('application = Timing(app)') + 1}`,
      patched: /\napplication = Timing\(cors_app\)\n/,
    },
    {
      name: 'the same module served as main:app by uvicorn.run in the module itself',
      files: {
        'main.py': `${WRAPPED_MAIN}\n\nif __name__ == "__main__":\n    import uvicorn\n\n    uvicorn.run("main:app", port=8000)\n`,
      },
      at: `main.py:${WRAPPED_MAIN.split('\n').length + 5}`,
      patched: /uvicorn\.run\("main:application", port=8000\)/,
    },
  ])('$name', async ({ files, at, patched }) => {
    const proof = await prove(CODE, files, SERVED_PAGE);
    expect(proof.at).toEqual([at]);
    expect(Object.values(proof.after).join('\n')).toMatch(patched);
    expect(proof.before).toBe(BLOCKED);
    expect(proof.afterOutcome).toBe(ALLOWED);
  });

  it('models the object a serve command names, not every wrapper of the app', async () => {
    const { project: p } = await fromSource({
      'main.py': TIMED_MAIN,
      Dockerfile: DOCKERFILE('main:cors_app'),
    });
    const served = servedApps(p).map((a) => a.middleware.map((m) => m.name).join(' > '));
    expect(served).toEqual(['CORSMiddleware > ServerErrorMiddleware > ExceptionMiddleware > Router']);
    // Without a serve command, every wrapper the reader saw is kept (nothing says which object is served).
    const { project: bare } = await fromSource({ 'main.py': TIMED_MAIN });
    expect(appForUrl(bare, 'http://localhost:8000/items')?.middleware.map((m) => m.name)).toEqual([
      'Timing',
      'CORSMiddleware',
      'ServerErrorMiddleware',
      'ExceptionMiddleware',
      'Router',
    ]);
  });
});
