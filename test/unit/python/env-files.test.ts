// Files that set the app's environment: Dockerfile ENV lines (the last stage), compose services, and the
// listing the rules read (entries with their lines, the last line with text).
import { describe, expect, it } from 'vitest';
import { composeServices, envFileListing, parseDockerfileEnv, parseDotenv } from '../../../src/python/env.js';

describe('parseDockerfileEnv', () => {
  it.each([
    ['ENV KEY=value', [['KEY', 'value', 1]]],
    [
      'ENV A=1 B="two words" C=\'x y\'',
      [
        ['A', '1', 1],
        ['B', 'two words', 1],
        ['C', 'x y', 1],
      ],
    ],
    ['ENV LEGACY the rest of the line', [['LEGACY', 'the rest of the line', 1]]],
    [
      'FROM python:3.12\nENV PYTHONUNBUFFERED=1 \\\n    ENVIRONMENT=production',
      [
        ['PYTHONUNBUFFERED', '1', 2],
        ['ENVIRONMENT', 'production', 2],
      ],
    ],
    ['FROM node AS web\nENV NODE_ENV=production\nFROM python:3.12\nENV APP=api', [['APP', 'api', 4]]],
    ['env lower=case', [['lower', 'case', 1]]],
    ['ENV ESCAPED=a\\ b', [['ESCAPED', 'a b', 1]]],
    ['RUN echo ENV=nope\nARG BUILD=1', []],
  ] as const)('%j', (text, expected) => {
    expect(parseDockerfileEnv(text, 'Dockerfile').map((e) => [e.name, e.value, e.source.line])).toEqual(
      expected,
    );
  });
});

describe('composeServices', () => {
  it('lists each service with its lines and its environment key', () => {
    const text = [
      'version: "3.9"',
      'services:',
      '  api:',
      '    build: .',
      '    environment:',
      '      - ENVIRONMENT=production',
      '',
      '  db:',
      '    image: postgres:16',
      'volumes:',
      '  data: {}',
    ].join('\n');
    expect(composeServices(text)).toEqual([
      { name: 'api', line: 3, endLine: 7, environment: 5 },
      { name: 'db', line: 8, endLine: 9 },
    ]);
  });
  it('no services key: none', () => {
    expect(composeServices('x: 1\n')).toEqual([]);
  });
});

describe('envFileListing', () => {
  it('keeps each entry with its line as written and the last line with text', () => {
    const text = 'A=1\n  export B="two"  \n# end\n\n';
    expect(envFileListing('.env', 'dotenv', text, parseDotenv(text, '.env'))).toEqual({
      file: '.env',
      kind: 'dotenv',
      entries: [
        { name: 'A', value: '1', line: 1, text: 'A=1' },
        { name: 'B', value: 'two', line: 2, text: '  export B="two"  ' },
      ],
      last: { line: 3, text: '# end' },
    });
  });
});
