import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nginxAvailable, nginxRejects } from '../../../src/local-servers/nginx.js';
import { readProject } from '../../../src/project/read-project.js';
import {
  type Directive,
  directiveText,
  looksLikeNginx,
  parseNginxConfig,
} from '../../../src/proxy/nginx/config.js';
import { blocks, listensOn } from '../../../src/proxy/nginx/cors.js';

/** A directive as `name arg arg @line`, its block nested. */
function shape(directives: Directive[]): unknown[] {
  return directives.map((d) => {
    const head = `${[d.name, ...d.args].join(' ')} @${d.line}`;
    return d.block ? { [head]: shape(d.block) } : head;
  });
}

describe('parseNginxConfig', () => {
  it.each([
    {
      title: 'directives, blocks and lines',
      source: 'worker_processes 1;\nhttp {\n  server {\n    listen 8080;\n  }\n}\n',
      shape: ['worker_processes 1 @1', { 'http @2': [{ 'server @3': ['listen 8080 @4'] }] }],
    },
    {
      title: 'quotes keep ; { } literal, and are removed',
      source: `add_header 'Access-Control-Allow-Origin' "http://a; {b}" always;`,
      shape: ['add_header Access-Control-Allow-Origin http://a; {b} always @1'],
    },
    {
      title: 'an escaped quote inside quotes',
      source: 'return 200 "say \\"hi\\"";',
      shape: ['return 200 say "hi" @1'],
    },
    {
      title: 'comments, also after a directive',
      source: '# top\nlisten 80; # the port\n# end',
      shape: ['listen 80 @2'],
    },
    {
      title: 'a variable in braces is not a block',
      source: `add_header X "$\{scheme}://$\{host}";\nset $a $\{host}x;`,
      shape: [`add_header X $\{scheme}://$\{host} @1`, `set $a $\{host}x @2`],
    },
    {
      title: 'if (...): a ")" right after a quoted argument is dropped, as nginx does',
      source: "location / {\n  if ($request_method = 'OPTIONS') {\n    return 204;\n  }\n}",
      shape: [{ 'location / @1': [{ 'if ($request_method = OPTIONS @2': ['return 204 @3'] }] }],
    },
    {
      title: 'a map block',
      source:
        'map $http_origin $cors {\n  default "";\n  "~^https://(www\\.)?example\\.com$" $http_origin;\n}',
      shape: [
        {
          'map $http_origin $cors @1': ['default  @2', '~^https://(www\\.)?example\\.com$ $http_origin @3'],
        },
      ],
    },
  ])('$title', ({ source, shape: expected }) => {
    expect(shape(parseNginxConfig(source))).toEqual(expected);
  });
});

// Malformed files: the line must be the one `nginx -t` reports.
const MALFORMED = [
  {
    title: 'an extra }',
    source: 'events {}\nhttp {\n  server {\n  }\n}\n}\n',
    line: 6,
    message: /unexpected "}"/,
  },
  {
    title: 'a directive without ;',
    source: 'events {}\nhttp {\n  server {\n    listen 8080\n  }\n}\n',
    line: 5,
    message: /unexpected "}" \(is the ";" after "listen 8080" missing\?\)/,
  },
  {
    title: 'a missing }',
    source: 'events {}\nhttp {\n  server {\n    listen 8080;\n  }\n',
    line: 6,
    message: /unexpected end of file, expecting "}"/,
  },
];

describe('malformed configuration: the line nginx -t reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-t-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const inCI = process.env.CI === 'true';
  const missing = nginxAvailable();
  if (missing && inCI) throw new Error(`CI needs nginx: ${missing}`);

  it.each(MALFORMED)('$title', ({ source, line, message }) => {
    expect(() => parseNginxConfig(source)).toThrow(message);
    try {
      parseNginxConfig(source);
    } catch (error) {
      expect((error as { line: number }).line).toBe(line);
    }
  });

  it.skipIf(missing !== undefined).each(MALFORMED)('$title: nginx -t agrees', ({ title, source, line }) => {
    const file = join(dir, `${title.replace(/\W+/g, '-')}.conf`);
    writeFileSync(file, source);
    const rejected = nginxRejects(file, dir, `pid ${dir}/nginx.pid; error_log stderr;`);
    expect(rejected).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}$`));
  });
});

describe('looksLikeNginx', () => {
  it.each([
    ['server {\n  listen 80;\n  location / { proxy_pass http://app; }\n}', true],
    ['http {\n  server { listen 80; }\n}', true],
    ['[program:app]\ncommand=uvicorn main:app\n', false],
    ['ServerName example.com\n<VirtualHost *:80>\n</VirtualHost>', false],
    ['location /api/\n{\n  proxy_pass http://app;\n}', true],
  ])('%s', (source, expected) => {
    expect(looksLikeNginx(source)).toBe(expected);
  });
  it("40,000 lines like ntp.conf's `server` lines: not nginx, in time", () => {
    expect(looksLikeNginx('server 0.pool.ntp.org iburst\n'.repeat(40_000))).toBe(false);
  }, 1000);
});

describe('listensOn: the configuration takes a URL of this port', () => {
  const deep = (n: number) => `http {\n  server {\n${'location / {\n'.repeat(n)}${'}\n'.repeat(n)}  }\n}\n`;
  it.each([
    { title: 'listen 8080', source: 'server { listen 8080; }', port: 8080, takes: true },
    {
      title: 'an address and a flag',
      source: 'http { server { listen 127.0.0.1:8080 default_server; } }',
      port: 8080,
      takes: true,
    },
    { title: 'IPv6', source: 'server { listen [::]:8080; }', port: 8080, takes: true },
    { title: 'a port that ends the same', source: 'server { listen 18080; }', port: 8080, takes: false },
    { title: 'another port', source: 'server { listen 80; }', port: 8080, takes: false },
    // Blocks nested deeper than a call stack goes (nginx -t takes 3,000): no listen for the port, no crash.
    { title: 'locations nested 20,000 deep', source: deep(20_000), port: 8080, takes: false },
  ])('$title', ({ source, port, takes }) => {
    expect(listensOn(parseNginxConfig(source), port)).toBe(takes);
  });
});

describe('blocks: every block with the blocks around it, depth first', () => {
  const deep = (n: number) => `http {\n  server {\n${'location / {\n'.repeat(n)}${'}\n'.repeat(n)}  }\n}\n`;
  const heads = (source: string) =>
    blocks(parseNginxConfig(source)).map((b) => [...b.outer, b.directive].map(directiveText).join(' > '));
  it('in the order they are written', () => {
    expect(
      heads('http {\n  server {\n    location /a { if ($x) { return 204; } }\n    location /b {}\n  }\n}\n'),
    ).toEqual([
      'http',
      'http > server',
      'http > server > location /a',
      'http > server > location /a > if ($x)',
      'http > server > location /b',
    ]);
  });
  it('locations nested 20,000 deep: the first 1,000 levels, in time and memory (found by fuzzing)', () => {
    const listed = blocks(parseNginxConfig(deep(20_000)));
    expect(listed.length).toBe(1001);
    expect(listed.at(-1)?.outer.length).toBe(1000);
  });
});

describe('directiveText', () => {
  it.each([
    ['location /api/ {}', 'location /api/'],
    ['if ($http_authorization = "") { return 401; }', 'if ($http_authorization = "")'],
    ["if ($request_method = 'OPTIONS') { return 204; }", 'if ($request_method = OPTIONS)'],
    ['auth_basic "staging area";', 'auth_basic "staging area"'],
  ])('%s', (source, text) => {
    expect(directiveText(parseNginxConfig(source)[0] as Directive)).toBe(text);
  });
});

describe('nginx configuration in a project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-project-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.each([
    {
      title: 'nginx.conf with a syntax error: reported with its line, not read',
      files: { 'nginx.conf': 'http {\n  server {\n    listen 80\n  }\n}\n' },
      proxies: ['nginx.conf'],
      errors: ['nginx.conf:4 unexpected "}" (is the ";" after "listen 80" missing?)'],
    },
    {
      title: 'a *.conf that reads like nginx, and one that does not',
      files: {
        'deploy/site.conf': 'server {\n  listen 80;\n  location / { proxy_pass http://app:8000; }\n}\n',
        'deploy/supervisor.conf': '[program:api]\ncommand=uvicorn main:app\n',
      },
      proxies: ['deploy/site.conf'],
      errors: [],
    },
  ])('$title', async ({ files, proxies, errors }) => {
    const root = mkdtempSync(join(dir, 'p-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    const project = await readProject(root);
    expect(project.proxies.map((p) => p.file)).toEqual(proxies);
    expect(
      project.filesWithErrors.map((e) => `${e.file}:${e.line} ${e.message.split('; nginx -t')[0]}`),
    ).toEqual(errors);
  });
});
