// The generated test reads .env and compose files when it runs, in Python: it must read them as the project
// reader does (src/python/env.ts). Each file here is read by both, with Debian's Python.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dockerfilesFor,
  dotenvChain,
  type EnvironmentSources,
  environmentBlock,
  orderComposeFiles,
} from '../../../src/gen-tests/environment.js';
import { parseCompose, parseDockerfileEnv, parseDotenv } from '../../../src/python/env.js';

const PYTHON = '/usr/bin/python3';
const inCI = process.env.CI === 'true';
const unavailable = existsSync(PYTHON) ? undefined : `${PYTHON} not found (apt-get install -y python3)`;
if (unavailable && inCI) throw new Error(`CI needs ${PYTHON}`);

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function folder(files: Record<string, string | undefined>): string {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-gen-tests-env-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    if (text === undefined) continue;
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** Runs the module's environment block in `root` and prints what `call` returns, as JSON. */
function python(root: string, sources: Partial<EnvironmentSources>, call: string): unknown {
  const program = [
    'import json, os, posixpath, re',
    `PROJECT = ${JSON.stringify(root)}`,
    environmentBlock({ composeFiles: [], dockerfiles: [], dotenvFiles: [], ...sources }),
    `print(json.dumps(${call}))`,
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', program], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const lastWins = (entries: Array<{ name: string; value: string }>) =>
  Object.fromEntries(entries.map((e) => [e.name, e.value]));

const DOTENVS: Array<[string, string]> = [
  ['plain, export, spaces around =', 'A=1\nexport B = two\n  C=three  \n'],
  ['comments after a space, not inside a value', 'URL=http://x#frag\nN=5 # five\n# a comment\n'],
  ['quotes and escapes', `Q="a \\"b\\" \\n c"\nS='single # not a comment'\nE=""\n`],
  ['a multi-line quoted value, CRLF lines', 'M="line one\r\nline two"\r\nAFTER=yes\r\n'],
  ['JSON lists and commas', 'CORS_ORIGINS=["http://localhost:3000", "http://localhost:5173"]\nL=a, b\n'],
  ['names with dots and dashes; lines that are no assignment', 'a.b-c=1\n=nothing\njust words\nA=1\nA=2\n'],
];

describe.skipIf(unavailable !== undefined)('read_dotenv reads a .env as parseDotenv does', () => {
  it.each(DOTENVS)('%s', (_title, text) => {
    const root = folder({ '.env': text });
    expect(python(root, { dotenvFiles: ['.env'] }, 'read_dotenv(".env")')).toEqual(
      lastWins(parseDotenv(text, '.env')),
    );
  });
});

const COMPOSES: Array<[string, Record<string, string>]> = [
  [
    'environment as a list and as a map; env_file as a string',
    {
      'docker-compose.yml':
        'services:\n  api:\n    env_file: .env\n    environment:\n      - ENVIRONMENT=production\n      - "QUOTED=a b"\n  db:\n    environment:\n      POSTGRES_PASSWORD: example\n      EMPTY: ""\n',
    },
  ],
  [
    'inline lists, env_file with path:, comments',
    {
      'deploy/compose.yaml':
        'services:\n  api:\n    environment: [A=1, "B=2"]  # inline\n    env_file:\n      - path: ../config/app.env\n      - ./local.env\n    # environment: not this\n',
    },
  ],
  [
    'interpolation from the .env next to the compose file',
    {
      'docker-compose.yml':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own ${NAME:-default}
        'services:\n  api:\n    environment:\n      - ORIGINS=${FRONTEND:-http://localhost:3000}\n      - UNSET=${NOPE:-fallback}\n      - EMPTY_DASH=${BLANK-kept}\n      - RAW=${MISSING}\n',
      '.env': 'FRONTEND=https://app.example.com\nBLANK=\n',
    },
  ],
];

describe.skipIf(unavailable !== undefined)('read_compose reads a compose file as parseCompose does', () => {
  it.each(COMPOSES)('%s', (_title, files) => {
    const root = folder(files);
    const file = Object.keys(files).find((f) => /compose/.test(f)) as string;
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const dotenv = files[dir ? `${dir}/.env` : '.env'];
    const parsed = parseCompose(files[file] as string, file, (name) =>
      dotenv === undefined ? undefined : lastWins(parseDotenv(dotenv, '.env'))[name],
    );
    expect(python(root, { composeFiles: [file] }, `read_compose(${JSON.stringify(file)})`)).toEqual([
      lastWins(parsed.environment),
      parsed.envFiles.map((f) => f.rel),
    ]);
  });
});

const DOCKERFILES: Array<[string, string]> = [
  [
    'ENV KEY=value pairs, quoted, several on a line',
    'FROM python:3.12\nENV A=1 B="two words" C=\'single\'\nENV D=x\\ y\n',
  ],
  ['the older ENV KEY value', 'FROM python:3.12\nENV ORIGINS http://localhost:3000, http://localhost:5173\n'],
  [
    'only the last stage counts; continuation lines',
    'FROM node AS build\nENV A=build\nFROM python:3.12\nENV B=1 \\\n    C=2\nenv lower=case\n',
  ],
];

describe.skipIf(unavailable !== undefined)('read_dockerfile reads ENV as parseDockerfileEnv does', () => {
  it.each(DOCKERFILES)('%s', (_title, text) => {
    const root = folder({ Dockerfile: text });
    expect(python(root, { dockerfiles: ['Dockerfile'] }, 'read_dockerfile("Dockerfile")')).toEqual(
      lastWins(parseDockerfileEnv(text, 'Dockerfile')),
    );
  });
});

describe.skipIf(unavailable !== undefined)('project_environment: which value the server gets', () => {
  it.each([
    {
      title:
        'compose environment over compose env_file over the Dockerfile ENV over the .env next to the app, nearest first',
      files: {
        'docker-compose.yml':
          'services:\n  api:\n    env_file: [config/a.env, config/b.env]\n    environment:\n      - FROM_COMPOSE=compose\n',
        'config/a.env': 'FROM_COMPOSE=a\nFROM_ENV_FILE=a\n',
        'config/b.env': 'FROM_ENV_FILE=b\nONLY_B=b\n',
        Dockerfile: 'FROM python\nENV FROM_ENV_FILE=image FROM_IMAGE=root-image FROM_APP_IMAGE=root-image\n',
        'app/Dockerfile': 'FROM python\nENV FROM_APP_IMAGE=app-image FROM_DOTENV=app-image\n',
        '.env': 'FROM_COMPOSE=root\nFROM_ENV_FILE=root\nFROM_DOTENV=root\nROOT_ONLY=root\n',
        'app/.env': 'FROM_DOTENV=app\n',
      },
      compose: ['docker-compose.yml'],
      dockerfiles: dockerfilesFor(['Dockerfile', 'app/Dockerfile', 'other/Dockerfile'], 'app'),
      dotenvs: dotenvChain('app'),
      expected: {
        FROM_COMPOSE: 'compose',
        FROM_ENV_FILE: 'a',
        ONLY_B: 'b',
        FROM_IMAGE: 'root-image',
        FROM_APP_IMAGE: 'app-image',
        FROM_DOTENV: 'app-image',
        ROOT_ONLY: 'root',
      },
    },
    {
      title: 'no file at all: nothing',
      files: { 'main.py': '' },
      compose: [],
      dotenvs: dotenvChain(''),
      expected: {},
    },
  ])('$title', ({ files, compose, dockerfiles, dotenvs, expected }) => {
    const sources = { composeFiles: compose, dockerfiles: dockerfiles ?? [], dotenvFiles: dotenvs };
    expect(python(folder(files), sources, 'project_environment()')).toEqual(expected);
  });
});

describe('the files it reads', () => {
  it('the Dockerfiles in the app folder or above it, nearest first', () => {
    expect(
      dockerfilesFor(['Dockerfile', 'backend/Dockerfile', 'frontend/Dockerfile'], 'backend/app'),
    ).toEqual(['backend/Dockerfile', 'Dockerfile']);
  });

  it('the .env files from the app folder up to the root, nearest first', () => {
    expect(dotenvChain('backend/app')).toEqual(['backend/app/.env', 'backend/.env', '.env']);
    expect(dotenvChain('')).toEqual(['.env']);
  });

  it('compose files as the project reader orders them: shallowest first, then by path', () => {
    expect(orderComposeFiles(['deploy/compose.yaml', 'docker-compose.yml', 'compose.override.yml'])).toEqual([
      'compose.override.yml',
      'docker-compose.yml',
      'deploy/compose.yaml',
    ]);
  });
});
