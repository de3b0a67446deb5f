// nginx configuration split over files (conf.d/*.conf included at the http level): the map that sets the
// origin nginx writes back is read wherever the project has it, and a variable set in no file read is
// said, never taken for safe.
import { describe, expect, it } from 'vitest';
import { scanProject } from '../../../src/analysis/scan.js';
import { readProject } from '../../../src/project/read-project.js';
import { type Files, writeProject } from './rules/security-cases.js';

const APP = 'https://app.example.com';

const MAIN = ['events {}', 'http {', '    include conf.d/*.conf;', '}', ''].join('\n');

/** A server of conf.d that writes `$cors_origin` with credentials. */
const server = (port: number) =>
  [
    'server {',
    `    listen ${port};`,
    '    location / {',
    '        add_header Access-Control-Allow-Origin $cors_origin always;',
    '        add_header Access-Control-Allow-Credentials true always;',
    '        proxy_pass http://127.0.0.1:8000;',
    '    }',
    '}',
    '',
  ].join('\n');

const maps = (entries: string[]) =>
  ['map $http_origin $cors_origin {', ...entries.map((e) => `    ${e}`), '}', ''].join('\n');

const ECHO_ALL = maps(['default $http_origin;']);

interface Row {
  name: string;
  files: Files;
  /** Every finding the scan makes of the nginx files, as `code file:line`. */
  found: string[];
  /** What the first one says. */
  message?: RegExp;
}

const ROWS: Row[] = [
  {
    name: 'the map that echoes every origin in conf.d/00-maps.conf, the add_header in conf.d/api.conf',
    files: { 'nginx.conf': MAIN, 'conf.d/00-maps.conf': ECHO_ALL, 'conf.d/api.conf': server(8080) },
    found: ['reflects-any-origin conf.d/00-maps.conf:2'],
    message: /The map of \$http_origin echoes every origin by default/,
  },
  {
    name: 'two servers of conf.d write the map of another file: its finding once',
    files: {
      'nginx.conf': MAIN,
      'conf.d/00-maps.conf': ECHO_ALL,
      'conf.d/api.conf': server(8080),
      'conf.d/admin.conf': server(8081),
    },
    found: ['reflects-any-origin conf.d/00-maps.conf:2'],
  },
  {
    name: 'the map of another file lists the trusted origin only',
    files: {
      'nginx.conf': MAIN,
      'conf.d/00-maps.conf': maps(['default "";', `"${APP}" $http_origin;`]),
      'conf.d/api.conf': server(8080),
    },
    found: [],
  },
  {
    name: 'the map is in no file of the project: where $cors_origin comes from is not known',
    files: { 'nginx.conf': MAIN, 'conf.d/api.conf': server(8080) },
    found: ['scan-incomplete conf.d/api.conf:4'],
    message:
      /the scan could not read where \$cors_origin comes from: no map or set of it in the nginx files read/,
  },
];

describe('nginx split over conf.d', () => {
  it.each(ROWS)('$name', async ({ files, found, message }) => {
    const project = await readProject(writeProject(files));
    expect(project.proxies.map((p) => p.file).sort()).toEqual(
      Object.keys(files)
        .filter((f) => f.endsWith('.conf'))
        .sort(),
    );
    const findings = scanProject(project, { origins: [APP] }).findings.filter((f) =>
      f.file.endsWith('.conf'),
    );
    expect(findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(found);
    if (message) expect(findings[0]?.message).toMatch(message);
  });
});

describe('nginx split over conf.d: the map a patch adds', () => {
  // conf.d/00-maps.conf already sets $cors_origin (for another header): the variable of the map the patch
  // writes into conf.d/api.conf must be free in every file nginx.conf brings in: nginx -t accepts a second
  // map of the same variable, and one of the two then silently takes the other's place.
  it('takes a name no other nginx file of the project uses', async () => {
    const echoing = server(8080).replace('$cors_origin always', '$http_origin always');
    const project = await readProject(
      writeProject({
        'nginx.conf': MAIN,
        'conf.d/00-maps.conf': maps(['default "";', `"${APP}" "trusted";`]),
        'conf.d/api.conf': echoing,
      }),
    );
    const finding = scanProject(project, { origins: [APP] }).findings.find(
      (f) => f.code === 'reflects-any-origin' && f.file === 'conf.d/api.conf',
    );
    expect(finding?.fix?.summary).toMatch(/^Write \$cors_origin_2 instead of \$http_origin/);
    expect(finding?.fix?.summary).toContain('map $http_origin $cors_origin_2 {');
  });
});
