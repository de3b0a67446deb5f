// `add_header Access-Control-Allow-Origin $http_origin` replaced by the value of a map of the trusted
// origins: rows of configurations as people write them (a whole nginx.conf, a conf.d file of one server,
// maps already there, the variable name taken), each edited, parsed again and accepted by `nginx -t`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEdit } from '../../../src/fix/edits.js';
import { OTHER_FRONTENDS, originMapFix } from '../../../src/fix/nginx-origin-map.js';
import { parseNginxConfig } from '../../../src/proxy/nginx/config.js';

const NGINX = '/usr/sbin/nginx';
const inCI = process.env.CI === 'true';
const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-origin-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `nginx -t` says of the http-level text (wrapped in an http block when it has none). */
function nginxAccepts(text: string): boolean | undefined {
  if (!existsSync(NGINX)) {
    if (inCI) throw new Error(`${NGINX} is needed to check edited configurations`);
    return undefined;
  }
  const http = /^\s*http\s*\{/m.test(text) ? text : `http {\n${text}\n}\n`;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\nevents {}\n${http.replace(/^\s*events\s*\{[^}]*\}/m, '')}`,
  );
  return spawnSync(NGINX, ['-t', '-q', '-p', dir, '-c', conf], { encoding: 'utf8' }).status === 0;
}

const LOCATION = [
  '        location / {',
  '            add_header Access-Control-Allow-Origin $http_origin always;',
  '            add_header Access-Control-Allow-Credentials true always;',
  '            proxy_pass http://127.0.0.1:8000;',
  '        }',
];

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';

/** The `add_header Access-Control-Allow-Origin $http_origin` lines of the text, as the scan gives them. */
const echoed = (text: string) =>
  text
    .split('\n')
    .flatMap((l, i) =>
      /add_header\s+Access-Control-Allow-Origin\s+\$http_origin(\s+always)?;/.test(l)
        ? [{ line: i + 1, always: /\balways;/.test(l) }]
        : [],
    );

describe('a map of the trusted origins instead of $http_origin', () => {
  it.each([
    {
      name: 'nginx.conf with an http block: the map before the server',
      text: ['http {', '    server {', '        listen 8080;', ...LOCATION, '    }', '}', ''].join('\n'),
      origins: [APP, ADMIN],
      has: [
        '    map $http_origin $cors_origin {',
        '        default "";',
        `        "${APP}" $http_origin;`,
        `        "${ADMIN}" $http_origin;`,
        `        ${OTHER_FRONTENDS}`,
        '            add_header Access-Control-Allow-Origin $cors_origin always;',
      ],
    },
    {
      name: 'a conf.d file whose variable name another file of the project already maps: another name',
      text: ['server {', '    listen 8080;', ...LOCATION.map((l) => l.slice(4)), '}', ''].join('\n'),
      others: [
        ['map $http_origin $cors_origin {', '    default "";', `    "${ADMIN}" $http_origin;`, '}', ''].join(
          '\n',
        ),
      ],
      origins: [APP],
      has: [
        'map $http_origin $cors_origin_2 {',
        '        add_header Access-Control-Allow-Origin $cors_origin_2 always;',
      ],
    },
    {
      name: 'a conf.d file of one server (included at the http level): the map before it',
      text: ['server {', '    listen 8080;', ...LOCATION.map((l) => l.slice(4)), '}', ''].join('\n'),
      origins: [APP],
      has: [
        'map $http_origin $cors_origin {',
        '        add_header Access-Control-Allow-Origin $cors_origin always;',
      ],
    },
    {
      name: 'a map there already, and $cors_origin taken: after it, under another name',
      text: [
        'http {',
        '    map $http_upgrade $cors_origin {',
        '        default "";',
        '    }',
        '',
        '    server {',
        '        listen 8080;',
        '        location /ws {',
        '            add_header X-Upgrade $cors_origin;',
        '        }',
        ...LOCATION,
        '    }',
        '}',
        '',
      ].join('\n'),
      origins: [APP],
      has: [
        '    map $http_origin $cors_origin_2 {',
        '            add_header Access-Control-Allow-Origin $cors_origin_2 always;',
      ],
    },
    {
      name: 'echoed in a server and in an OPTIONS block, without always: every echo replaced',
      text: [
        'http {',
        '    server {',
        '        listen 8080;',
        '        add_header Access-Control-Allow-Origin $http_origin;',
        '        add_header Access-Control-Allow-Credentials true;',
        '        location / {',
        '            if ($request_method = OPTIONS) {',
        '                add_header Access-Control-Allow-Origin $http_origin always;',
        '                add_header Access-Control-Allow-Credentials true always;',
        '                return 204;',
        '            }',
        '            proxy_pass http://127.0.0.1:8000;',
        '        }',
        '    }',
        '}',
        '',
      ].join('\n'),
      origins: [APP],
      has: [
        '        add_header Access-Control-Allow-Origin $cors_origin;',
        '                add_header Access-Control-Allow-Origin $cors_origin always;',
      ],
    },
  ] as Array<{ name: string; text: string; others?: string[]; origins: string[]; has: string[] }>)(
    '$name',
    ({ text, others, origins, has }) => {
      const includeSet = (others ?? []).map(parseNginxConfig);
      const fix = originMapFix('nginx.conf', parseNginxConfig(text), echoed(text), origins, includeSet);
      expect(fix.why).toBeUndefined();
      expect(fix.note).toContain('add every other frontend that must read the API to the map');
      const after = (fix.edits ?? []).reduce((t, e) => applyEdit(t, e), text);
      const lines = after.split('\n');
      for (const l of has) expect(lines, l).toContain(l);
      expect(after).not.toMatch(/Access-Control-Allow-Origin \$http_origin/);
      expect(() => parseNginxConfig(after)).not.toThrow();
      expect(nginxAccepts(after) ?? true, 'nginx -t').toBe(true);
    },
  );

  it.each([
    {
      name: 'a file of locations only (included in a server): nowhere to write a map',
      text: `${LOCATION.map((l) => l.slice(8)).join('\n')}\n`,
      origins: [APP],
      why: /no http level/,
    },
    { name: 'no origin given', text: 'server {\n}\n', origins: [], why: /no frontend origin was given/ },
  ])('no edit: $name', ({ text, origins, why }) => {
    const fix = originMapFix('nginx.conf', parseNginxConfig(text), echoed(text), origins);
    expect(fix.edits).toBeUndefined();
    expect(fix.why).toMatch(why);
  });
});
