/**
 * nginx edits at the directive level: each row is a configuration, an edit, and the text after it. Every
 * text after an edit is also checked by the real `nginx -t`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NginxChange } from '../../../src/core/causes.js';
import { applyEdit, EditDoesNotApply } from '../../../src/fix/edits.js';
import { addHeaderLine, bottomUp, type NginxEdit, nginxEdit } from '../../../src/fix/nginx-edits.js';
import { nginxAvailable, nginxRejects } from '../../../src/local-servers/nginx.js';

const edit = (line: number, directive: string, change: NginxChange, lines: string[] = []): NginxEdit =>
  nginxEdit('nginx.conf', { name: directive, line }, change, lines);

const CONF = `events {}
http {
    server {
        listen 127.0.0.1:8080;
        add_header Access-Control-Allow-Origin "http://localhost:3000" always;

        location /api/ {
            add_header 'Access-Control-Allow-Origin' 'http://localhost:3000'; # no always
            add_header Cache-Control no-store;
            proxy_pass http://127.0.0.1:9000;
        }
    }
}
`;

const ROWS: Array<{ title: string; before: string; edits: NginxEdit[]; after: string }> = [
  {
    title: 'append: "always" goes before the ";", quotes and the comment stay',
    before: CONF,
    edits: [edit(8, 'add_header', 'append', ['always'])],
    after: CONF.replace(
      "'http://localhost:3000'; # no always",
      "'http://localhost:3000' always; # no always",
    ),
  },
  {
    title: 'insert-after: a directive below another, at its indentation',
    before: CONF,
    edits: [
      edit(8, 'add_header', 'insert-after', [
        addHeaderLine('Access-Control-Allow-Credentials', 'true', true),
      ]),
    ],
    after: CONF.replace(
      '# no always\n',
      '# no always\n            add_header Access-Control-Allow-Credentials "true" always;\n',
    ),
  },
  {
    title: "insert-into: the first lines of a location, at its first directive's indentation",
    before: CONF,
    edits: [
      edit(7, 'location', 'insert-into', [
        addHeaderLine('Access-Control-Allow-Origin', 'http://localhost:3000', true),
        addHeaderLine('Access-Control-Max-Age', '600', false),
      ]),
    ],
    after: CONF.replace(
      'location /api/ {\n',
      'location /api/ {\n            add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n            add_header Access-Control-Max-Age 600;\n',
    ),
  },
  {
    title: 'insert-before: a block before a location, four spaces a level',
    before: CONF,
    edits: [
      edit(7, 'location', 'insert-before', [
        'location = /api {',
        '    proxy_pass http://127.0.0.1:9000/api/;',
        '}',
        '',
      ]),
    ],
    after: CONF.replace(
      '        location /api/ {\n',
      '        location = /api {\n            proxy_pass http://127.0.0.1:9000/api/;\n        }\n\n        location /api/ {\n',
    ),
  },
  {
    title: 'copy-before: the block as written (comments kept), a new head and proxy_pass',
    before: CONF.replace('        location /api/ {\n', '        # the API\n        location /api/ {\n'),
    edits: [
      edit(8, 'location', 'copy-before', ['location = /api', 'proxy_pass http://127.0.0.1:9000/api/;']),
    ],
    after: CONF.replace(
      '        location /api/ {\n',
      `        # the API\n        location = /api {\n            add_header 'Access-Control-Allow-Origin' 'http://localhost:3000'; # no always\n            add_header Cache-Control no-store;\n            proxy_pass http://127.0.0.1:9000/api/;\n        }\n        location /api/ {\n`,
    ),
  },
  {
    title: "replace: a block's head, its body kept",
    before: CONF,
    edits: [edit(7, 'location', 'replace', ['location /api'])],
    after: CONF.replace('location /api/ {', 'location /api {'),
  },
  {
    title: 'remove: whole lines go, comment on the line included; bottom-up keeps the lines right',
    before: CONF,
    edits: bottomUp([edit(5, 'add_header', 'remove'), edit(8, 'add_header', 'remove')]),
    after: CONF.replace(
      '        add_header Access-Control-Allow-Origin "http://localhost:3000" always;\n',
      '',
    ).replace(
      "            add_header 'Access-Control-Allow-Origin' 'http://localhost:3000'; # no always\n",
      '',
    ),
  },
  {
    title: 'remove: an if block with its body',
    before:
      'events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      if ($request_method = OPTIONS) {\n        return 204;\n      }\n      proxy_pass http://127.0.0.1:9000;\n    }\n  }\n}\n',
    edits: [edit(6, 'if', 'remove')],
    after:
      'events {}\nhttp {\n  server {\n    listen 8080;\n    location / {\n      proxy_pass http://127.0.0.1:9000;\n    }\n  }\n}\n',
  },
  {
    title: 'a file indented with tabs and written with CRLF keeps both',
    before:
      'events {}\r\nhttp {\r\n\tserver {\r\n\t\tlisten 8080;\r\n\t\tlocation / {\r\n\t\t\tproxy_pass http://127.0.0.1:9000;\r\n\t\t}\r\n\t}\r\n}\r\n',
    edits: [edit(5, 'location', 'insert-before', ['location = /x {', '    return 204;', '}'])],
    after:
      'events {}\r\nhttp {\r\n\tserver {\r\n\t\tlisten 8080;\r\n\t\tlocation = /x {\r\n\t\t\treturn 204;\r\n\t\t}\r\n\t\tlocation / {\r\n\t\t\tproxy_pass http://127.0.0.1:9000;\r\n\t\t}\r\n\t}\r\n}\r\n',
  },
];

describe('nginx-directive edits', () => {
  it.each(ROWS)('$title', ({ before, edits, after }) => {
    expect(edits.reduce((text, e) => applyEdit(text, e), before)).toBe(after);
  });

  it.each([
    { title: 'the directive is not on the line (the file changed)', e: edit(9, 'proxy_pass', 'remove') },
    {
      title: 'insert-into a directive that is not a block',
      e: edit(10, 'proxy_pass', 'insert-into', ['x;']),
    },
    {
      title: 'a change that nginx could not parse',
      e: edit(10, 'proxy_pass', 'insert-after', ['location {']),
    },
  ])('refuses: $title', ({ e }) => {
    expect(() => applyEdit(CONF, e)).toThrow(EditDoesNotApply);
  });
});

describe('every text after an edit is valid for nginx -t', () => {
  const missing = nginxAvailable();
  if (missing && process.env.CI === 'true') throw new Error(`CI needs nginx: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-nginx-edits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.skipIf(missing !== undefined).each(ROWS)('$title', ({ title, after }) => {
    const file = join(dir, `${title.replace(/\W+/g, '-')}.conf`);
    writeFileSync(file, after);
    expect(nginxRejects(file, dir, `pid ${dir}/nginx.pid; error_log stderr;`)).toBeUndefined();
  });
});
