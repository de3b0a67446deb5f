/**
 * Replays a hand-picked matrix of CORS scenarios in real Chromium and Firefox ESR and writes what
 * each browser did to /tmp/observed.json (or the path given as the first argument).
 *
 *   npx vite-node scripts/explore-browsers.ts [out.json] [--only chrome|firefox] [--settle ms]
 */
import { writeFile } from 'node:fs/promises';
import { type ReplayedScenario, replayScenarios } from '../src/browsers/replay.js';
import type { BrowserName, CredentialsMode, HeaderList, RequestMode, Scenario } from '../src/model/types.js';
import { startScenarioServers } from '../test/support/scenario-server.js';

/** `$ORIGIN` stands for the page origin, `$UPPER` for it in uppercase, `$OTHER` for another port. */
interface MatrixEntry {
  id: string;
  title: string;
  method?: string;
  headers?: HeaderList;
  credentials?: CredentialsMode;
  mode?: RequestMode;
  body?: string;
  preflight?: { status: number; headers: HeaderList };
  response?: { status: number; headers: HeaderList };
}

const ACAO: [string, string] = ['Access-Control-Allow-Origin', '$ORIGIN'];
const ACAC: [string, string] = ['Access-Control-Allow-Credentials', 'true'];
const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const ALLOW_PUT: HeaderList = [
  ACAO,
  ['Access-Control-Allow-Methods', 'PUT'],
  ['Access-Control-Allow-Headers', 'Content-Type'],
];
const OK: { status: number; headers: HeaderList } = { status: 200, headers: [ACAO] };
const OK_CRED: { status: number; headers: HeaderList } = { status: 200, headers: [ACAO, ACAC] };
const NO_ACAO = { status: 200, headers: [] };
const put = (preflight: MatrixEntry['preflight'], response = OK): Partial<MatrixEntry> => ({
  method: 'PUT',
  headers: [JSON_TYPE],
  body: '{}',
  preflight,
  response,
});
const get = (...headers: HeaderList): Partial<MatrixEntry> => ({ response: { status: 200, headers } });
const preflightRedirect = (status: number, withAcao: boolean): MatrixEntry => ({
  id: `pf-${status}-location${withAcao ? '-acao' : ''}`,
  title: `preflight ${status} with Location ${withAcao ? 'and a correct ACAO' : 'and no ACAO'}`,
  ...put({
    status,
    headers: [['Location', '$API/s/elsewhere'], ...(withAcao ? ALLOW_PUT : [])],
  }),
});
const preflightStatus = (status: number, withAcao: boolean): MatrixEntry => ({
  id: `pf-${status}${withAcao ? '-acao' : '-no-acao'}`,
  title: `preflight ${status} ${withAcao ? 'with correct ACAO, ACAM, ACAH' : 'without ACAO'}`,
  ...put({ status, headers: withAcao ? ALLOW_PUT : [] }),
});
const accept128 = 'a'.repeat(128);

export const MATRIX: MatrixEntry[] = [
  { id: 'get-no-acao', title: 'GET, no ACAO', ...get() },
  { id: 'get-acao-ok', title: 'GET, correct ACAO', ...get(ACAO) },
  { id: 'get-acao-star', title: 'GET, ACAO *', ...get(['Access-Control-Allow-Origin', '*']) },
  {
    id: 'get-acao-slash',
    title: 'GET, ACAO with trailing slash',
    ...get(['Access-Control-Allow-Origin', '$ORIGIN/']),
  },
  { id: 'get-acao-upper', title: 'GET, ACAO uppercase', ...get(['Access-Control-Allow-Origin', '$UPPER']) },
  {
    id: 'get-acao-other-port',
    title: 'GET, ACAO other port',
    ...get(['Access-Control-Allow-Origin', '$OTHER']),
  },
  { id: 'get-acao-null', title: 'GET, ACAO null', ...get(['Access-Control-Allow-Origin', 'null']) },
  { id: 'get-acao-foo', title: 'GET, ACAO foo (invalid)', ...get(['Access-Control-Allow-Origin', 'foo']) },
  { id: 'get-acao-empty', title: 'GET, ACAO empty string', ...get(['Access-Control-Allow-Origin', '']) },
  {
    id: 'get-acao-spaces',
    title: 'GET, ACAO origin padded with spaces',
    ...get(['Access-Control-Allow-Origin', '  $ORIGIN  ']),
  },
  { id: 'get-acao-twice-same', title: 'GET, two ACAO lines, same origin', ...get(ACAO, ACAO) },
  {
    id: 'get-acao-twice-other',
    title: 'GET, two ACAO lines, origin and other',
    ...get(ACAO, ['Access-Control-Allow-Origin', 'http://other.example']),
  },
  {
    id: 'get-acao-comma',
    title: 'GET, one ACAO line "origin, other"',
    ...get(['Access-Control-Allow-Origin', '$ORIGIN, http://other.example']),
  },
  {
    id: 'get-acao-star-comma',
    title: 'GET, one ACAO line "*, origin"',
    ...get(['Access-Control-Allow-Origin', '*, $ORIGIN']),
  },
  {
    id: 'cred-star',
    title: 'GET credentials include, ACAO *',
    credentials: 'include',
    ...get(['Access-Control-Allow-Origin', '*']),
  },
  {
    id: 'cred-no-acac',
    title: 'GET credentials include, ACAO correct, no ACAC',
    credentials: 'include',
    ...get(ACAO),
  },
  {
    id: 'cred-acac-True',
    title: 'GET credentials include, ACAC True',
    credentials: 'include',
    ...get(ACAO, ['Access-Control-Allow-Credentials', 'True']),
  },
  {
    id: 'cred-acac-true',
    title: 'GET credentials include, ACAC true',
    credentials: 'include',
    ...get(ACAO, ACAC),
  },
  { id: 'put-ok', title: 'PUT JSON, preflight 200 all right', ...put({ status: 200, headers: ALLOW_PUT }) },
  {
    id: 'put-pf-204',
    title: 'PUT JSON, preflight 204 all right',
    ...put({ status: 204, headers: ALLOW_PUT }),
  },
  {
    id: 'put-no-preflight-answer',
    title: 'PUT JSON, OPTIONS not handled (404, no headers)',
    ...put(undefined),
  },
  preflightStatus(200, false),
  preflightStatus(404, false),
  preflightStatus(405, false),
  preflightStatus(500, false),
  preflightStatus(400, true),
  preflightStatus(401, true),
  preflightStatus(404, true),
  preflightStatus(500, true),
  preflightRedirect(301, false),
  preflightRedirect(301, true),
  preflightRedirect(302, false),
  preflightRedirect(302, true),
  preflightRedirect(307, false),
  preflightRedirect(307, true),
  {
    id: 'pf-acao-mismatch',
    title: 'preflight ACAO other origin',
    ...put({
      status: 200,
      headers: [
        ['Access-Control-Allow-Origin', 'http://other.example'],
        ['Access-Control-Allow-Methods', 'PUT'],
        ['Access-Control-Allow-Headers', 'Content-Type'],
      ],
    }),
  },
  {
    id: 'pf-acao-twice',
    title: 'preflight two ACAO lines',
    ...put({ status: 200, headers: [ACAO, ...ALLOW_PUT] }),
  },
  {
    id: 'pf-acam-missing',
    title: 'preflight without ACAM for PUT',
    ...put({ status: 200, headers: [ACAO, ['Access-Control-Allow-Headers', 'Content-Type']] }),
  },
  {
    id: 'pf-acam-lower',
    title: 'preflight ACAM put (lowercase) for PUT',
    ...put({
      status: 200,
      headers: [
        ACAO,
        ['Access-Control-Allow-Methods', 'put'],
        ['Access-Control-Allow-Headers', 'Content-Type'],
      ],
    }),
  },
  {
    id: 'pf-acam-other',
    title: 'preflight ACAM "GET, POST" for DELETE',
    method: 'DELETE',
    preflight: { status: 200, headers: [ACAO, ['Access-Control-Allow-Methods', 'GET, POST']] },
    response: OK,
  },
  {
    id: 'pf-acam-star',
    title: 'preflight ACAM * without credentials',
    ...put({
      status: 200,
      headers: [
        ACAO,
        ['Access-Control-Allow-Methods', '*'],
        ['Access-Control-Allow-Headers', 'Content-Type'],
      ],
    }),
  },
  {
    id: 'pf-acam-star-cred',
    title: 'preflight ACAM * with credentials',
    credentials: 'include',
    ...put(
      {
        status: 200,
        headers: [
          ACAO,
          ACAC,
          ['Access-Control-Allow-Methods', '*'],
          ['Access-Control-Allow-Headers', 'Content-Type'],
        ],
      },
      OK_CRED,
    ),
  },
  {
    id: 'pf-acam-invalid',
    title: 'preflight ACAM "Bad method name"',
    ...put({
      status: 200,
      headers: [
        ACAO,
        ['Access-Control-Allow-Methods', 'Bad method name'],
        ['Access-Control-Allow-Headers', 'Content-Type'],
      ],
    }),
  },
  {
    id: 'pf-acah-missing',
    title: 'preflight ACAH missing for Content-Type',
    ...put({ status: 200, headers: [ACAO, ['Access-Control-Allow-Methods', 'PUT']] }),
  },
  {
    id: 'pf-acah-star-auth',
    title: 'preflight ACAH * with Authorization, no credentials',
    method: 'PUT',
    headers: [['Authorization', 'Bearer x']],
    preflight: {
      status: 200,
      headers: [ACAO, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', '*']],
    },
    response: OK,
  },
  {
    id: 'pf-acah-star-auth-cred',
    title: 'preflight ACAH * with Authorization, credentials include',
    method: 'PUT',
    credentials: 'include',
    headers: [['Authorization', 'Bearer x']],
    preflight: {
      status: 200,
      headers: [ACAO, ACAC, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', '*']],
    },
    response: OK_CRED,
  },
  {
    id: 'pf-acah-star-custom-cred',
    title: 'preflight ACAH * with X-Custom, credentials include',
    method: 'PUT',
    credentials: 'include',
    headers: [['X-Custom', '1']],
    preflight: {
      status: 200,
      headers: [ACAO, ACAC, ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', '*']],
    },
    response: OK_CRED,
  },
  {
    id: 'pf-acah-auth-missing',
    title: 'preflight ACAH content-type only, request has Authorization',
    method: 'PUT',
    headers: [JSON_TYPE, ['Authorization', 'Bearer x']],
    body: '{}',
    preflight: { status: 200, headers: ALLOW_PUT },
    response: OK,
  },
  {
    id: 'pf-acah-invalid',
    title: 'preflight ACAH "header name with space"',
    ...put({
      status: 200,
      headers: [
        ACAO,
        ['Access-Control-Allow-Methods', 'PUT'],
        ['Access-Control-Allow-Headers', 'content-type,header name with space'],
      ],
    }),
  },
  {
    id: 'pf-acah-invalid-method-missing',
    title: 'preflight ACAM ok but without PUT, ACAH invalid',
    ...put({
      status: 200,
      headers: [
        ACAO,
        ['Access-Control-Allow-Methods', 'POST, DELETE'],
        ['Access-Control-Allow-Headers', 'header name with space'],
      ],
    }),
  },
  {
    id: 'pf-acac-missing-cred',
    title: 'preflight without ACAC, credentials include',
    credentials: 'include',
    ...put({ status: 200, headers: ALLOW_PUT }, OK_CRED),
  },
  {
    id: 'patch-lower',
    title: 'method patch (lowercase), ACAM PATCH',
    method: 'patch',
    preflight: { status: 200, headers: [ACAO, ['Access-Control-Allow-Methods', 'PATCH']] },
    response: OK,
  },
  {
    id: 'patch-lower-ok',
    title: 'method patch (lowercase), ACAM patch',
    method: 'patch',
    preflight: { status: 200, headers: [ACAO, ['Access-Control-Allow-Methods', 'patch']] },
    response: OK,
  },
  {
    id: 'actual-no-acao',
    title: 'preflight OK, actual response without ACAO',
    ...put({ status: 200, headers: ALLOW_PUT }, NO_ACAO),
  },
  {
    id: 'actual-acao-mismatch',
    title: 'preflight OK, actual response ACAO other origin',
    ...put(
      { status: 200, headers: ALLOW_PUT },
      { status: 200, headers: [['Access-Control-Allow-Origin', 'http://other.example']] },
    ),
  },
  {
    id: 'actual-500-no-acao',
    title: 'preflight OK, actual 500 without ACAO',
    ...put({ status: 200, headers: ALLOW_PUT }, { status: 500, headers: [] }),
  },
  {
    id: 'actual-401-acao',
    title: 'preflight OK, actual 401 with correct ACAO',
    ...put({ status: 200, headers: ALLOW_PUT }, { status: 401, headers: [ACAO] }),
  },
  { id: 'get-500-no-acao', title: 'GET, 500 without ACAO', response: { status: 500, headers: [] } },
  {
    id: 'two-custom-missing',
    title: 'X-Zeta and X-Alpha, ACAH x-other',
    headers: [
      ['X-Zeta', '1'],
      ['X-Alpha', '1'],
    ],
    preflight: { status: 200, headers: [ACAO, ['Access-Control-Allow-Headers', 'x-other']] },
    response: OK,
  },
  {
    id: 'two-custom-one-missing',
    title: 'X-Zeta and X-Alpha, ACAH x-alpha',
    headers: [
      ['X-Zeta', '1'],
      ['X-Alpha', '1'],
    ],
    preflight: { status: 200, headers: [ACAO, ['Access-Control-Allow-Headers', 'x-alpha']] },
    response: OK,
  },
  {
    id: 'custom-header-ok',
    title: 'X-Requested-With allowed',
    headers: [['X-Requested-With', 'XMLHttpRequest']],
    preflight: { status: 200, headers: [ACAO, ['Access-Control-Allow-Headers', 'X-Requested-With']] },
    response: OK,
  },
  {
    id: 'accept-two-lines-200',
    title: 'two Accept lines of 100 bytes (combined > 128)',
    headers: [
      ['Accept', 'a'.repeat(100)],
      ['Accept', 'b'.repeat(100)],
    ],
    preflight: { status: 200, headers: [ACAO] },
    response: OK,
  },
  {
    id: 'safelist-1024',
    title: 'safelisted values totalling 1024 bytes (8 Accept lines of 128)',
    headers: Array.from({ length: 8 }, (): [string, string] => ['Accept', accept128]),
    preflight: { status: 200, headers: [ACAO] },
    response: OK,
  },
  {
    id: 'safelist-1024-distinct',
    title: 'safelisted values of distinct names totalling 512 bytes',
    headers: [
      ['Accept', accept128],
      ['Accept-Language', 'fr'.repeat(64)],
      ['Content-Language', 'de'.repeat(64)],
      ['Content-Type', `text/plain;x=${'y'.repeat(115)}`],
    ],
    method: 'POST',
    body: 'x',
    preflight: { status: 200, headers: [ACAO] },
    response: OK,
  },
  {
    id: 'post-text-plain-charset',
    title: 'POST Content-Type text/plain;charset=utf-8',
    method: 'POST',
    headers: [['Content-Type', 'text/plain;charset=utf-8']],
    body: 'x',
    response: OK,
  },
  {
    id: 'range-0-10',
    title: 'GET Range bytes=0-10',
    headers: [['Range', 'bytes=0-10']],
    preflight: { status: 200, headers: [ACAO] },
    response: OK,
  },
  {
    id: 'range-suffix',
    title: 'GET Range bytes=-10',
    headers: [['Range', 'bytes=-10']],
    preflight: { status: 200, headers: [ACAO] },
    response: OK,
  },
  {
    id: 'accept-language-at',
    title: 'GET Accept-Language with @',
    headers: [['Accept-Language', 'fr@x']],
    preflight: { status: 200, headers: [ACAO] },
    response: OK,
  },
  { id: 'no-cors-no-acao', title: 'mode no-cors, no ACAO', mode: 'no-cors', response: NO_ACAO },
];

interface Observation {
  id: string;
  title: string;
  scenario: Scenario;
  chrome?: ReplayedScenario;
  firefox?: ReplayedScenario;
}

function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$(ORIGIN|UPPER|OTHER|API)/g, (_, name: string) => vars[name] ?? '');
}

function toScenario(entry: MatrixEntry, vars: Record<string, string>, url: string): Scenario {
  const headers = (list: HeaderList): HeaderList => list.map(([n, v]) => [n, substitute(v, vars)]);
  const scenario: Scenario = {
    origin: vars.ORIGIN as string,
    request: { url, method: entry.method ?? 'GET' },
  };
  if (entry.headers) scenario.request.headers = headers(entry.headers);
  if (entry.credentials) scenario.request.credentials = entry.credentials;
  if (entry.mode) scenario.request.mode = entry.mode;
  if (entry.body !== undefined) scenario.request.body = entry.body;
  if (entry.preflight)
    scenario.preflight = { status: entry.preflight.status, headers: headers(entry.preflight.headers) };
  if (entry.response)
    scenario.response = { status: entry.response.status, headers: headers(entry.response.headers) };
  return scenario;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const only = flag('--only') as BrowserName | undefined;
  const settle = flag('--settle');
  const out = args[0] ?? '/tmp/observed.json';
  const browsers: BrowserName[] = only ? [only] : ['chrome', 'firefox'];

  const servers = await startScenarioServers();
  try {
    const pageUrl = new URL(servers.pageOrigin);
    const vars = {
      ORIGIN: servers.pageOrigin,
      UPPER: servers.pageOrigin.toUpperCase(),
      OTHER: `http://localhost:${Number(pageUrl.port) + 1}`,
      API: servers.apiBase,
    };
    const observations: Observation[] = MATRIX.map((entry) => ({
      id: entry.id,
      title: entry.title,
      scenario: toScenario(entry, vars, servers.scenarioUrl(entry.id)),
    }));
    for (const name of browsers) {
      const started = Date.now();
      const results = await replayScenarios(
        name,
        observations.map((o) => o.scenario),
        {
          host: servers,
          ...(settle ? { settleMs: Number(settle) } : {}),
          onProgress: (done, total) => process.stderr.write(`\r${name} ${done}/${total}`),
          onLateLines: (index, lines) =>
            process.stderr.write(`\nlate lines for ${MATRIX[index]?.id}: ${JSON.stringify(lines)}\n`),
        },
      );
      process.stderr.write(`\n${name}: ${results.length} scenarios in ${Date.now() - started} ms\n`);
      results.forEach((result, i) => {
        (observations[i] as Observation)[name] = result;
      });
    }
    await writeFile(out, `${JSON.stringify(observations, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  } finally {
    await servers.close();
  }
}

await main();
