// The one project reader on real folders: apps, proxy configurations and serve commands from one walk.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Parser, Tree } from 'web-tree-sitter';
import { scanProject } from '../../../src/analysis/scan.js';
import { readProject } from '../../../src/project/read-project.js';
import { getPythonParser, parseWithin } from '../../../src/python/parser.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-project-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const WRAPPED = `from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/items")
def items():
    return []


application = CORSMiddleware(app, allow_origins=["http://localhost:3000"], allow_methods=["*"])
`;

const codesOf = (root: string) =>
  readProject(root).then((p) => scanProject(p, { origins: ['http://localhost:3000'] }).findings);

describe('readProject', () => {
  it.each([
    ['a Dockerfile', 'Dockerfile', 'FROM python:3.12\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0"]\n', 2],
    ['a Procfile', 'Procfile', 'web: gunicorn -k uvicorn.workers.UvicornWorker main:app\n', 1],
    [
      'compose',
      'docker-compose.yml',
      'services:\n  api:\n    build: .\n    command: uvicorn main:app --reload\n',
      4,
    ],
  ])(
    'serves main:app from %s while CORS wraps it as application: served-app-not-configured there',
    async (_t, file, text, line) => {
      const findings = await codesOf(folder({ 'main.py': WRAPPED, [file]: text }));
      const finding = findings.find((f) => f.code === 'served-app-not-configured');
      expect(finding).toMatchObject({ file, line, severity: 'error' });
      expect(finding?.fix?.summary).toContain('main:application');
    },
  );

  it('serving the wrapper is right: no finding', async () => {
    const root = folder({ 'main.py': WRAPPED, Dockerfile: 'CMD ["uvicorn", "main:application"]\n' });
    expect((await codesOf(root)).map((f) => f.code)).not.toContain('served-app-not-configured');
  });

  it('reads uvicorn.run in an entry point', async () => {
    const root = folder({
      'main.py': `${WRAPPED}\n\nif __name__ == "__main__":\n    import uvicorn\n\n    uvicorn.run("main:app", port=8000)\n`,
    });
    const project = await readProject(root);
    expect(project.serveCommands?.map((c) => [c.file, c.module, c.attribute])).toEqual([
      ['main.py', 'main', 'app'],
    ]);
  });

  it('reads nginx configuration beside the app, and no serve command where none is written', async () => {
    const root = folder({
      'main.py': WRAPPED,
      'deploy/nginx.conf':
        'server {\n  listen 8080;\n  location / { proxy_pass http://127.0.0.1:8000; }\n}\n',
    });
    const project = await readProject(root);
    expect(project.proxies.map((p) => [p.proxy, p.file])).toEqual([['nginx', 'deploy/nginx.conf']]);
    expect(project.serveCommands).toBeUndefined();
  });
});

// Sources no one writes by hand, found by fuzzing the reader (scripts/fuzz.ts): each is read in time, with
// the app beside them found and the syntax error listed.
const APP = 'from fastapi import FastAPI\napp = FastAPI()\n';
describe('readProject on pathological sources', () => {
  it.each([
    {
      // Its syntax tree made the parser's WebAssembly stack overflow when every node's parent was asked.
      title: 'f-strings nested 500 deep in the module a Dockerfile serves',
      main: `${APP}x = ${'f"{'.repeat(500)}1${'}"'.repeat(500)}\n`,
      served: true,
      apps: ['app main.py:2'],
      errors: ['main.py'],
    },
    {
      // Reading what a served module binds asked every node's parent (the square of the depth).
      title: 'braces opened 60,000 deep and closed 30,000 times in the module a Dockerfile serves',
      main: `${APP}${'{'.repeat(60_000)}1${'}'.repeat(30_000)}\n`,
      served: true,
      apps: ['app main.py:2'],
      errors: ['main.py'],
    },
    {
      // Each call's callee was read as text, which holds the calls before it (the square of the length).
      title: 'a chain of 40,000 method calls',
      main: `${APP}x = q${'.b(1)'.repeat(40_000)}\n`,
      served: false,
      apps: ['app main.py:2'],
      errors: [],
    },
    {
      // The function around each call was found going up parent by parent (the square of the depth).
      title: '"not" 40,000 deep in a call, then a decorator of an imported app',
      main: `from main import app\nserver = FastAPI(m${'not '.repeat(40_000)}@app.put("/items")\n    if item_id not in items:\n`,
      served: false,
      apps: [],
      errors: ['main.py'],
    },
    {
      // Far deeper than Python compiles (2,000 or so levels): the file is listed, not read, no crash.
      title: 'lists nested 100,000 deep in the condition of a middleware registration',
      main: `${APP}import os\nif os.getenv("A") == ${'['.repeat(100_000)}1${']'.repeat(100_000)}:\n    app.add_middleware(CORSMiddleware)\n`,
      served: false,
      apps: [],
      errors: ['main.py: could not be read: nested too deeply'],
    },
  ])(
    '$title',
    async ({ main, served, apps, errors }) => {
      const root = folder({
        'main.py': main,
        ...(served && { Dockerfile: 'CMD ["uvicorn", "main:app"]\n' }),
      });
      const project = await readProject(root);
      expect(project.apps.map((a) => `${a.variable} ${a.source.file}:${a.source.line}`)).toEqual(apps);
      expect(project.filesWithErrors.map((e) => `${e.file}: ${e.message}`)).toEqual(
        errors.map((listed) => expect.stringContaining(listed)),
      );
      if (served) expect(project.serveCommands?.map((c) => c.resolved?.file)).toEqual(['main.py']);
    },
    5000,
  );
});

describe('parseWithin: a parse that takes too long is given up', () => {
  it.each([
    // Found by fuzzing: tree-sitter's time grows with the square of the nesting here (100,000: three
    // minutes for 500 kB); Python refuses the file.
    {
      title: 'an import cut by a quote, then f-strings nested 40,000 deep',
      text: `import a'${'f"{'.repeat(40_000)}${'}"'.repeat(40_000)}\n`,
      parsed: false,
    },
    { title: 'a file of 20,000 assignments', text: 'x = 1\n'.repeat(20_000), parsed: true },
  ])('$title', async ({ text, parsed }) => {
    const parser = await getPythonParser();
    const tree = parseWithin(parser, text, 1000);
    expect(tree !== undefined).toBe(parsed);
    tree?.delete();
    // The next parse starts afresh, not where the cancelled one stopped.
    const next = parser.parse('y = 2\n');
    expect(next?.rootNode.toString()).toBe(
      '(module (expression_statement (assignment left: (identifier) right: (integer))))',
    );
    next?.delete();
  });
});

describe('reading project after project', () => {
  it("gives every syntax tree back (they live in the parser's WebAssembly memory, outside JavaScript's heap)", async () => {
    // Counted rather than measured: the process's memory moves with the garbage collector and the load.
    const unused = Array.from({ length: 2_000 }, (_, i) => `    x${i} = "http://h${i}.test"\n`).join('');
    const root = folder({
      'main.py': `from fastapi import FastAPI\nfrom api.routes import router\napp = FastAPI()\ndef unused():\n${unused}`,
      'api/__init__.py': '',
      'api/routes.py': 'from fastapi import APIRouter\nrouter = APIRouter()\n',
      'serve.sh': 'uvicorn main:app --port 8000\n',
    });
    const parse = vi.spyOn(Parser.prototype, 'parse');
    const remove = vi.spyOn(Tree.prototype, 'delete');
    try {
      for (let i = 0; i < 3; i++) await readProject(root);
      const made = parse.mock.results.filter((r) => r.type === 'return' && r.value).length;
      expect(made).toBeGreaterThanOrEqual(3);
      expect(remove.mock.calls.length).toBe(made);
    } finally {
      parse.mockRestore();
      remove.mockRestore();
    }
  });
});
