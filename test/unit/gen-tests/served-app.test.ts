// What the generated test imports and from where, read from real project folders: the serve command's
// `module:attribute` and folder, else the app the Python reader found; nginx in front; routes.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPageFetch } from '../../../src/core/page.js';
import { proxyInFront, routeServes, servedApp } from '../../../src/gen-tests/served-app.js';
import { readProject } from '../../../src/project/read-project.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function folder(files: Record<string, string | undefined>): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-gen-tests-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    if (text === undefined) continue;
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const APP = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:3000"])


@app.get("/items")
def items():
    return []
`;

const WRAPPED = `${APP}

application = CORSMiddleware(app, allow_origins=["http://localhost:3000"])
`;

const FACTORY = `from fastapi import FastAPI


def create_app():
    app = FastAPI()

    @app.get("/items")
    def items():
        return []

    return app
`;

async function served(root: string, url = 'http://localhost:8000/items') {
  const project = await readProject(root);
  return servedApp(project, url, (dir) => existsSync(join(root, dir, '__init__.py')));
}

describe('servedApp', () => {
  it.each([
    {
      title: 'no serve command: the app the reader found, as `main:app` from the root',
      files: { 'main.py': APP },
      expected: { module: 'main', attribute: 'app', factory: false, importDir: '', runDir: '' },
      foundBy: /^the app at main\.py:4 /,
    },
    {
      title: 'no serve command, a package: imported from the first folder above that is no package',
      files: { 'backend/app/__init__.py': '', 'backend/app/main.py': APP },
      expected: {
        module: 'app.main',
        attribute: 'app',
        factory: false,
        importDir: 'backend',
        runDir: 'backend',
      },
      foundBy: /^the app at backend\/app\/main\.py:4 /,
    },
    {
      title: 'a Dockerfile serving the wrapper: `main:application`, what uvicorn serves',
      files: { 'main.py': WRAPPED, Dockerfile: 'FROM python:3.12\nCMD ["uvicorn", "main:application"]\n' },
      expected: { module: 'main', attribute: 'application', factory: false, importDir: '', runDir: '' },
      foundBy: /^`CMD \["uvicorn", "main:application"\]` \(Dockerfile:2\)$/,
    },
    {
      title: 'compose in the project root serving a package module',
      files: {
        'app/__init__.py': '',
        'app/main.py': APP,
        'docker-compose.yml': 'services:\n  api:\n    build: .\n    command: uvicorn app.main:app --reload\n',
      },
      expected: { module: 'app.main', attribute: 'app', factory: false, importDir: '', runDir: '' },
      foundBy: /\(docker-compose\.yml:4\)$/,
    },
    {
      title: '--app-dir src: imported from src, run from the folder above',
      files: { 'src/main.py': APP, Procfile: 'web: uvicorn main:app --app-dir src --port $PORT\n' },
      expected: { module: 'main', attribute: 'app', factory: false, importDir: 'src', runDir: '' },
      foundBy: /\(Procfile:1\)$/,
    },
    {
      title: 'cd backend && uvicorn: imported from and run in backend',
      files: {
        'backend/main.py': APP,
        'start.sh': '#!/bin/sh\ncd backend && uvicorn main:app --port 8000\n',
      },
      expected: { module: 'main', attribute: 'app', factory: false, importDir: 'backend', runDir: 'backend' },
      foundBy: /\(start\.sh:2\)$/,
    },
    {
      title: 'a factory: called to make the app',
      files: { 'main.py': FACTORY, Dockerfile: 'CMD uvicorn main:create_app --factory\n' },
      expected: { module: 'main', attribute: 'create_app', factory: true, importDir: '', runDir: '' },
      foundBy: /\(Dockerfile:1\)$/,
    },
  ])('$title', async ({ files, expected, foundBy }) => {
    const found = await served(folder(files));
    expect(found).toMatchObject(expected);
    expect(found?.foundBy).toMatch(foundBy);
  });

  it('a project without an app: nothing to serve', async () => {
    expect(
      await served(folder({ 'README.md': '# nothing here\n', 'tool.py': 'print("hi")\n' })),
    ).toBeUndefined();
  });

  it.each([
    ['test/fixtures/broken/served-wrapper-object', 'http://localhost:8000/products', 'main:application'],
    ['test/fixtures/fastapi/env-origins-spaces', 'http://localhost:8000/items', 'main:app'],
    ['examples/correct', 'http://localhost:8000/items', 'main:app'],
  ])('%s serves %s with %s', async (root, url, target) => {
    if (!existsSync(root)) return expect.fail(`${root} is missing`);
    const found = await served(root, url);
    expect(`${found?.module}:${found?.attribute}`).toBe(target);
  });
});

describe('proxyInFront', () => {
  it.each([
    {
      title: 'a prefix location with a proxy_pass URI: nginx strips the prefix',
      conf: 'events {}\nhttp {\n  server {\n    listen 8080;\n    location /api/ {\n      proxy_pass http://127.0.0.1:8000/;\n    }\n  }\n}\n',
      url: 'http://localhost:8080/api/items',
      upstream: 'http://127.0.0.1:8000/items',
    },
    {
      title: 'proxy_pass without a URI: the path is passed as it is',
      conf: 'events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      proxy_pass http://app:8000;\n    }\n  }\n}\n',
      url: 'http://localhost:8080/items',
      upstream: 'http://app:8000/items',
    },
    {
      title: 'a URL on another port than nginx listens on: no proxy in front',
      conf: 'events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      proxy_pass http://app:8000;\n    }\n  }\n}\n',
      url: 'http://localhost:8000/items',
      upstream: undefined,
    },
  ])('$title', async ({ conf, url, upstream }) => {
    const root = folder({ 'main.py': APP, 'nginx.conf': conf });
    const found = proxyInFront(
      await readProject(root),
      buildPageFetch({ url, origin: 'http://localhost:3000' }),
    );
    if (upstream === undefined) expect(found).toBeUndefined();
    else expect(found).toMatchObject({ config: { file: 'nginx.conf' }, upstreamUrl: upstream });
  });
});

describe('routeServes', () => {
  it.each([
    ['http://localhost:8000/items', true],
    ['http://localhost:8000/items/', true], // redirect_slashes answers it with a redirect to /items
    ['http://localhost:8000/nothing', false],
  ])('%s: %s', async (url, expected) => {
    const project = await readProject(folder({ 'main.py': APP }));
    expect(routeServes(project.apps[0] as NonNullable<(typeof project.apps)[0]>, url)).toBe(expected);
  });
});
