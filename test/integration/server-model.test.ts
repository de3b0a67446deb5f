/**
 * The server model (src/servers) against real Starlette 0.26.1 under uvicorn: for each configuration in
 * test/fixtures/server-model/ and each request below, the predicted status and CORS header lines (names,
 * values, order) must equal what the running app answers. The endpoint's own status is the one thing the
 * model assumes rather than predicts; it is compared only where the model claims it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../../src/evidence/probe/http.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import type { HeaderList } from '../../src/model/types.js';
import { readProject } from '../../src/project/read-project.js';
import { projectStarletteVersion } from '../../src/python/starlette-version.js';
import type { PythonProject } from '../../src/python/types.js';
import { type Prediction, predictAnswer } from '../../src/servers/stack.js';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

const DIR = 'test/fixtures/server-model';
const CONFIGS = [
  'wildcard_plain',
  'str_origins',
  'lower_methods',
  'origin_regex',
  'tuple_origins',
  'constructor_list',
  'plain_starlette',
  'trusted_www',
  'trusted_str',
  'regex_flags',
] as const;

const FRONT = 'http://localhost:3000';
const preflight = (method: string, requestHeaders?: string, origin = FRONT): HeaderList => [
  ['Origin', origin],
  ['Access-Control-Request-Method', method],
  ...(requestHeaders ? ([['Access-Control-Request-Headers', requestHeaders]] as HeaderList) : []),
];

const REQUESTS: Array<{ title: string; method: string; path: string; headers: HeaderList }> = [
  {
    title: 'preflight PUT + content-type',
    method: 'OPTIONS',
    path: '/items/1',
    headers: preflight('PUT', 'content-type'),
  },
  {
    title: 'preflight GET + authorization,x-token',
    method: 'OPTIONS',
    path: '/items',
    headers: preflight('GET', 'authorization,x-token'),
  },
  {
    title: 'preflight from :5173',
    method: 'OPTIONS',
    path: '/items',
    headers: preflight('GET', undefined, 'http://localhost:5173'),
  },
  {
    title: 'preflight from a substring origin',
    method: 'OPTIONS',
    path: '/items',
    headers: preflight('GET', undefined, 'http://app.test'),
  },
  { title: 'preflight PATCH', method: 'OPTIONS', path: '/items/1', headers: preflight('PATCH') },
  { title: 'GET with Origin', method: 'GET', path: '/items', headers: [['Origin', FRONT]] },
  {
    title: 'GET with Origin and Cookie',
    method: 'GET',
    path: '/items',
    headers: [
      ['Origin', FRONT],
      ['Cookie', 's=1'],
    ],
  },
  {
    title: 'GET from another origin',
    method: 'GET',
    path: '/items',
    headers: [['Origin', 'http://evil.test']],
  },
  {
    title: 'GET with X-Api-Key',
    method: 'GET',
    path: '/items',
    headers: [
      ['Origin', FRONT],
      ['X-Api-Key', 'secret'],
    ],
  },
  { title: 'GET a public path', method: 'GET', path: '/public/status', headers: [['Origin', FRONT]] },
  {
    title: 'OPTIONS without Access-Control-Request-Method',
    method: 'OPTIONS',
    path: '/items',
    headers: [['Origin', FRONT]],
  },
  { title: 'GET an unknown path', method: 'GET', path: '/nothing', headers: [['Origin', FRONT]] },
  { title: 'GET without Origin', method: 'GET', path: '/items', headers: [] },
  { title: 'HEAD with Origin', method: 'HEAD', path: '/items', headers: [['Origin', FRONT]] },
];

const cors = (headers: HeaderList) =>
  headers.filter(([n]) => /^(access-control-|vary$)/i.test(n)).map(([n, v]) => `${n.toLowerCase()}: ${v}`);

type Server = Awaited<ReturnType<typeof startUvicorn>>;

describe.skipIf(unavailable !== undefined)(
  `server model vs real Starlette under uvicorn${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const servers = new Map<string, Server>();
    let project: PythonProject;
    beforeAll(async () => {
      project = await readProject(DIR);
      for (const config of CONFIGS) {
        servers.set(config, await startUvicorn({ appDir: DIR, app: `${config}:app`, timeoutMs: 20_000 }));
      }
    });
    afterAll(async () => {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    });

    const rows = CONFIGS.flatMap((config) => REQUESTS.map((request) => ({ config, ...request })));
    it.each(rows)('$config: $title', async ({ config, method, path, headers }) => {
      const server = servers.get(config) as Server;
      const url = `${server.url}${path}`;
      const real = await sendRaw({ method, url, headers }, 10_000);
      if (!real.response) throw new Error(`${url}: ${real.error?.message}`);
      const realHeaders = real.response.headers;
      const realBody = real.response.bodyExcerpt;

      const app = project.apps.find((a) => a.source.file === `${config}.py`);
      expect(app).toBeDefined();
      const predicted: Prediction = predictAnswer(
        app as NonNullable<typeof app>,
        { method, url, headers: [['Host', new URL(url).host], ...headers] },
        { starletteVersion: projectStarletteVersion(project).version },
      );
      expect(predicted.known, predicted.known ? '' : predicted.why).toBe(true);
      if (!predicted.known) return;
      expect(cors(predicted.headers)).toEqual(cors(realHeaders));
      if (!predicted.statusAssumed) expect(predicted.status).toBe(real.response.status);
      if (predicted.body !== undefined && predicted.answeredBy === 'CORSMiddleware')
        expect(predicted.body).toBe(realBody);
    });
  },
);
