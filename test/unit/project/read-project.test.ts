// The one project reader on real folders: apps, proxy configurations and serve commands from one walk.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject } from '../../../src/analysis/scan.js';
import { readProject } from '../../../src/project/read-project.js';

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
