import { describe, expect, it } from 'vitest';
import { parseCompose, parseDotenv } from '../../../src/python/env.js';
import {
  fromPipfileLock,
  fromPyproject,
  fromRequirements,
  fromTomlLock,
  versionFromSpec,
} from '../../../src/python/versions.js';

describe('version specifiers', () => {
  it.each([
    ['==0.26.1', '0.26.1', '==0.26.1'],
    ['>=0.100,<1.0', '0.100', '>=0.100'],
    ['<1.0,>=0.114.2', '0.114.2', '>=0.114.2'],
    ['~=0.27.0', '0.27.0', '~=0.27.0'],
    ['^0.95.0', '0.95.0', '^0.95.0'],
    ['==0.27.*', '0.27', '==0.27'],
    ['0.30.0', '0.30.0', '==0.30.0'],
  ])('%s -> %s', (spec, version, specifier) => {
    expect(versionFromSpec(spec)).toEqual({ version, specifier });
  });
  it.each(['', '<1.0', '*', '!=0.3'])('%j has no version', (spec) => {
    expect(versionFromSpec(spec)).toBeUndefined();
  });
});

describe('dependency files', () => {
  it('requirements.txt', () => {
    const text =
      '-r base.txt\n# comment\nFastAPI[all] == 0.110.0 ; python_version >= "3.8"\nstarlette>=0.36,<0.37\npydantic_settings==2.2\npydantic\n';
    expect(fromRequirements(text, 'requirements/prod.txt')).toEqual({
      fastapi: {
        version: '0.110.0',
        specifier: '==0.110.0',
        source: { file: 'requirements/prod.txt', line: 3 },
      },
      starlette: { version: '0.36', specifier: '>=0.36', source: { file: 'requirements/prod.txt', line: 4 } },
    });
  });
  it('pyproject.toml [project] and poetry tables', () => {
    const text = [
      '[project]',
      'name = "x"',
      'dependencies = [',
      '    "fastapi[standard]>=0.115.0",',
      '    "pydantic-settings>=2",',
      ']',
      '[tool.poetry.dependencies]',
      'starlette = "^0.40.0"',
      'pydantic = { version = "~2.9", extras = ["email"] }',
    ].join('\n');
    expect(fromPyproject(text, 'pyproject.toml')).toEqual({
      fastapi: { version: '0.115.0', specifier: '>=0.115.0', source: { file: 'pyproject.toml', line: 4 } },
      starlette: { version: '0.40.0', specifier: '^0.40.0', source: { file: 'pyproject.toml', line: 8 } },
      pydantic: { version: '2.9', specifier: '~2.9', source: { file: 'pyproject.toml', line: 9 } },
    });
  });
  it('poetry.lock / uv.lock', () => {
    const text =
      '[[package]]\nname = "Starlette"\nversion = "0.41.3"\n\n[package.dependencies]\nanyio = ">=3"\n\n[[package]]\nname = "fastapi"\nversion = "0.115.6"\n';
    expect(fromTomlLock(text, 'poetry.lock')).toEqual({
      starlette: { version: '0.41.3', specifier: '==0.41.3', source: { file: 'poetry.lock', line: 3 } },
      fastapi: { version: '0.115.6', specifier: '==0.115.6', source: { file: 'poetry.lock', line: 10 } },
    });
  });
  it('Pipfile.lock (bad JSON gives nothing)', () => {
    expect(fromPipfileLock('{"default": {"fastapi": {"version": "==0.99.0"}}}', 'Pipfile.lock')).toEqual({
      fastapi: { version: '0.99.0', specifier: '==0.99.0', source: { file: 'Pipfile.lock', line: 1 } },
    });
    expect(fromPipfileLock('{not json', 'Pipfile.lock')).toEqual({});
  });
});

describe('.env and compose files', () => {
  it.each([
    ['A=1', '1'],
    ['export A=1', '1'],
    ['A = spaced value  ', 'spaced value'],
    ['A=x # comment', 'x'],
    ['A=x#not-a-comment', 'x#not-a-comment'],
    ['A="quoted # kept"', 'quoted # kept'],
    ["A='single \\n raw'", 'single \\n raw'],
    ['A="double \\n escaped"', 'double \n escaped'],
    ['A=["http://a", "http://b"]', '["http://a", "http://b"]'],
    ['A=', ''],
  ])('%s', (line, value) => {
    expect(parseDotenv(`# header\n${line}\n`, '.env')).toEqual([
      { name: 'A', value, source: { file: '.env', line: 2 } },
    ]);
  });
  it('compose environment (list and map), env_file, $-{VAR} interpolation', () => {
    const text = [
      'services:',
      '  api:',
      '    env_file:',
      '      - .env',
      '      - path: ./extra.env',
      '    environment:',
      '      ORIGINS: "http://a,http://b"',
      `      HOST: \${DOMAIN:-localhost}`,
      '  worker:',
      '    env_file: worker.env',
      '    environment:',
      '      - MODE=worker',
    ].join('\n');
    const c = parseCompose(text, 'deploy/docker-compose.yml', (n) =>
      n === 'DOMAIN' ? 'example.com' : undefined,
    );
    expect(c.environment.map((e) => [e.name, e.value, e.source.line])).toEqual([
      ['ORIGINS', 'http://a,http://b', 7],
      ['HOST', 'example.com', 8],
      ['MODE', 'worker', 12],
    ]);
    expect(c.envFiles.map((e) => e.rel)).toEqual(['deploy/.env', 'deploy/extra.env', 'deploy/worker.env']);
  });
});
