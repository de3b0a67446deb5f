// cors-config-not-applied: tiny projects written to a temporary folder and read as `scan` reads them. Each
// failing row names the line the fix is written on and the patch; the patch is then applied in memory and
// the same request, answered by the server model (`check --project --offline`), must be allowed by every
// browser, while the project as written is blocked.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWithSource } from '../../../../src/analysis/check-with-source.js';
import { scanProject } from '../../../../src/analysis/scan.js';
import type { Finding, SourceEdit } from '../../../../src/core/causes.js';
import type { PageFetch } from '../../../../src/core/page.js';
import { applyEdit } from '../../../../src/fix/edits.js';
import { attachPatches } from '../../../../src/fix/patches.js';
import type { HeaderList } from '../../../../src/model/types.js';
import { readProject } from '../../../../src/project/read-project.js';

const CODE = 'cors-config-not-applied';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function write(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-config-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

interface Request {
  origin: string;
  path: string;
  method?: string;
  headers?: HeaderList;
  credentials?: PageFetch['credentials'];
}

const pageOf = (r: Request): PageFetch => ({
  url: `http://127.0.0.1:8000${r.path}`,
  origin: r.origin,
  method: r.method ?? 'GET',
  headers: r.headers ?? [],
  credentials: r.credentials ?? 'same-origin',
});

async function findings(root: string, r: Request, overlay?: Map<string, string>): Promise<Finding[]> {
  const project = await readProject(root, overlay ? { overlay } : {});
  const page = pageOf(r);
  return scanProject(project, {
    origins: [r.origin],
    request: { method: page.method, headers: page.headers, credentials: page.credentials },
  }).findings.filter((f) => f.code === CODE);
}

/** `check --project --offline`: the causes joined to the source, and what each browser does. */
async function offline(root: string, r: Request, overlay?: Map<string, string>) {
  const project = await readProject(root, overlay ? { overlay } : {});
  const report = await checkWithSource(
    pageOf(r),
    { browsers: ['chrome', 'firefox'], timeoutMs: 1000 },
    project,
    {
      offline: true,
    },
  );
  return {
    allowed: ['chrome', 'firefox'].every((b) => report.browsers[b as 'chrome']?.outcome === 'allowed'),
    causes: report.causes,
  };
}

const fileOf = (e: SourceEdit): string =>
  e.kind === 'replace-text' ? e.file : e.kind === 'set-keyword' ? e.call.file : e.statement.file;

/** The project's files after the finding's edits, as an overlay. */
function applied(root: string, edits: SourceEdit[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of edits) {
    const file = fileOf(e);
    out.set(file, applyEdit(out.get(file) ?? readFileSync(join(root, file), 'utf8'), e));
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// Sources

const POSTS = `

@app.get("/posts")
def list_posts():
    return []


@app.post("/posts")
def create_post():
    return {}
`;

const MAIN_SETTINGS = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.config import settings

app = FastAPI()

app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
${POSTS}`;

const SETTINGS_V1 = (
  config: string,
  field = 'cors_origins: List[str] = ["http://localhost:8000"]',
) => `from typing import List

from pydantic import BaseSettings, Field


class Settings(BaseSettings):
    app_name: str = "Blog"
    ${field}

    class Config:
${config}


settings = Settings()
`;

const SETTINGS_V2 = `from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLOG_", env_file=".env")

    cors_origins: list[str] = ["http://localhost:8000"]


settings = Settings()
`;

const GETENV_MAIN = (read: string) => `import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

${read}

app = FastAPI()

app.add_middleware(
    CORSMiddleware,
    allow_origins=ORIGINS,
    allow_methods=["GET", "POST"],
)
${POSTS}`;

const GATED = (head: string, condition: string, orElse = '') => `import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

${head}

app = FastAPI()

if ${condition}:
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["http://localhost:3000"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
${orElse}${POSTS}`;

const COMPOSE = (environment: string) => `services:
  api:
    build: .
    command: uvicorn main:app --host 0.0.0.0
    environment:
${environment}
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
`;

const FROM_3000: Request = {
  origin: 'http://localhost:3000',
  path: '/posts',
  method: 'POST',
  headers: [['Content-Type', 'application/json']],
  credentials: 'include',
};
const PROD: Request = { ...FROM_3000, origin: 'https://blog.example.com' };

interface Case {
  name: string;
  files: Record<string, string>;
  request: Request;
  /** `file:line` the finding (and its fix) is on, then its related places. */
  at?: string[];
  message?: RegExp;
  fix?: RegExp;
  /** The unified diff of the fix; null: no patch may be offered. */
  patch?: RegExp | null;
}

const FAILING: Case[] = [
  {
    name: 'pydantic v1 env_prefix BLOG_, .env sets CORS_ORIGINS (JSON list)',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V1('        env_prefix = "BLOG_"\n        env_file = ".env"'),
      'main.py': MAIN_SETTINGS,
      '.env': 'BLOG_APP_NAME=Blog\nCORS_ORIGINS=["http://localhost:3000", "http://localhost:5173"]\n',
    },
    request: FROM_3000,
    at: ['.env:2', 'app/config.py:8', 'main.py:10'],
    message:
      /^\.env:2 sets CORS_ORIGINS, but Settings reads BLOG_CORS_ORIGINS \(env_prefix "BLOG_" goes before the field name\); BLOG_CORS_ORIGINS is set nowhere\. The process gets the default, allow_origins=\["http:\/\/localhost:8000"\] \(app\/config\.py:8\), which does not allow http:\/\/localhost:3000\.$/,
    fix: /^Rename CORS_ORIGINS to BLOG_CORS_ORIGINS at \.env:2: .*keeping http:\/\/localhost:8000, which the default allows today.*Leave the settings' default alone/,
    patch:
      /-CORS_ORIGINS=\["http:\/\/localhost:3000", "http:\/\/localhost:5173"\]\n\+BLOG_CORS_ORIGINS=\["http:\/\/localhost:3000", "http:\/\/localhost:5173", "http:\/\/localhost:8000"\]/,
  },
  {
    name: 'pydantic-settings v2 model_config env_prefix, compose environment sets CORS_ORIGINS',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V2,
      'main.py': MAIN_SETTINGS,
      'docker-compose.yml': COMPOSE('      - CORS_ORIGINS=["http://localhost:3000","http://localhost:8000"]'),
    },
    request: FROM_3000,
    at: ['docker-compose.yml:6', 'app/config.py:7', 'main.py:10'],
    message: /sets CORS_ORIGINS, but Settings reads BLOG_CORS_ORIGINS/,
    patch:
      /- {6}- CORS_ORIGINS=\["http:\/\/localhost:3000","http:\/\/localhost:8000"\]\n\+ {6}- BLOG_CORS_ORIGINS=\["http:\/\/localhost:3000","http:\/\/localhost:8000"\]/,
  },
  {
    name: 'a str field split in the code, .env sets it without the prefix: renamed, the default kept',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V1(
        '        env_prefix = "BLOG_"\n        env_file = ".env"',
        'cors_origins: str = "http://localhost:8000"',
      ),
      'main.py': MAIN_SETTINGS.replace('settings.cors_origins,', 'settings.cors_origins.split(","),'),
      '.env': 'CORS_ORIGINS=http://localhost:3000\n',
    },
    request: FROM_3000,
    at: ['.env:1', 'app/config.py:8', 'main.py:10'],
    patch:
      /-CORS_ORIGINS=http:\/\/localhost:3000\n\+BLOG_CORS_ORIGINS=http:\/\/localhost:3000,http:\/\/localhost:8000\n/,
  },
  {
    name: 'case_sensitive settings read cors_origins, .env writes CORS_ORIGINS',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V1('        case_sensitive = True\n        env_file = ".env"'),
      'main.py': MAIN_SETTINGS,
      '.env': 'CORS_ORIGINS=["http://localhost:3000","http://localhost:8000"]\n',
    },
    request: FROM_3000,
    at: ['.env:1', 'app/config.py:8', 'main.py:10'],
    message: /Settings reads cors_origins \(case_sensitive is set: the name must be written exactly so\)/,
    patch: /\+cors_origins=\["http:\/\/localhost:3000","http:\/\/localhost:8000"\]/,
  },
  {
    name: 'Field(env="ALLOWED_ORIGINS") while .env sets the prefixed field name',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V1(
        '        env_prefix = "APP_"\n        env_file = ".env"',
        'cors_origins: List[str] = Field(["http://localhost:8000"], env="ALLOWED_ORIGINS")',
      ),
      'main.py': MAIN_SETTINGS,
      '.env': 'APP_CORS_ORIGINS=["http://localhost:3000","http://localhost:8000"]\n',
    },
    request: FROM_3000,
    at: ['.env:1', 'app/config.py:8', 'main.py:10'],
    message: /Settings\.cors_origins reads ALLOWED_ORIGINS \(its alias\), not APP_CORS_ORIGINS/,
    patch: /\+ALLOWED_ORIGINS=\["http:\/\/localhost:3000","http:\/\/localhost:8000"\]/,
  },
  {
    name: 'os.getenv(...).split(",") set nowhere: a line added to .env, the default kept',
    files: {
      'main.py': GETENV_MAIN('ORIGINS = os.getenv("ALLOWED_ORIGINS", "http://localhost:8000").split(",")'),
      '.env': 'DATABASE_URL=sqlite:///./app.db\nSECRET_KEY=change-me',
    },
    request: { origin: 'http://localhost:5173', path: '/posts' },
    at: ['main.py:6', '.env:2', 'main.py:12'],
    message:
      /^ALLOWED_ORIGINS is set nowhere \(no \.env line, compose environment or Dockerfile ENV sets it\), so the code at main\.py:6 falls back to its default: allow_origins=\["http:\/\/localhost:8000"\], which does not allow http:\/\/localhost:5173\.$/,
    fix: /^Set ALLOWED_ORIGINS in \.env: ALLOWED_ORIGINS=http:\/\/localhost:8000,http:\/\/localhost:5173 /,
    // The file ends without a newline: the line is added after it all the same.
    patch: /\+SECRET_KEY=change-me\n\+ALLOWED_ORIGINS=http:\/\/localhost:8000,http:\/\/localhost:5173\n/,
  },
  {
    name: 'a settings list field set nowhere: a JSON list added to the .env the settings read',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V1('        env_file = ".env"'),
      'main.py': MAIN_SETTINGS,
      '.env': 'APP_NAME=Blog\n',
    },
    request: FROM_3000,
    at: ['app/config.py:8', '.env:1', 'main.py:10'],
    fix: /CORS_ORIGINS=\["http:\/\/localhost:8000","http:\/\/localhost:3000"\]/,
    patch: / APP_NAME=Blog\n\+CORS_ORIGINS=\["http:\/\/localhost:8000","http:\/\/localhost:3000"\]/,
  },
  {
    // pydantic-settings' env_ignore_empty (the full-stack template's settings): `CORS_ORIGINS=` is no value.
    name: 'set empty in .env while the settings ignore empty values: the value written on that line',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V2.replace(
        'env_prefix="BLOG_", env_file=".env"',
        'env_file=".env", env_ignore_empty=True',
      ),
      'main.py': MAIN_SETTINGS,
      '.env': 'APP_NAME=Blog\nCORS_ORIGINS=\nDEBUG=1\n',
    },
    request: FROM_3000,
    at: ['.env:2', 'app/config.py:7', 'main.py:10'],
    message:
      /^CORS_ORIGINS is empty at \.env:2, and the settings ignore an empty value \(env_ignore_empty\), so the code at app\/config\.py:7 falls back to its default/,
    patch: /-CORS_ORIGINS=\n\+CORS_ORIGINS=\["http:\/\/localhost:8000","http:\/\/localhost:3000"\]\n DEBUG=1/,
  },
  {
    name: 'set nowhere, no .env: added to the environment of the compose service that runs the app',
    files: {
      'main.py': GETENV_MAIN('ORIGINS = os.getenv("ALLOWED_ORIGINS", "http://localhost:8000").split(",")'),
      'docker-compose.yml': COMPOSE('      LOG_LEVEL: info'),
    },
    request: { origin: 'http://localhost:5173', path: '/posts' },
    at: ['main.py:6', 'docker-compose.yml:6', 'main.py:12'],
    fix: /in the environment of the api service in docker-compose\.yml/,
    patch: / {6}LOG_LEVEL: info\n\+ {6}ALLOWED_ORIGINS: 'http:\/\/localhost:8000,http:\/\/localhost:5173'/,
  },
  {
    name: 'a variable holding one origin whose default works today: no patch drops it',
    files: {
      'main.py': GETENV_MAIN('ORIGINS = [os.getenv("FRONTEND_URL", "http://localhost:8000")]'),
      '.env': 'SECRET_KEY=x\n',
    },
    request: { origin: 'http://localhost:5173', path: '/posts' },
    at: ['main.py:6', '.env:1', 'main.py:12'],
    fix: /FRONTEND_URL holds one origin, and http:\/\/localhost:8000 works with the default today/,
    patch: null,
  },
  {
    name: 'CORSMiddleware only if ENVIRONMENT == "development", compose sets production',
    files: {
      'main.py': GATED(
        'ENVIRONMENT = os.getenv("ENVIRONMENT", "development")',
        'ENVIRONMENT == "development"',
      ),
      'docker-compose.yml': COMPOSE('      - ENVIRONMENT=production'),
    },
    request: PROD,
    at: ['main.py:10', 'docker-compose.yml:6', 'main.py:11'],
    message:
      /^CORSMiddleware \(main\.py:11\) is registered only if ENVIRONMENT == "development" \(main\.py:10\), and the process gets ENVIRONMENT='production' \(docker-compose\.yml:6\): the app runs without CORS/,
    fix: /Do not set the variable to meet the condition/,
    patch:
      / {4}\)\n\+else:\n\+ {4}app\.add_middleware\(\n\+ {8}CORSMiddleware,\n\+ {8}allow_origins=\["https:\/\/blog\.example\.com"\],\n\+ {8}allow_credentials=True,\n\+ {8}allow_methods=\["\*"\],\n\+ {8}allow_headers=\["\*"\],\n\+ {4}\)/,
  },
  {
    name: 'if settings.DEBUG: with DEBUG=false in .env',
    files: {
      'app/__init__.py': '',
      'app/config.py':
        'from pydantic import BaseSettings\n\n\nclass Settings(BaseSettings):\n    DEBUG: bool = True\n\n    class Config:\n        env_file = ".env"\n\n\nsettings = Settings()\n',
      'main.py': GATED('from app.config import settings', 'settings.DEBUG'),
      '.env': 'DEBUG=false\n',
    },
    request: PROD,
    at: ['main.py:10', '.env:1', 'main.py:11'],
    message:
      /registered only if settings\.DEBUG \(main\.py:10\), and the process gets DEBUG=False \(\.env:1\)/,
    patch: /\+else:\n/,
  },
  {
    name: 'the image sets ENVIRONMENT=production with a Dockerfile ENV',
    files: {
      'main.py': GATED(
        'ENVIRONMENT = os.environ.get("ENVIRONMENT", "development")',
        'ENVIRONMENT != "production"',
      ),
      Dockerfile:
        'FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1 \\\n    ENVIRONMENT=production\nCOPY . .\nCMD ["uvicorn", "main:app"]\n',
    },
    request: PROD,
    at: ['main.py:10', 'Dockerfile:2', 'main.py:11'],
    message: /the process gets ENVIRONMENT='production' \(Dockerfile:2\)/,
    patch: /\+else:\n/,
  },
  {
    name: 'the if already has an else (no CORS in it): named, no patch',
    files: {
      'main.py': GATED(
        'ENVIRONMENT = os.getenv("ENVIRONMENT", "development")',
        'ENVIRONMENT == "development"',
        'else:\n    print("production")\n',
      ),
      'docker-compose.yml': COMPOSE('      - ENVIRONMENT=production'),
    },
    request: PROD,
    at: ['main.py:10', 'docker-compose.yml:6', 'main.py:11'],
    patch: null,
  },
  {
    name: 'a switch named for CORS, set nowhere: set it, no code patch',
    files: { 'main.py': GATED('CORS_ENABLED = os.getenv("CORS_ENABLED")', 'CORS_ENABLED') },
    request: FROM_3000,
    at: ['main.py:10', 'main.py:11'],
    message: /the process gets CORS_ENABLED=None \(set nowhere: the default\)/,
    fix: /^Turn the switch on where the deployment sets its environment: CORS_ENABLED=true\.$/,
    patch: null,
  },
  {
    name: 'a switch named for CORS, false in .env: set to true there',
    files: {
      'main.py': GATED('CORS_ENABLED = os.getenv("CORS_ENABLED", "") == "true"', 'CORS_ENABLED'),
      '.env': 'SECRET_KEY=x\nCORS_ENABLED=false  # on in staging\n',
    },
    request: FROM_3000,
    at: ['main.py:10', '.env:2', 'main.py:11'],
    patch: /-CORS_ENABLED=false {2}# on in staging\n\+CORS_ENABLED=true {2}# on in staging/,
  },
  {
    name: 'a switch named for CORS, set nowhere, a .env beside the code: a line added',
    files: {
      'main.py': GATED('from os import getenv\nCORS_ENABLED = getenv("CORS_ENABLED")', 'CORS_ENABLED'),
      '.env': 'SECRET_KEY=x\n',
    },
    request: FROM_3000,
    at: ['main.py:11', '.env:1', 'main.py:12'],
    patch: / SECRET_KEY=x\n\+CORS_ENABLED=true/,
  },
  {
    name: 'a setting passed to another app of the module, the served one has the list written out',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V1('        env_file = ".env"'),
      'main.py': `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.config import settings

app = FastAPI()
admin = FastAPI()
admin.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins)
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:8000"], allow_methods=["*"])
${POSTS}`,
      '.env': 'CORS_ORIGINS=["http://localhost:3000","http://localhost:8000"]\n',
    },
    request: { origin: 'http://localhost:3000', path: '/posts' },
    at: ['main.py:9', '.env:1'],
    message:
      /\.env:1 sets CORS_ORIGINS, which lists http:\/\/localhost:3000, but no CORS registration of this app reads it/,
    patch:
      /\+app\.add_middleware\(CORSMiddleware, allow_origins=settings\.cors_origins, allow_methods=\["\*"\]\)/,
  },
  {
    name: 'a setting in .env nobody reads, the list written out in the code: named, no patch',
    files: {
      'main.py': `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["http://localhost:8000"])
${POSTS}`,
      '.env': 'BACKEND_CORS_ORIGINS=http://localhost:3000,http://localhost:8000\n',
    },
    request: { origin: 'http://localhost:3000', path: '/posts' },
    at: ['main.py:5', '.env:1'],
    fix: /^Pass the setting on: allow_origins=<the setting that reads BACKEND_CORS_ORIGINS>/,
    patch: null,
  },
];

const PASSING: Case[] = [
  {
    name: 'the prefixed name is set',
    files: {
      'app/__init__.py': '',
      'app/config.py': SETTINGS_V1('        env_prefix = "BLOG_"\n        env_file = ".env"'),
      'main.py': MAIN_SETTINGS,
      '.env': 'BLOG_CORS_ORIGINS=["http://localhost:3000"]\n',
    },
    request: FROM_3000,
  },
  {
    name: 'set nowhere, but the default allows the origin',
    files: {
      'main.py': GETENV_MAIN('ORIGINS = os.getenv("ALLOWED_ORIGINS", "http://localhost:5173").split(",")'),
      '.env': 'SECRET_KEY=x\n',
    },
    request: { origin: 'http://localhost:5173', path: '/posts' },
  },
  {
    name: 'the gate holds with the value .env gives',
    files: {
      'main.py': GATED(
        'ENVIRONMENT = os.getenv("ENVIRONMENT", "production")',
        'ENVIRONMENT == "development"',
      ),
      '.env': 'ENVIRONMENT=development\n',
    },
    request: FROM_3000,
  },
  {
    name: 'a gate that cannot be decided is not guessed',
    files: { 'main.py': GATED('import sys', 'sys.argv[-1] == "dev"') },
    request: PROD,
  },
  {
    name: 'if and else both register CORS',
    files: {
      'main.py': GATED(
        'ENVIRONMENT = os.getenv("ENVIRONMENT", "development")',
        'ENVIRONMENT == "development"',
        'else:\n    app.add_middleware(CORSMiddleware, allow_origins=["https://blog.example.com"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])\n',
      ),
      'docker-compose.yml': COMPOSE('      - ENVIRONMENT=production'),
    },
    request: PROD,
  },
  {
    name: 'no CORSMiddleware at all (no-cors-middleware)',
    files: { 'main.py': `from fastapi import FastAPI\n\napp = FastAPI()\n${POSTS}` },
    request: FROM_3000,
  },
  {
    name: 'the list written out in the code, the origin only in .env.example',
    files: {
      'main.py': `from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["http://localhost:8000"])\n${POSTS}`,
      '.env.example': 'CORS_ORIGINS=http://localhost:3000\n',
    },
    request: { origin: 'http://localhost:3000', path: '/posts' },
  },
];

describe('rule cors-config-not-applied: read from source', () => {
  it.each(FAILING.map((c) => [c.name, c] as const))('names it: %s', async (_name, c) => {
    const root = write(c.files);
    const found = await findings(root, c.request);
    expect(found).toHaveLength(1);
    const f = found[0] as Finding;
    expect(f.severity).toBe('error');
    if (c.at)
      expect([`${f.file}:${f.line}`, ...(f.related ?? []).map((r) => `${r.file}:${r.line}`)]).toEqual(c.at);
    if (c.message) expect(f.message).toMatch(c.message);
    if (c.fix) expect(f.fix?.summary).toMatch(c.fix);
    const edits = f.fix?.edits ?? [];
    await attachPatches(root, [f]);
    if (c.patch === null) {
      expect(edits).toEqual([]);
      expect(f.fix?.patch).toBeUndefined();
      return;
    }
    if (c.patch) expect(f.fix?.patch).toMatch(c.patch);
    // Proven: the project as written is blocked offline, the patched one allowed, and the finding gone.
    expect((await offline(root, c.request)).allowed).toBe(false);
    const overlay = applied(root, edits);
    expect((await offline(root, c.request, overlay)).allowed).toBe(true);
    expect(await findings(root, c.request, overlay)).toEqual([]);
  });
  it.each(PASSING.map((c) => [c.name, c] as const))('does not name it: %s', async (_name, c) => {
    expect(await findings(write(c.files), c.request)).toEqual([]);
  });
});

describe('rule cors-config-not-applied: check --project joins it to what the browser sees', () => {
  const named = (name: string): Case => FAILING.find((c) => c.name.startsWith(name)) as Case;
  it.each([
    ['origin-not-allowed', 'pydantic v1 env_prefix', '.env:2'],
    ['origin-not-allowed', 'os.getenv(...).split', 'main.py:6'],
    ['no-cors-middleware', 'CORSMiddleware only if ENVIRONMENT', 'main.py:10'],
  ] as const)('%s is explained by it: %s', async (symptom, name, first) => {
    const c = named(name);
    const { causes } = await offline(write(c.files), c.request);
    expect(causes.map((x) => x.code)).toEqual([symptom, CODE]);
    const root = causes[1];
    expect(root?.locations[0]).toEqual({ file: first.split(':')[0], line: Number(first.split(':')[1]) });
    expect(root?.confirmedBy).toBe('the server model and source');
  });
  it('the server model leaves out a registration whose condition does not hold, and says why', async () => {
    const c = named('CORSMiddleware only if ENVIRONMENT');
    const project = await readProject(write(c.files));
    const report = await checkWithSource(
      pageOf(c.request),
      { browsers: ['chrome'], timeoutMs: 1000 },
      project,
      {
        offline: true,
      },
    );
    const preflight = report.exchanges.find((x) => x.kind === 'preflight');
    expect(preflight?.response?.status).toBe(405);
    expect(preflight?.predicted?.assumptions).toContain(
      `CORSMiddleware at main.py:11 is not registered: ENVIRONMENT == "development" is false with ENVIRONMENT='production' (docker-compose.yml:6) (main.py:10)`,
    );
  });
});
