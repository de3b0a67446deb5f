// Random but plausible FastAPI/Starlette projects: an app module with CORSMiddleware registered in random
// argument shapes, a settings module, a .env, and the files that start the server. Grammar-aware: most of
// what comes out parses, so the reader's and the evaluator's deeper paths run.
import type { Random } from './kit.js';

const ORIGINS = [
  'http://localhost:3000',
  'http://localhost:5173/',
  'https://example.com',
  'HTTPS://Example.COM:443',
  '*',
  '',
  'null',
  'http://127.0.0.1:8000',
  'https://*.example.com',
  'localhost:3000',
  'http://[::1]:3000',
  'http://ex ample.com',
  'http://例え.jp',
  'https://a.test,https://b.test',
  '["http://a.test", "http://b.test"]',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', '*', 'get', 'HEAD', 'PURGE', ''];
const HEADERS = ['Authorization', 'Content-Type', '*', 'X-Requested-With', 'content-type', 'Accept', ''];
const ENV_NAMES = [
  'ORIGINS',
  'CORS_ORIGINS',
  'BACKEND_CORS_ORIGINS',
  'FRONTEND_URL',
  'ENV',
  'APP_ORIGINS',
  'DEBUG',
];
const NAMES = [
  'ORIGINS',
  'origins',
  'allowed',
  'settings',
  'config',
  'CORS',
  'undefined_name',
  'app',
  'os',
  'x',
];
const CORS_OPTIONS = [
  'allow_origins',
  'allow_origin_regex',
  'allow_methods',
  'allow_headers',
  'allow_credentials',
  'expose_headers',
  'max_age',
  'allow_private_network',
  'allow_origin',
  'unknown_option',
];
const MIDDLEWARE = [
  'CORSMiddleware',
  'CORSMiddleware',
  'CORSMiddleware',
  'TrustedHostMiddleware',
  'GZipMiddleware',
  'HTTPSRedirectMiddleware',
  'SessionMiddleware',
  'AuthMiddleware',
  'BaseHTTPMiddleware',
  'cors.CORSMiddleware',
  'None',
  'undefined_middleware',
  'Middleware',
];

const q = (random: Random, s: string): string => {
  const style = random.pick(['"', '"', "'", '"""', "r'", 'f"', 'b"', 'u"']);
  const esc = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'").replace(/\n/g, '\\n');
  if (style === '"""') return `"""${esc}"""`;
  if (style === "r'") return `r'${esc}'`;
  if (style.length === 2) return `${style}${esc}"`;
  return `${style}${esc}${style}`;
};

/** A Python expression, `depth` levels deep at most. */
export function expr(random: Random, depth: number): string {
  const leaf = (): string =>
    random.pick([
      () => q(random, random.pick(ORIGINS)),
      () => q(random, random.pick(METHODS)),
      () => q(random, random.pick(HEADERS)),
      () => String(random.pick([0, 1, -1, 600, 86400, 10 ** 9, 2 ** 63])),
      () => random.pick(['1e309', '0x10', '1_000', '3.5', '-0.0', '10**9', '2**64', '1j']),
      () => random.pick(['True', 'False', 'None', '...']),
      () => random.pick(NAMES),
      () =>
        `os.getenv(${q(random, random.pick(ENV_NAMES))}${random.chance(0.6) ? `, ${expr(random, 0)}` : ''})`,
      () => `os.environ[${q(random, random.pick(ENV_NAMES))}]`,
      () => `os.environ.get(${q(random, random.pick(ENV_NAMES))}, ${q(random, random.pick(ORIGINS))})`,
      () =>
        `settings.${random.pick(['ORIGINS', 'BACKEND_CORS_ORIGINS', 'all_cors_origins', 'DEBUG', 'missing'])}`,
      () => `f"http://{${random.pick(NAMES)}}:{${random.pick(['PORT', '3000', 'port + 1'])}}"`,
    ])();
  if (depth <= 0 || random.chance(0.3)) return leaf();
  const sub = () => expr(random, depth - 1);
  const items = () => Array.from({ length: random.skewed(6) }, sub).join(', ');
  return random.pick([
    () => `[${items()}]`,
    () => `(${items() || sub()},)`,
    () => `{${items() || sub()}}`,
    () => `{${q(random, 'k')}: ${sub()}, **${random.pick(NAMES)}}`,
    () => `[o.strip() for o in (${sub()}).split(${q(random, ',')}) if o]`,
    () => `[str(o).rstrip("/") for o in ${sub()}]`,
    () => `${sub()} + ${sub()}`,
    () => `${sub()} * ${random.pick(['2', '0', '-1', '10**6', '10**12', '2**40', sub()])}`,
    () => `${sub()} if ${sub()} else ${sub()}`,
    () => `${sub()} or ${sub()}`,
    () => `${sub()} and ${sub()}`,
    () => `not ${sub()}`,
    () => `(${sub()}).split(${random.chance(0.5) ? q(random, ',') : ''})`,
    () => `(${sub()}).strip(${random.chance(0.5) ? q(random, '/') : ''})`,
    () => `${q(random, ',')}.join(${sub()})`,
    () => `(${sub()})[${random.pick(['0', '-1', '1:', '::-1', '10**9', 'None', '"k"'])}]`,
    () =>
      `${random.pick(['list', 'tuple', 'set', 'sorted', 'str', 'len', 'bool', 'int', 'json.loads', 'range', 'reversed'])}(${sub()})`,
    () => `list(map(str.strip, ${sub()}))`,
    () => `(lambda v: ${sub()})(${sub()})`,
    () => `${random.pick(['get_origins', 'build', 'Settings', 'create_app', 'recurse'])}(${items()})`,
    () => `Settings().${random.pick(['ORIGINS', 'origins', 'all_cors_origins'])}`,
    () => `[*${sub()}]`,
    () => `[${sub()} for _ in range(${random.pick(['3', '10**7', '10**12', sub()])})]`,
    () => `{o: o for o in ${sub()}}`,
    () => `(tmp := ${sub()})`,
  ])();
}

/** Arguments of a middleware call in a random shape: positional, keyword, repeated, unpacked. */
/** A value as people write it for a CORS option: lists of origins, the environment, settings. */
function plausible(random: Random, option: string): string {
  const list = (items: readonly string[]) =>
    `[${random
      .some(items, 0.4)
      .map((o) => q(random, o))
      .join(', ')}]`;
  switch (option) {
    case 'allow_origins':
      return random.pick([
        () => list(ORIGINS),
        () => 'ORIGINS',
        () =>
          `os.getenv(${q(random, random.pick(ENV_NAMES))}, ${q(random, random.pick(ORIGINS))}).split(",")`,
        () => `[o.strip() for o in os.environ.get(${q(random, random.pick(ENV_NAMES))}, "").split(",") if o]`,
        () => `settings.${random.pick(['BACKEND_CORS_ORIGINS', 'all_cors_origins', 'ORIGINS'])}`,
        () => `json.loads(os.getenv("ORIGINS", "[]"))`,
        () => '["*"]',
      ])();
    case 'allow_methods':
      return random.pick([() => list(METHODS), () => '["*"]', () => q(random, 'GET,POST')])();
    case 'allow_headers':
    case 'expose_headers':
      return random.pick([() => list(HEADERS), () => '["*"]', () => '[]'])();
    case 'allow_credentials':
    case 'allow_private_network':
      return random.pick(['True', 'False', 'settings.DEBUG', 'os.getenv("CREDENTIALS") == "1"']);
    case 'allow_origin_regex':
      return q(random, random.pick(['https://.*\\.example\\.com', 'http://localhost:\\d+', '(', '.*']));
    case 'max_age':
      return random.pick(['600', '0', '-1', '"600"', '86400 * 365']);
    default:
      return expr(random, 1);
  }
}

/** Arguments of a middleware call in a random shape: positional, keyword, repeated, unpacked. */
function args(random: Random, cls: string): string {
  const parts: string[] = [];
  if (cls && random.chance(0.9)) parts.push(cls);
  for (let k = random.skewed(7); k > 0; k--) {
    const shape = random.int(12);
    const option = random.pick(CORS_OPTIONS);
    if (shape < 6) parts.push(`${option}=${plausible(random, option)}`);
    else if (shape < 9) parts.push(`${option}=${expr(random, random.int(3))}`);
    else if (shape === 9)
      parts.push(
        `**${random.pick(['CORS', 'kwargs', 'settings.cors', '{"allow_origins": ["*"]}', 'dict(allow_origins=ORIGINS)'])}`,
      );
    else if (shape === 10) parts.push(`*${random.pick(['ARGS', '[]', 'ORIGINS'])}`);
    else parts.push(expr(random, 1));
  }
  return parts.join(random.pick([', ', ', ', ',\n    ', ',', ' ,  ']));
}

function middlewareLine(random: Random, app: string): string {
  const cls = random.pick(MIDDLEWARE);
  const roll = random.int(20);
  if (roll < 10) return `${app}.add_middleware(${args(random, cls)})`;
  if (roll < 14) return `${app}.add_middleware(\n    ${args(random, cls)},\n)`;
  if (roll < 17) return `${app} = ${cls}(${[app, args(random, '')].filter(Boolean).join(', ')})`;
  if (roll < 19) return `${app}.user_middleware.insert(0, Middleware(${args(random, cls)}))`;
  // Calls Starlette would refuse, or that are not finished.
  return `${app}.add_middleware(${random.pick(['', 'CORSMiddleware, allow_origins=', '*MW', 'cls=CORSMiddleware'])})`;
}

function appCreation(random: Random, app: string): string {
  const ctor = random.pick(['FastAPI', 'FastAPI', 'Starlette', 'F', 'fastapi.FastAPI', 'APIRouter', 'make']);
  const parts: string[] = [];
  if (random.chance(0.4))
    parts.push(
      `middleware=[${Array.from({ length: random.between(0, 3) }, () => `Middleware(${args(random, random.pick(MIDDLEWARE))})`).join(', ')}]`,
    );
  if (random.chance(0.3)) parts.push(`title=${q(random, 'api')}`);
  if (random.chance(0.2)) parts.push(`root_path=${q(random, random.pick(['/api', '', '//']))}`);
  if (random.chance(0.2)) parts.push(`debug=${random.pick(['True', 'settings.DEBUG'])}`);
  if (random.chance(0.1)) parts.push(`**${random.pick(['KW', 'settings.app_kwargs'])}`);
  return `${app} = ${ctor}(${parts.join(', ')})`;
}

function route(random: Random, app: string): string {
  const verb = random.pick([
    'get',
    'post',
    'put',
    'delete',
    'options',
    'api_route',
    'route',
    'head',
    'websocket',
  ]);
  const path = random.pick([
    '/',
    '/items',
    '/items/',
    '/items/{id}',
    '/{path:path}',
    '',
    'items',
    '/a b',
    '/ü',
  ]);
  const extra = verb === 'api_route' || verb === 'route' ? `, methods=${expr(random, 1)}` : '';
  const body = random.pick([
    'return {"ok": True}',
    'return Response(status_code=204)',
    'raise HTTPException(status_code=401)',
    'return JSONResponse({"a": 1}, headers={"Access-Control-Allow-Origin": "*"})',
    'return RedirectResponse("/elsewhere")',
    'pass',
  ]);
  return `@${app}.${verb}(${q(random, path)}${extra})\n${random.pick(['async def', 'def'])} handler_${random.int(1000)}(${random.pick(['', 'request: Request', 'id: int', 'user=Depends(auth)', 'authorization: str = Header(None)'])}):\n    ${body}`;
}

function httpMiddleware(random: Random, app: string): string {
  const check = random.pick([
    'if request.method == "OPTIONS":\n        return Response(status_code=200)',
    'if "authorization" not in request.headers:\n        return JSONResponse({"detail": "no"}, status_code=401)',
    'if not request.headers.get("x-token"):\n        raise HTTPException(status_code=403)',
    'response = await call_next(request)\n    response.headers["Access-Control-Allow-Origin"] = "*"\n    return response',
    'pass',
  ]);
  return `@${app}.middleware(${q(random, random.pick(['http', 'https', '']))})\nasync def mw_${random.int(100)}(request, call_next):\n    ${check}\n    return await call_next(request)`;
}

function settingsClass(random: Random): string {
  const fields = Array.from({ length: random.between(0, 5) }, () => {
    const name = random.pick(ENV_NAMES);
    const type = random.pick([
      'list[str]',
      'str',
      'List[AnyHttpUrl]',
      'bool',
      'int',
      'Annotated[list[AnyUrl] | str, BeforeValidator(parse_cors)]',
      'Union[str, List[str]]',
      '',
    ]);
    return `    ${name}${type ? `: ${type}` : ''} = ${random.chance(0.2) ? `Field(${expr(random, 1)}, env=${q(random, random.pick(ENV_NAMES))})` : expr(random, 2)}`;
  });
  const config = random.pick([
    `    model_config = SettingsConfigDict(env_file=${q(random, random.pick(['.env', '../.env', '.env.prod', '/etc/x', '']))}, env_prefix=${q(random, random.pick(['', 'APP_', 'app_']))}, case_sensitive=${random.pick(['True', 'False'])})`,
    `    class Config:\n        env_file = ${q(random, '.env')}\n        case_sensitive = ${random.pick(['True', 'False'])}`,
    '',
  ]);
  const extra = random.pick([
    '',
    `    @property\n    def all_cors_origins(self) -> list[str]:\n        return ${expr(random, 2)}`,
    `    @field_validator(${q(random, random.pick(ENV_NAMES))}, mode="before")\n    @classmethod\n    def split(cls, v):\n        return ${expr(random, 2)}`,
  ]);
  return `class Settings(${random.pick(['BaseSettings', 'BaseModel', 'Settings', 'object', ''])}):\n${[config, ...fields, extra].filter(Boolean).join('\n') || '    pass'}\n\nsettings = Settings()`;
}

function helper(random: Random): string {
  return random.pick([
    () => `def get_origins():\n    return ${expr(random, 2)}`,
    () => `def recurse(x=None):\n    return recurse(x)`,
    () =>
      `def build(*a, **k):\n    if ${expr(random, 1)}:\n        return ${expr(random, 2)}\n    return build(*a)`,
    () => `def create_app():\n    app = FastAPI()\n    ${middlewareLine(random, 'app')}\n    return app`,
    () => `${random.pick(NAMES)} = ${expr(random, 3)}`,
    () => `${random.pick(NAMES)} += ${expr(random, 2)}`,
    () => `${random.pick(NAMES)}: list[str] = ${expr(random, 2)}`,
    () => `a, b = ${random.pick(NAMES)}, ${random.pick(NAMES)}`,
    () => `${random.pick(NAMES)} = ${random.pick(NAMES)}`,
    () => `global ${random.pick(NAMES)}`,
    () => `del ${random.pick(NAMES)}`,
    () => `for o in ${expr(random, 1)}:\n    ORIGINS.append(o)`,
    () => `while True:\n    ORIGINS = ORIGINS + ORIGINS`,
    () => `try:\n    ORIGINS = ${expr(random, 1)}\nexcept Exception:\n    ORIGINS = []`,
    () => `if ${expr(random, 1)}:\n    ${middlewareLine(random, 'app')}\nelse:\n    pass`,
    () => `CORS = dict(${args(random, '')})`,
  ])();
}

const IMPORTS = [
  'import os',
  'import json',
  'from fastapi import FastAPI, Request, Response, HTTPException, Depends, Header, APIRouter',
  'from fastapi import FastAPI as F',
  'import fastapi',
  'from fastapi.middleware.cors import CORSMiddleware',
  'from starlette.middleware.cors import CORSMiddleware',
  'from starlette.middleware import Middleware',
  'from starlette.applications import Starlette',
  'from starlette.middleware.trustedhost import TrustedHostMiddleware',
  'from starlette.middleware.gzip import GZipMiddleware',
  'from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware',
  'from starlette.responses import JSONResponse, RedirectResponse',
  'from pydantic_settings import BaseSettings, SettingsConfigDict',
  'from pydantic import AnyHttpUrl, AnyUrl, Field, field_validator, BeforeValidator',
  'from typing import List, Union, Annotated',
  'from settings import settings',
  'from settings import *',
  'from .settings import settings',
  'from main import app',
  'import settings as config',
  'from app.core.config import settings',
  'import fastapi.middleware.cors as cors',
];

/** A module: imports, helpers, the app, its middleware, routes and HTTP middleware, in a random order. */
export function pythonModule(random: Random, withApp: boolean): string {
  const app = random.pick(['app', 'app', 'application', 'api', 'server']);
  const out: string[] = random.some(IMPORTS, 0.45);
  if (random.chance(0.8)) out.unshift('import os\nimport json');
  if (random.chance(0.85))
    out.unshift(
      random.pick([
        'from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware',
        'from starlette.applications import Starlette\nfrom starlette.middleware import Middleware\nfrom starlette.middleware.cors import CORSMiddleware',
        'import fastapi\nfrom fastapi import FastAPI as F\nfrom starlette.middleware.cors import CORSMiddleware',
      ]),
    );
  if (random.chance(0.7)) out.push(`ORIGINS = ${plausible(random, 'allow_origins')}`);
  if (random.chance(0.3))
    out.push(`CORS = dict(allow_origins=ORIGINS, allow_credentials=${random.pick(['True', 'False'])})`);
  for (let k = random.skewed(4); k > 0; k--) out.push(helper(random));
  if (random.chance(0.25)) out.push(settingsClass(random));
  if (withApp) {
    out.push(appCreation(random, app));
    const body: string[] = [];
    for (let k = random.between(0, 4); k > 0; k--) body.push(middlewareLine(random, app));
    for (let k = random.skewed(3); k > 0; k--) body.push(route(random, app));
    if (random.chance(0.3)) body.push(httpMiddleware(random, app));
    if (random.chance(0.15)) body.push(`${app}.include_router(router, prefix=${q(random, '/api')})`);
    if (random.chance(0.1))
      body.push(
        `${app}.mount(${q(random, '/sub')}, ${random.pick(['sub', app, 'StaticFiles(directory="s")'])})`,
      );
    if (random.chance(0.15))
      body.push(
        `@${app}.exception_handler(${random.pick(['500', 'Exception', 'HTTPException', '404'])})\nasync def on_error(request, exc):\n    return JSONResponse({}, status_code=500)`,
      );
    if (random.chance(0.15))
      body.push(
        `if __name__ == "__main__":\n    import uvicorn\n    uvicorn.run(${random.pick([app, `"main:${app}"`, '"main:nothing"'])}, port=${random.pick(['8000', '"x"', '-1', 'PORT'])})`,
      );
    out.push(...body);
  }
  // Shuffle a little: definitions after their use, as real files sometimes have them.
  for (let k = random.skewed(3); k > 0; k--) {
    const i = random.int(out.length);
    const j = random.int(out.length);
    [out[i], out[j]] = [out[j] as string, out[i] as string];
  }
  return `${out.join(random.chance(0.8) ? '\n\n' : '\n')}\n`;
}

export function dotenv(random: Random): string {
  const lines = Array.from({ length: random.between(0, 6) }, () => {
    const name = random.pick(ENV_NAMES);
    const value = random.pick([
      random.pick(ORIGINS),
      `"${random.pick(ORIGINS)}"`,
      `'${random.pick(ORIGINS)},${random.pick(ORIGINS)}'`,
      '["http://a.test","http://b.test"]',
      `$\{OTHER}`,
      '"multi\nline"',
      '',
      'value # comment',
    ]);
    return `${random.pick(['', '', 'export ', '  '])}${name}${random.pick(['=', '=', ' = ', ':'])}${value}`;
  });
  return `${lines.join('\n')}\n`;
}

export function compose(random: Random): string {
  const env = Array.from(
    { length: random.between(0, 3) },
    () => `      - ${random.pick(ENV_NAMES)}=${random.pick(ORIGINS)}${random.chance(0.3) ? `$\{X:-d}` : ''}`,
  );
  return `services:\n  api:\n    build: .\n    command: uvicorn main:${random.pick(['app', 'api', 'create_app'])} --port ${random.pick(['8000', '80', 'x'])}\n${random.chance(0.5) ? '    env_file: .env\n' : ''}    environment:\n${env.join('\n')}\n`;
}

export function dockerfile(random: Random): string {
  return `FROM python:3.12\nENV ${random.pick(ENV_NAMES)}=${random.pick(ORIGINS)}\nENV ${random.pick(ENV_NAMES)} ${random.pick(ORIGINS)}\nCMD ${random.pick(['["uvicorn", "main:app", "--host", "0.0.0.0"]', 'uvicorn main:app --port 8000', '["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "main:app"]', '[', ''])}\n`;
}

export function requirements(random: Random): string {
  return `${random.pick(['fastapi', 'FastAPI[all]', 'starlette', 'fastapi-slim'])}${random.pick(['==0.115.0', '>=0.100,<1', '~=0.27', '==', '', '==0.*', '===x'])}\n${random.pick(['uvicorn', 'starlette==0.40.0', '-r other.txt', '# c', ''])}\n`;
}

/** A generated project: relative path -> text. */
export function pythonProject(random: Random): Record<string, string> {
  const files: Record<string, string> = { 'main.py': pythonModule(random, true) };
  if (random.chance(0.5)) files['settings.py'] = pythonModule(random, false);
  if (random.chance(0.2)) files['app/__init__.py'] = '';
  if (random.chance(0.2)) files['app/core/config.py'] = pythonModule(random, false);
  if (random.chance(0.5)) files['.env'] = dotenv(random);
  if (random.chance(0.2)) files['docker-compose.yml'] = compose(random);
  if (random.chance(0.2)) files.Dockerfile = dockerfile(random);
  if (random.chance(0.3)) files['requirements.txt'] = requirements(random);
  return files;
}
