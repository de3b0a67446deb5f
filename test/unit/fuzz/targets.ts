// The fuzzed readers and what each must do with any input: the Python project reader (and the evaluator
// and static scan on what it read), the nginx parser with the nginx model's predictions, and the scenario
// reader of `simulate` (scenario-target.ts). An input is handled when it gives a result, or a
// CorsDoctorError (bad input, one line), or an error the reader documents (NginxSyntaxError, a file listed
// with a syntax error).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { scanProject } from '../../../src/analysis/scan.js';
import { readProject } from '../../../src/project/read-project.js';
import { directiveSpans, NginxSyntaxError, parseNginxConfig } from '../../../src/proxy/nginx/config.js';
import { nginx } from '../../../src/proxy/nginx/index.js';
import { readProxyConfigs } from '../../../src/proxy/registry.js';
import { getPythonParser } from '../../../src/python/parser.js';
import { decodeText, readSmallFile } from '../../../src/python/walk.js';
import type { Prediction } from '../../../src/servers/stack.js';
import type { ServerRequest } from '../../../src/servers/types.js';
import { expectDocumented, filesUnder, REPO } from './common.js';
import { FuzzFailure, type FuzzTarget, type MutationContext, mutate, Random } from './kit.js';
import { nginxConfig, nginxRequest } from './nginx-gen.js';
import { pythonProject } from './python-gen.js';
import { scenarioTarget } from './scenario-target.js';

const READ_BY_PROJECT =
  /(\.py|\.env[\w.]*|\.conf|\.ya?ml|Dockerfile[\w.-]*|requirements[\w.-]*\.txt|\.toml|\.lock)$/;

/** The fixture projects: each folder with an app in it, as relative path -> bytes. */
function fixtureProjects(): Array<{ name: string; files: Record<string, Buffer> }> {
  const roots = [
    'test/fixtures/projects',
    'test/fixtures/broken',
    'test/fixtures/fastapi',
    'test/fixtures/nginx',
    'examples',
  ]
    .flatMap((parent) =>
      readdirSync(join(REPO, parent), { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name !== 'scenarios')
        .map((e) => join(parent, e.name)),
    )
    .concat(['test/fixtures/server-model']);
  return roots.map((root) => {
    const files: Record<string, Buffer> = {};
    for (const abs of filesUnder(join(REPO, root), (rel) => READ_BY_PROJECT.test(rel)).slice(0, 30))
      files[relative(join(REPO, root), abs)] = readFileSync(abs);
    return { name: root, files };
  });
}

const PY_TOKENS = [
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ':',
  ',',
  '=',
  '*',
  '**',
  '.',
  '@',
  '\\\n',
  '"',
  "'",
  '"""',
  '#',
  ';',
  '\n',
  '\n    ',
  'lambda',
  'async ',
  'await ',
  'yield ',
  'del ',
  'global x\n',
  'if x:\n',
  'else:',
  'not ',
  ' for o in ',
  'import ',
  'from . import *\n',
  'app',
  'CORSMiddleware',
  'add_middleware(',
  'allow_origins=',
  'os.getenv(',
  'settings.',
  'Settings()',
  'FastAPI()',
  '**kw',
  '*args',
  'f"{',
  '}"',
  'b"',
  'r"',
  '...',
  'None',
  '10**99',
  '1e999',
  ' * 10**9',
];
const NGINX_TOKENS = [
  '{',
  '}',
  ';',
  '"',
  "'",
  '#',
  '$',
  '${',
  `$\{x}`,
  '\\',
  '\n',
  'if (',
  ')',
  'location ',
  '~ ',
  '~* ',
  '= ',
  '^~ ',
  'server {',
  'http {',
  'map $a $b {',
  'add_header ',
  'Access-Control-Allow-Origin',
  'always',
  'proxy_pass ',
  'http://127.0.0.1:9000',
  'listen ',
  '8080',
  'return ',
  '204',
  'include ',
  'set $x ',
  'rewrite ',
  '$http_origin',
];
const NESTS: Record<'python' | 'nginx', Array<readonly [string, string]>> = {
  python: [
    ['(', ')'],
    ['[', ']'],
    ['{', '}'],
    ['f"{', '}"'],
    ['not ', ''],
    ['-', ''],
    ['lambda: ', ''],
    ['if x:\n' + ' ', ''],
  ],
  nginx: [
    ['location / {', '}'],
    ['if ($x) {', '}'],
    ['{', '}'],
    ['"', '"'],
    ['server {', '}'],
  ],
};

const PY_LITERAL = (random: Random, size: number): string =>
  random.pick([
    () => `"${'a'.repeat(size)}"`,
    () =>
      `ORIGINS = [${Array.from({ length: Math.ceil(size / 20) }, (_, i) => `"http://h${i}.test"`).join(', ')}]\n`,
    () => '9'.repeat(Math.min(size, 100_000)),
    () => `x${'y'.repeat(size)} = 1\n`,
    () => `# ${'c'.repeat(size)}\n`,
    () => `${'app.add_middleware(CORSMiddleware, allow_origins=["*"])\n'.repeat(Math.ceil(size / 56))}`,
  ])();

const NGINX_LITERAL = (random: Random, size: number): string =>
  random.pick([
    () => `add_header X "${'a'.repeat(size)}";\n`,
    () => `${'b'.repeat(size)};\n`,
    () => `# ${'c'.repeat(size)}\n`,
    () => `${'add_header Access-Control-Allow-Origin * always;\n'.repeat(Math.ceil(size / 48))}`,
    () => `location ~ ${'(a|'.repeat(Math.min(200, size / 10))}b${')'.repeat(Math.min(200, size / 10))} {}\n`,
    () => `location ~* ^/${'x'.repeat(size)} { return 204; }\n`,
  ])();

/** The prediction of an app behind nginx: any status, some CORS headers, or unknown. */
function upstream(random: Random): (request: ServerRequest) => Prediction {
  const status = random.pick([200, 204, 301, 401, 404, 500]);
  const known = random.chance(0.85);
  const headers = random.some(
    [
      ['access-control-allow-origin', random.pick(['*', 'http://localhost:3000', ''])],
      ['access-control-allow-credentials', 'true'],
      ['vary', 'Origin'],
      ['content-type', 'application/json'],
    ] as Array<[string, string]>,
    0.4,
  );
  return () =>
    known
      ? {
          known: true,
          status,
          headers,
          body: '',
          answeredBy: 'app',
          explanation: 'the app',
          statusAssumed: false,
          assumptions: [],
          path: ['app'],
        }
      : { known: false, why: 'the app is not modelled', assumptions: [], path: ['app'] };
}

// ----- Python -----

/** About how deep a syntax tree CPython still compiles (`1 + 1 + ...`: 2,000 terms compile, 3,000 do not). */
const PYTHON_DEPTH = 2000;

/** How deep the syntax tree of a Python file is (a cursor, which no depth overflows). */
async function treeDepth(file: string): Promise<number> {
  const read = readSmallFile(file);
  if (!read.ok) return 0;
  const tree = (await getPythonParser()).parse(decodeText(read.buf));
  if (!tree) return 0;
  const cursor = tree.walk();
  let depth = 0;
  let max = 0;
  for (;;) {
    if (cursor.gotoFirstChild()) {
      max = Math.max(max, ++depth);
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        tree.delete();
        return max;
      }
      depth--;
    }
  }
}

export interface PythonInput {
  how: string;
  files: Record<string, Buffer | string>;
}

export function pythonTarget({ short = false } = {}): FuzzTarget<PythonInput> {
  let projects: ReturnType<typeof fixtureProjects> = [];
  let corpus: Buffer[] = [];
  let scratch = '';
  const ctx = (): MutationContext => ({
    corpus,
    tokens: PY_TOKENS,
    nests: NESTS.python,
    literal: PY_LITERAL,
    short,
  });
  return {
    name: 'python',
    async setup() {
      projects = fixtureProjects();
      corpus = projects.flatMap((p) =>
        Object.entries(p.files)
          .filter(([f]) => f.endsWith('.py'))
          .map(([, b]) => b),
      );
      scratch = mkdtempSync(join(tmpdir(), 'cors-doctor-fuzz-py-'));
    },
    async teardown() {
      rmSync(scratch, { recursive: true, force: true });
    },
    make(random) {
      const generated = random.chance(0.4);
      const base = generated
        ? { name: 'generated', files: pythonProject(random) as Record<string, Buffer | string> }
        : random.pick(projects);
      const files: Record<string, Buffer | string> = { ...base.files };
      const names = Object.keys(files);
      const done: string[] = [];
      if (names.length > 0 && (!generated || random.chance(0.5))) {
        const pythonNames = names.filter((n) => n.endsWith('.py'));
        for (let k = random.pick([1, 1, 2, 3]); k > 0; k--) {
          const name =
            random.chance(0.8) && pythonNames.length > 0 ? random.pick(pythonNames) : random.pick(names);
          const mutated = mutate(Buffer.from(files[name] as Buffer | string), random, ctx());
          files[name] = mutated.bytes;
          done.push(`${name}: ${mutated.done.join('+')}`);
        }
      }
      return { how: `${base.name}${done.length ? ` (${done.join('; ')})` : ''}`, files };
    },
    async run(input) {
      rmSync(scratch, { recursive: true, force: true });
      for (const [rel, bytes] of Object.entries(input.files)) {
        mkdirSync(dirname(join(scratch, rel)), { recursive: true });
        writeFileSync(join(scratch, rel), bytes);
      }
      try {
        const project = await readProject(scratch);
        for (const e of project.filesWithErrors) {
          if (!e.message.startsWith('could not be read:')) continue;
          // Documented for code nested deeper than Python compiles; any other error is the reader's.
          const depth = await treeDepth(join(scratch, e.file));
          if (e.message !== 'could not be read: nested too deeply' || depth <= PYTHON_DEPTH)
            throw new FuzzFailure(`${e.file} (syntax tree ${depth} deep): ${e.message}`);
        }
        scanProject(project, { origins: ['http://localhost:3000'] });
      } catch (error) {
        expectDocumented(error);
      }
    },
    files: (input) => input.files,
    describe: (input) => input.how,
  };
}

// ----- nginx -----

export interface NginxInput {
  how: string;
  name: string;
  text: Buffer | string;
  requests: Array<{ request: ServerRequest; upstream: number }>;
}

export function nginxTarget({ short = false } = {}): FuzzTarget<NginxInput> {
  let seeds: Array<{ name: string; bytes: Buffer }> = [];
  const ctx = (): MutationContext => ({
    corpus: seeds.map((s) => s.bytes),
    tokens: NGINX_TOKENS,
    nests: NESTS.nginx,
    literal: NGINX_LITERAL,
    short,
  });
  return {
    name: 'nginx',
    async setup() {
      seeds = filesUnder(join(REPO, 'test/fixtures'), (rel) => rel.endsWith('.conf')).map((abs) => ({
        name: relative(REPO, abs),
        bytes: Buffer.from(
          readFileSync(abs, 'utf8')
            .replace(/@PREFIX@/g, '/tmp/x')
            .replace(/@(PORT|UPSTREAM)@/g, '8080'),
        ),
      }));
    },
    async teardown() {},
    make(random) {
      const generated = random.chance(0.4);
      const seed = generated
        ? { name: 'generated', bytes: Buffer.from(nginxConfig(random)) }
        : random.pick(seeds);
      const mutated = !generated || random.chance(0.5) ? mutate(seed.bytes, random, ctx()) : undefined;
      const requests = Array.from({ length: random.between(1, 4) }, () => ({
        request: nginxRequest(random),
        upstream: random.int(2 ** 31),
      }));
      return {
        how: `${seed.name}${mutated ? ` (${mutated.done.join('+')})` : ''}`,
        name: random.pick(['nginx.conf', 'nginx.conf', 'site.conf', 'nginx-prod.conf.template']),
        text: mutated?.bytes ?? seed.bytes,
        requests,
      };
    },
    async run(input) {
      const text = decodeText(Buffer.from(input.text));
      try {
        parseNginxConfig(text);
        directiveSpans(text);
      } catch (error) {
        expectDocumented(error, NginxSyntaxError);
      }
      const [config] = readProxyConfigs([{ rel: input.name, text }]);
      if (!config) return;
      if (config.syntaxError) return;
      for (const { request, upstream: seed } of input.requests) {
        // What answers the URL, and what it would answer even where the configuration does not listen.
        nginx.takes(config as never, request.url);
        const prediction = nginx.predict(config as never, request, upstream(new Random(seed)));
        // nginx takes `return` codes 0 to 999.
        if (prediction.known && !(Number.isInteger(prediction.status) && prediction.status <= 999))
          throw new FuzzFailure(`a predicted status of ${prediction.status}`);
      }
      // The static rules on the configuration, as `scan` runs them.
      const project = {
        root: '/fuzz',
        apps: [],
        versions: {},
        filesWithErrors: [],
        stats: { filesSeen: 0, filesParsed: 0, skipped: 0 },
        proxies: [config],
      };
      scanProject(project, { origins: ['http://localhost:3000'] });
    },
    files: (input) => ({
      [input.name]: input.text,
      'requests.json': JSON.stringify(input.requests, null, 2),
    }),
    describe: (input) => input.how,
  };
}

export const TARGETS = { python: pythonTarget, nginx: nginxTarget, scenarios: scenarioTarget } as const;
export type TargetName = keyof typeof TARGETS;
