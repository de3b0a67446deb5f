// The commands that serve an app, as people write them: Dockerfiles, compose, Procfiles, scripts, platform
// files, gunicorn configuration, pyproject tasks and Python calls; and files that serve nothing.
import { describe, expect, it } from 'vitest';
import { moduleBindings } from '../../../src/project/module-bindings.js';
import {
  findServeCommands,
  isServeFile,
  moduleFile,
  moduleOfPath,
  resolveServeCommands,
  type ServeCommand,
} from '../../../src/project/serve-commands.js';
import { getPythonParser } from '../../../src/python/parser.js';

type Expected = Partial<ServeCommand>;

// Each row: a file, its text, and the commands it holds (fields that must match, in order).
const SERVING: Array<[string, string, string, Expected[]]> = [
  [
    'Dockerfile, exec form',
    'Dockerfile',
    'FROM python:3.12-slim\nWORKDIR /code\nCOPY ./app /code/app\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "80"]\n',
    [
      {
        line: 4,
        server: 'uvicorn',
        module: 'app.main',
        attribute: 'app',
        text: 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "80"]',
        target: { line: 4, text: 'app.main:app' },
      },
    ],
  ],
  [
    'Dockerfile, shell form continued with backslashes',
    'Dockerfile',
    'FROM python:3.12\nCMD uvicorn main:app \\\n    --host 0.0.0.0 \\\n    --port 8000\n',
    [
      {
        line: 2,
        module: 'main',
        attribute: 'app',
        text: 'CMD uvicorn main:app --host 0.0.0.0 --port 8000',
        target: { line: 2, text: 'main:app' },
      },
    ],
  ],
  [
    'Dockerfile, the target on a continuation line',
    'Dockerfile',
    'CMD ["uvicorn", \\\n     "src.api:application", "--proxy-headers"]\n',
    [
      {
        line: 1,
        module: 'src.api',
        attribute: 'application',
        target: { line: 2, text: 'src.api:application' },
      },
    ],
  ],
  [
    'Dockerfile, python -m uvicorn',
    'Dockerfile',
    'CMD ["python", "-m", "uvicorn", "main:app", "--host", "0.0.0.0"]\n',
    [{ server: 'uvicorn', module: 'main', attribute: 'app' }],
  ],
  [
    'Dockerfile, sh -c with a migration first',
    'Dockerfile.prod',
    'CMD ["sh", "-c", "alembic upgrade head && uvicorn app.main:app --host 0.0.0.0 --port $PORT"]\n',
    [{ server: 'uvicorn', module: 'app.main', attribute: 'app', target: { line: 1, text: 'app.main:app' } }],
  ],
  [
    'Dockerfile, gunicorn with the uvicorn worker and a bind address',
    'backend.dockerfile',
    'ENTRYPOINT ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-b", "0.0.0.0:80", "main:app"]\n',
    [{ server: 'gunicorn', module: 'main', attribute: 'app' }],
  ],
  [
    'Dockerfile, fastapi run with a path',
    'Dockerfile',
    'CMD ["fastapi", "run", "app/main.py", "--port", "80"]\n',
    [{ server: 'fastapi', module: 'app.main', attribute: 'app', target: undefined }],
  ],
  [
    'Dockerfile, fastapi run --app',
    'Dockerfile',
    'CMD fastapi run src/main.py --app api --proxy-headers\n',
    [{ server: 'fastapi', module: 'src.main', attribute: 'api', target: { line: 1, text: '--app api' } }],
  ],
  [
    'Dockerfile, hypercorn',
    'Dockerfile',
    'CMD ["hypercorn", "app.main:app", "--bind", "0.0.0.0:8000"]\n',
    [{ server: 'hypercorn', module: 'app.main', attribute: 'app' }],
  ],
  [
    'Procfile, gunicorn on Heroku',
    'Procfile',
    'release: alembic upgrade head\nweb: gunicorn -w 4 -k uvicorn.workers.UvicornWorker main:app --bind 0.0.0.0:$PORT\n',
    [
      {
        line: 2,
        server: 'gunicorn',
        module: 'main',
        attribute: 'app',
        target: { line: 2, text: 'main:app' },
      },
    ],
  ],
  [
    'Procfile, daphne',
    'Procfile',
    'web: daphne -b 0.0.0.0 -p $PORT project.asgi:application\n',
    [{ server: 'daphne', module: 'project.asgi', attribute: 'application' }],
  ],
  [
    'compose, command as a string',
    'docker-compose.yml',
    'services:\n  api:\n    build: ./backend\n    command: uvicorn app.main:app --reload --host 0.0.0.0\n    ports:\n      - "8000:8000"\n',
    [
      {
        line: 4,
        module: 'app.main',
        attribute: 'app',
        text: 'command: uvicorn app.main:app --reload --host 0.0.0.0',
      },
    ],
  ],
  [
    'compose, command as a flow list with --app-dir',
    'compose.yaml',
    'services:\n  api:\n    command: ["python", "-m", "uvicorn", "main:application", "--app-dir", "src"]\n',
    [
      {
        module: 'main',
        attribute: 'application',
        appDir: 'src',
        target: { line: 3, text: 'main:application' },
      },
    ],
  ],
  [
    'compose, command as a block list',
    'docker-compose.prod.yaml',
    'services:\n  api:\n    command:\n      - uvicorn\n      - "app.main:app"\n      - --host\n      - 0.0.0.0\n    ports:\n      - "8000:8000"\n',
    [{ line: 3, module: 'app.main', attribute: 'app', target: { line: 5, text: 'app.main:app' } }],
  ],
  [
    'compose, a folded block scalar with sh -c',
    'docker-compose.yml',
    'services:\n  web:\n    command: >\n      sh -c "python manage.py migrate &&\n             gunicorn config.asgi:application -k uvicorn.workers.UvicornWorker"\n',
    [
      {
        line: 3,
        server: 'gunicorn',
        module: 'config.asgi',
        attribute: 'application',
        target: { line: 5, text: 'config.asgi:application' },
      },
    ],
  ],
  [
    'a start script: cd, exec, --factory',
    'scripts/start.sh',
    '#!/bin/sh\nset -e\ncd backend && exec uvicorn app.main:create_app --factory --host 0.0.0.0\n',
    [{ line: 3, module: 'app.main', attribute: 'create_app', factory: true, appDir: 'backend' }],
  ],
  [
    'an entrypoint script: gunicorn calling a factory',
    'docker/entrypoint.sh',
    '#!/bin/bash\nexec gunicorn "app.main:create_app()" --worker-class uvicorn.workers.UvicornWorker\n',
    [{ server: 'gunicorn', module: 'app.main', attribute: 'create_app', factory: true }],
  ],
  [
    'a script: PYTHONPATH= before the server',
    'run.sh',
    'PYTHONPATH=src uvicorn main:app --reload\n',
    [{ module: 'main', attribute: 'app', appDir: 'src' }],
  ],
  [
    'Makefile recipe through poetry',
    'Makefile',
    '.PHONY: run\nrun:\n\t@poetry run uvicorn main:app --reload\n\ntest:\n\tpytest\n',
    [{ line: 3, module: 'main', attribute: 'app', text: '@poetry run uvicorn main:app --reload' }],
  ],
  [
    'Makefile: uv run with --app-dir=',
    'Makefile',
    'dev:\n\tuv run uvicorn api.main:app --app-dir=./backend --reload\n',
    [{ module: 'api.main', attribute: 'app', appDir: 'backend' }],
  ],
  [
    'fly.toml processes',
    'fly.toml',
    'app = "shop-api"\n\n[processes]\n  app = "gunicorn main:app -k uvicorn.workers.UvicornWorker"\n',
    [{ line: 4, server: 'gunicorn', module: 'main', attribute: 'app' }],
  ],
  [
    'fly.toml experimental cmd list',
    'fly.toml',
    '[experimental]\n  cmd = ["uvicorn", "main:app", "--port", "8080"]\n',
    [{ line: 2, module: 'main', attribute: 'app' }],
  ],
  [
    'App Engine app.yaml entrypoint',
    'app.yaml',
    'runtime: python312\nentrypoint: gunicorn -b :$PORT -k uvicorn.workers.UvicornWorker main:app\n',
    [{ line: 2, server: 'gunicorn', module: 'main', attribute: 'app' }],
  ],
  [
    'railway.json startCommand',
    'railway.json',
    '{\n  "deploy": {\n    "startCommand": "uvicorn main:app --host 0.0.0.0 --port $PORT",\n    "restartPolicyType": "ON_FAILURE"\n  }\n}\n',
    [{ line: 3, module: 'main', attribute: 'app', target: { line: 3, text: 'main:app' } }],
  ],
  [
    'railway.toml startCommand with escaped quotes',
    'railway.toml',
    '[deploy]\nstartCommand = "hypercorn main:app --bind \\"[::]:$PORT\\""\n',
    [{ line: 2, server: 'hypercorn', module: 'main', attribute: 'app' }],
  ],
  [
    'render.yaml startCommand, hypercorn with a path',
    'render.yaml',
    'services:\n  - type: web\n    name: api\n    startCommand: hypercorn src/main:app --bind 0.0.0.0:$PORT\n',
    [{ line: 4, server: 'hypercorn', module: 'main', attribute: 'app', appDir: 'src' }],
  ],
  [
    'supervisord program',
    'deploy/supervisord.conf',
    '[program:api]\ncommand=/app/.venv/bin/gunicorn main:app -k uvicorn.workers.UvicornWorker -c gunicorn.conf.py\nautostart=true\n',
    [{ line: 2, server: 'gunicorn', module: 'main', attribute: 'app' }],
  ],
  [
    'gunicorn.conf.py wsgi_app',
    'gunicorn.conf.py',
    'bind = "0.0.0.0:8000"\nworker_class = "uvicorn.workers.UvicornWorker"\nwsgi_app = "app.main:application"\n',
    [
      {
        line: 3,
        server: 'gunicorn',
        module: 'app.main',
        attribute: 'application',
        target: { line: 3, text: 'app.main:application' },
      },
    ],
  ],
  [
    'gunicorn_conf.py wsgi_app in single quotes',
    'gunicorn_conf.py',
    "wsgi_app = 'main:app'  # served by gunicorn -c gunicorn_conf.py\n",
    [{ server: 'gunicorn', module: 'main', attribute: 'app' }],
  ],
  [
    'pyproject: a poe task and [tool.fastapi] entrypoint',
    'pyproject.toml',
    '[project]\nname = "api"\n\n[tool.poe.tasks]\ndev = "uvicorn app.main:app --reload"\n\n[tool.fastapi]\nentrypoint = "app.main:api"\n',
    [
      { line: 5, server: 'uvicorn', module: 'app.main', attribute: 'app' },
      {
        line: 8,
        server: 'fastapi',
        module: 'app.main',
        attribute: 'api',
        target: { line: 8, text: 'app.main:api' },
      },
    ],
  ],
  [
    'pyproject: a pdm script as an inline table',
    'pyproject.toml',
    '[tool.pdm.scripts]\nstart = {cmd = "uvicorn app.main:app --host 0.0.0.0"}\n',
    [{ line: 2, module: 'app.main', attribute: 'app' }],
  ],
  [
    'uvicorn.run("main:app") under __main__',
    'main.py',
    'import uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\nif __name__ == "__main__":\n    uvicorn.run("main:app", host="0.0.0.0", port=8000, reload=True)\n',
    [
      {
        line: 7,
        server: 'uvicorn',
        module: 'main',
        attribute: 'app',
        text: 'uvicorn.run("main:app", host="0.0.0.0", port=8000, reload=True)',
        target: { line: 7, text: 'main:app' },
      },
    ],
  ],
  [
    // Found by fuzzing: each line start was read on through the blank lines (their square: minutes).
    'uvicorn.run("main:app") after a string of 300,000 blank lines',
    'main.py',
    `import uvicorn\nx = """${'\n'.repeat(300_000)}"""\nuvicorn.run("main:app")\n`,
    [{ line: 300_003, server: 'uvicorn', module: 'main', attribute: 'app' }],
  ],
  [
    "uvicorn.run(app): the variable, in the file's own module",
    'app/main.py',
    'import uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\nif __name__ == "__main__":\n    uvicorn.run(\n        app,\n        host="0.0.0.0",\n    )\n',
    [{ line: 7, module: 'app.main', attribute: 'app', target: undefined }],
  ],
  [
    'uvicorn.run(app) on one line: the call is the target',
    'server.py',
    'import uvicorn\nfrom api import app\nuvicorn.run(app, host="0.0.0.0")\n',
    [{ line: 3, module: 'server', attribute: 'app', target: { line: 3, text: 'uvicorn.run(app' } }],
  ],
  [
    'from uvicorn import run, with app_dir= and factory=',
    'run.py',
    'from uvicorn import run\n\nrun(app="app.main:create_app", factory=True, app_dir="src")\n',
    [{ module: 'app.main', attribute: 'create_app', factory: true, appDir: 'src' }],
  ],
  [
    'uvicorn.Config and Server',
    'serve.py',
    'import asyncio\nimport uvicorn\n\nconfig = uvicorn.Config("app.main:app", port=5000, log_level="info")\nserver = uvicorn.Server(config)\nasyncio.run(server.serve())\n',
    [{ line: 4, server: 'uvicorn', module: 'app.main', attribute: 'app' }],
  ],
  [
    'hypercorn serve(app, config)',
    'asgi.py',
    'import asyncio\nfrom hypercorn.asyncio import serve\nfrom hypercorn.config import Config\nfrom main import app\n\nasyncio.run(serve(app, Config()))\n',
    [{ line: 6, server: 'hypercorn', module: 'asgi', attribute: 'app' }],
  ],
  [
    'Granian("main:app")',
    'run_granian.py',
    'from granian import Granian\nfrom granian.constants import Interfaces\n\nGranian("main:app", interface=Interfaces.ASGI).serve()\n',
    [{ line: 4, server: 'granian', module: 'main', attribute: 'app' }],
  ],
  [
    'granian CLI with --factory',
    'Procfile',
    'web: granian --interface asgi --factory main:create_app --host 0.0.0.0\n',
    [{ server: 'granian', module: 'main', attribute: 'create_app', factory: true }],
  ],
  [
    'fastapi dev, and a second command in the same file',
    'dev.sh',
    'fastapi dev main.py\nuvicorn other:app --port 9000\n',
    [
      { line: 1, server: 'fastapi', module: 'main', attribute: 'app' },
      { line: 2, server: 'uvicorn', module: 'other', attribute: 'app' },
    ],
  ],
  [
    'fastapi run --entrypoint',
    'Dockerfile',
    'CMD fastapi run --entrypoint backend.main:app --port 80\n',
    [
      {
        server: 'fastapi',
        module: 'backend.main',
        attribute: 'app',
        target: { line: 1, text: 'backend.main:app' },
      },
    ],
  ],
];

// Files that hold no command serving an app.
const SILENT: Array<[string, string, string]> = [
  ['a README (not a serve file)', 'README.md', 'Run it with `uvicorn main:app --reload`.\n'],
  ['requirements.txt', 'requirements.txt', 'uvicorn[standard]==0.30.0\ngunicorn\n'],
  [
    'a Dockerfile that installs, builds and checks',
    'Dockerfile',
    'RUN pip install uvicorn gunicorn\nRUN uvicorn main:app --help\n# CMD uvicorn main:app\nHEALTHCHECK CMD curl -f http://localhost:8000/health\nEXPOSE 8000\n',
  ],
  [
    'compose ports and environment only',
    'docker-compose.yml',
    'services:\n  api:\n    image: api\n    ports:\n      - "8000:8000"\n    environment:\n      - APP_MODULE=main:app\n',
  ],
  [
    'a script that installs, echoes and expands a variable',
    'setup.sh',
    'pip install uvicorn gunicorn\necho "start with: uvicorn main:app"\nuvicorn $APP_MODULE --host 0.0.0.0\n',
  ],
  ['a Makefile without a server', 'Makefile', 'test:\n\tpytest -q\nlint:\n\truff check .\n'],
  [
    'Python: comments and docstrings only',
    'main.py',
    'import uvicorn\n"""Run with uvicorn.run("main:app")."""\n# uvicorn.run("main:app")\napp = None\n',
  ],
  [
    'Python: a target that is computed',
    'run.py',
    'import uvicorn\nMODULE = "main"\nuvicorn.run(f"{MODULE}:app")\nuvicorn.run(get_app())\nuvicorn.run(settings.app)\n',
  ],
  ['Python: run() not from uvicorn', 'tasks.py', 'from invoke import run\nrun("main:app")\n'],
  ['gunicorn with its configuration file only', 'Procfile', 'web: gunicorn -c gunicorn.conf.py\n'],
  ['fastapi run without a path', 'Dockerfile', 'CMD ["fastapi", "run", "--port", "80"]\n'],
  [
    'poetry scripts (functions, not servers)',
    'pyproject.toml',
    '[tool.poetry.scripts]\nstart = "app.main:start"\n',
  ],
  [
    'supervisord running a worker',
    'supervisord.conf',
    '[program:worker]\ncommand=celery -A app.worker worker\n',
  ],
];

describe('findServeCommands', () => {
  it.each(SERVING)('%s', (_name, file, text, expected) => {
    const found = findServeCommands(file, text);
    expect(found).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      const { target, ...rest } = e;
      expect(found[i]).toMatchObject({ file, ...rest });
      if ('target' in e) expect(found[i]?.target).toEqual(target);
    });
  });
  it.each(SILENT)('none: %s', (_name, file, text) => {
    expect(findServeCommands(file, text)).toEqual([]);
  });
  it('reads CRLF files', () => {
    expect(findServeCommands('Procfile', 'web: uvicorn main:app\r\n')).toMatchObject([
      { line: 1, module: 'main' },
    ]);
  });
  it('leaves the target out when the literal is written twice on its line', () => {
    const [c] = findServeCommands('run.sh', 'uvicorn main:app --log-config main:app.yaml\n');
    expect(c).toMatchObject({ module: 'main', attribute: 'app' });
    expect(c?.target).toBeUndefined();
  });
});

describe('isServeFile', () => {
  it.each([
    'Dockerfile',
    'backend/Dockerfile.prod',
    'api.dockerfile',
    'Procfile',
    'docker-compose.yml',
    'docker-compose.override.yaml',
    'compose.yaml',
    'scripts/start.sh',
    'Makefile',
    'fly.toml',
    'app.yaml',
    'app.yml',
    'railway.json',
    'railway.toml',
    'render.yaml',
    'supervisord.conf',
    'gunicorn.conf.py',
    'gunicorn_conf.py',
    'pyproject.toml',
    'app/main.py',
  ])('%s', (file) => {
    expect(isServeFile(file)).toBe(true);
  });
  it.each([
    'README.md',
    'requirements.txt',
    'nginx.conf',
    '.env',
    'package.json',
    'setup.cfg',
    'values.yaml',
  ])('not %s', (file) => {
    expect(isServeFile(file)).toBe(false);
  });
});

describe('moduleOfPath', () => {
  it.each([
    ['app/main.py', 'app.main'],
    ['./main.py', 'main'],
    ['src/app/__init__.py', 'src.app'],
    ['app/', 'app'],
    ['backend/api/v1/server.py', 'backend.api.v1.server'],
  ])('%s -> %s', (path, module) => {
    expect(moduleOfPath(path)).toBe(module);
  });
});

describe('moduleFile: the project file a command serves', () => {
  const files = [
    'backend/app/main.py',
    'backend/app/__init__.py',
    'main.py',
    'src/api/server.py',
    'pkg/__init__.py',
  ];
  const command = (over: Partial<ServeCommand>): ServeCommand => ({
    file: 'Dockerfile',
    line: 1,
    server: 'uvicorn',
    module: 'main',
    attribute: 'app',
    text: '',
    ...over,
  });
  it.each([
    ['from the root', command({}), 'main.py'],
    [
      'from the command file directory',
      command({ file: 'backend/Dockerfile', module: 'app.main' }),
      'backend/app/main.py',
    ],
    [
      'by suffix (compose at the root, build: ./backend)',
      command({ module: 'app.main' }),
      'backend/app/main.py',
    ],
    ['under --app-dir', command({ module: 'api.server', appDir: 'src' }), 'src/api/server.py'],
    ['a package', command({ module: 'pkg' }), 'pkg/__init__.py'],
    [
      'a Python command: its own file',
      command({ file: 'src/api/server.py', module: 'src.api.server' }),
      'src/api/server.py',
    ],
    ['no such module', command({ module: 'nowhere' }), undefined],
  ])('%s', (_name, c, expected) => {
    expect(moduleFile(c, files)).toBe(expected);
  });
  it('says nothing when two files fit equally', () => {
    expect(moduleFile(command({ module: 'app.main' }), ['a/app/main.py', 'b/app/main.py'])).toBeUndefined();
  });
});

describe('resolveServeCommands and moduleBindings', async () => {
  const parser = await getPythonParser();
  const main = [
    'import socketio',
    'from fastapi import FastAPI',
    'from app.core import (',
    '    settings,',
    '    app as core_app,',
    ')',
    'app = FastAPI(title="shop")',
    'application = CORSMiddleware(',
    '    app,',
    '    allow_origins=["https://app.example.com"],',
    ')',
    'asgi = socketio.ASGIApp(sio, other_asgi_app=application)',
    'handler = application',
    'debug: bool = settings.debug',
    'def make():',
    '    inner = FastAPI()',
    's = """',
    'app = nothing',
    '"""',
  ].join('\n');
  it('lists the names a module binds, in order', () => {
    const tree = parser.parse(main);
    expect(moduleBindings(tree?.rootNode as never)).toEqual([
      { name: 'socketio', line: 1, topLevel: true, kind: 'import' },
      { name: 'FastAPI', line: 2, topLevel: true, kind: 'import' },
      { name: 'settings', line: 3, topLevel: true, kind: 'import' },
      { name: 'core_app', line: 3, topLevel: true, kind: 'import' },
      { name: 'app', line: 7, topLevel: true, kind: 'call', callee: 'FastAPI', arguments: [] },
      {
        name: 'application',
        line: 8,
        topLevel: true,
        kind: 'call',
        callee: 'CORSMiddleware',
        arguments: ['app'],
      },
      {
        name: 'asgi',
        line: 12,
        topLevel: true,
        kind: 'call',
        callee: 'socketio.ASGIApp',
        arguments: ['sio', 'other_asgi_app=application'],
      },
      { name: 'handler', line: 13, topLevel: true, kind: 'alias', value: 'application' },
      { name: 'debug', line: 14, topLevel: true, kind: 'other' },
      { name: 'inner', line: 16, topLevel: false, kind: 'call', callee: 'FastAPI', arguments: [] },
      { name: 's', line: 17, topLevel: true, kind: 'other' },
    ]);
  });
  it('gives each command its module file and bindings', () => {
    const commands = findServeCommands('Dockerfile', 'CMD ["uvicorn", "app.main:app"]\n');
    const [resolved] = resolveServeCommands(
      commands,
      [
        { file: 'backend/app/main.py', text: main },
        { file: 'backend/app/__init__.py', text: '' },
      ],
      parser,
    );
    expect(resolved?.resolved?.file).toBe('backend/app/main.py');
    expect(resolved?.resolved?.bindings.map((b) => b.name)).toContain('application');
  });
  it('leaves a command whose module is not in the project as it is', () => {
    const commands = findServeCommands('Procfile', 'web: uvicorn elsewhere:app\n');
    expect(resolveServeCommands(commands, [{ file: 'main.py', text: main }], parser)).toEqual(commands);
  });
});
