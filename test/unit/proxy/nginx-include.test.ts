// nginx's include among the project's files: which files an include names (relative to the main
// configuration's folder, /etc/nginx/... by the end of the project's paths, globs in nginx's order), what
// the model then runs, and an include of a file the project does not have, kept as not read.
import { describe, expect, it } from 'vitest';
import { checkWithSource } from '../../../src/analysis/check-with-source.js';
import { UnpredictableAnswerError } from '../../../src/core/errors.js';
import type { PageFetch } from '../../../src/core/page.js';
import type { ProbeOptions } from '../../../src/evidence/probe/probe.js';
import { readProject } from '../../../src/project/read-project.js';
import { includedFiles } from '../../../src/proxy/nginx/include.js';
import { configsForUrl } from '../../../src/proxy/registry.js';
import { writeProject } from '../causes/rules/security-cases.js';

const FILES = [
  'nginx.conf',
  'conf.d/b.conf',
  'conf.d/a.conf',
  'conf.d/notes.txt',
  'deploy/nginx/conf.d/api.conf',
  'deploy/nginx/conf.d/00-maps.conf',
  'deploy/nginx/nginx.conf',
  'deploy/nginx/snippets/cors.conf',
  'other/conf.d/api.conf',
];

const ROWS: Array<{ pattern: string; from: string; root?: string; files: string[]; mapped?: boolean }> = [
  { pattern: 'conf.d/*.conf', from: 'nginx.conf', files: ['conf.d/a.conf', 'conf.d/b.conf'] },
  { pattern: 'conf.d/a.conf', from: 'nginx.conf', files: ['conf.d/a.conf'] },
  { pattern: 'conf.d/missing.conf', from: 'nginx.conf', files: [] },
  { pattern: '../conf.d/a.conf', from: 'nginx.conf', files: [] },
  {
    pattern: '/etc/nginx/conf.d/*.conf',
    from: 'deploy/nginx/nginx.conf',
    files: ['deploy/nginx/conf.d/00-maps.conf', 'deploy/nginx/conf.d/api.conf'],
    mapped: true,
  },
  {
    pattern: '/etc/nginx/conf.d/api.conf',
    from: 'other/nginx.conf',
    files: ['other/conf.d/api.conf'],
    mapped: true,
  },
  { pattern: '/etc/nginx/sites-enabled/*', from: 'nginx.conf', files: [] },
  // nginx reads a relative path of an included file from the main configuration's folder.
  {
    pattern: 'snippets/cors.conf',
    from: 'deploy/nginx/conf.d/api.conf',
    root: 'deploy/nginx/nginx.conf',
    files: ['deploy/nginx/snippets/cors.conf'],
  },
];

describe('the files an include names', () => {
  it.each(ROWS)('include $pattern in $from', ({ pattern, from, root, files, mapped }) => {
    const read = includedFiles(pattern, from, FILES, root);
    expect(read.files).toEqual(files);
    expect(read.mapped !== undefined).toBe(mapped === true);
  });
});

const APP = [
  'from fastapi import FastAPI',
  '',
  'app = FastAPI()',
  '',
  '',
  '@app.get("/me")',
  'def me():',
  '    return {}',
  '',
].join('\n');

const MAIN = (include: string) => ['events {}', 'http {', `    include ${include};`, '}', ''].join('\n');

const SERVER = (inLocation: string) =>
  [
    'server {',
    '    listen 8080;',
    '    location / {',
    `        ${inLocation}`,
    '        proxy_pass http://127.0.0.1:8000;',
    '    }',
    '}',
    '',
  ].join('\n');

const page = (origin: string): PageFetch => ({
  url: 'http://127.0.0.1:8080/me',
  origin,
  method: 'GET',
  headers: [],
  credentials: 'omit',
});
const options = (): ProbeOptions => ({ browsers: ['chrome', 'firefox'], timeoutMs: 1000 });

describe('check --offline through an nginx configuration split over files', () => {
  it('the servers, the map and the snippet of included files are run where they are included', async () => {
    const project = await readProject(
      writeProject({
        'main.py': APP,
        'nginx/nginx.conf': MAIN('/etc/nginx/conf.d/*.conf'),
        'nginx/conf.d/00-maps.conf':
          'map $http_origin $cors_origin {\n    default "";\n    "https://app.example.com" $http_origin;\n}\n',
        'nginx/conf.d/api.conf': SERVER('include snippets/cors.conf;'),
        'nginx/snippets/cors.conf': 'add_header Access-Control-Allow-Origin $cors_origin always;\n',
      }),
    );
    // The main file and the server's own file both take the port: they are run as one configuration.
    expect(configsForUrl(project.proxies, page('x').url).map((c) => c.file)).toEqual([
      'nginx/nginx.conf',
      'nginx/conf.d/api.conf',
    ]);
    const trusted = await checkWithSource(page('https://app.example.com'), options(), project, {
      offline: true,
    });
    expect(trusted.browsers.chrome?.outcome).toBe('allowed');
    const other = await checkWithSource(page('https://evil.test'), options(), project, { offline: true });
    expect(other.browsers.chrome?.outcome).toBe('blocked');
    expect(other.exchanges[0]?.predicted?.path.join(' -> ')).toContain(
      'include /etc/nginx/conf.d/*.conf at nginx/nginx.conf:3 reads nginx/conf.d/00-maps.conf, nginx/conf.d/api.conf (/etc/nginx/conf.d/*.conf read as nginx/conf.d/00-maps.conf, nginx/conf.d/api.conf',
    );
  });

  it('an include of a file the project does not have is not read: the answer is not known', async () => {
    const project = await readProject(
      writeProject({
        'main.py': APP,
        'nginx.conf': MAIN('conf.d/*.conf'),
        'conf.d/api.conf': SERVER('include snippets/cors.conf;'),
      }),
    );
    const offline = checkWithSource(page('https://app.example.com'), options(), project, { offline: true });
    await expect(offline).rejects.toBeInstanceOf(UnpredictableAnswerError);
    await expect(offline).rejects.toThrow('include snippets/cors.conf (line 4) is not read');
  });
});
