/**
 * No secret reaches the output unless --show-secrets asks for it: every command that prints a request or an
 * answer, run through the CLI against a real node:http server that answers with cookies, a redirect with a
 * code and a body of tokens. The whole of stdout and stderr is searched for every secret. The patches of a
 * project whose `.env` and source keep secrets beside the CORS settings show them masked (scan, fix,
 * check --project, audit --project against the app under uvicorn), while --write keeps them in the files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import { MASK, MASKED_CURL_NOTE } from '../../src/report/mask.js';
import { runCli } from '../support/run-cli.js';

const ORIGIN = 'http://localhost:3000';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTc5OTk5OTk5OX0.p0Xq8Zr3Vt6Wm9Bn2Lc5Hd1Kf4Gs7Ja';

/** What the page sends. */
const SENT = {
  authorization: 'tk_Rw83Nq5Lz1Vb',
  csrf: 'csrf_Ym46Pd0Ke',
  apiKey: 'ak_live_Ux27Tc9Hs',
  loneCookie: 'lone_Qa58Wv3Fj',
  sessionCookie: 'ck_Bo14Mz8Gy',
  queryToken: 'qt_Ei92Xk6Rn',
  password: 'Hunter2_Ld70Sp',
};
/** What the server answers. */
const ANSWERED = {
  setCookie: 'set_Vh35Cq2Tw',
  code: 'code_Np61Ja4Ox',
  accessToken: 'at_Gk09Ue7Bm',
  refreshToken: 'rt_Zs48Fy1Dr',
  idToken: JWT,
};
const SECRETS = [...Object.values(SENT), ...Object.values(ANSWERED)];

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': String(req.headers.origin ?? '*'),
      'Access-Control-Allow-Credentials': 'true',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, PUT',
        'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? ''),
      });
      res.end();
      return;
    }
    if (req.url?.startsWith('/login')) {
      res.writeHead(307, { ...cors, Location: `/me?code=${ANSWERED.code}&state=ok` });
      res.end();
      return;
    }
    res.writeHead(200, {
      ...cors,
      'Content-Type': 'application/json',
      'Set-Cookie': [`session=${ANSWERED.setCookie}; Path=/; HttpOnly; Secure; SameSite=None`],
    });
    res.end(
      JSON.stringify({
        access_token: ANSWERED.accessToken,
        refresh_token: ANSWERED.refreshToken,
        id_token: ANSWERED.idToken,
        token_type: 'Bearer',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
});

/** The page's request, every secret in it. */
const request = (path = '/login') => [
  `${base}${path}?access_token=${SENT.queryToken}&page=2`,
  '--origin',
  ORIGIN,
  '-X',
  'PUT',
  '-H',
  `Authorization: Bearer ${SENT.authorization}`,
  '-H',
  `X-CSRF-Token: ${SENT.csrf}`,
  '-H',
  `api-key: ${SENT.apiKey}`,
  '--credentials',
  'include',
  '--cookie',
  `${SENT.loneCookie}; sid=${SENT.sessionCookie}`,
  '--json-body',
  `{"name": "alice", "password": "${SENT.password}"}`,
];

/** The secrets found in the output (a six-character piece of one is enough). */
function leaks(output: string, secrets: string[] = SECRETS): string[] {
  return secrets.filter((secret) => {
    for (let i = 0; i + 6 <= secret.length; i++) if (output.includes(secret.slice(i, i + 6))) return true;
    return false;
  });
}

describe('check: text, JSON and SARIF carry no secret', () => {
  it.each([
    ['text', []],
    ['json', ['--json']],
    ['sarif', ['--format', 'sarif']],
  ])('%s', async (format, extra) => {
    const { code, stdout, stderr } = await runCli(['check', ...request(), ...extra]);
    expect([0, 1]).toContain(code);
    expect(leaks(stdout + stderr)).toEqual([]);
    if (format === 'text') {
      // What helps to debug CORS stays: the scheme, the cookie names, the attributes, the redirect.
      expect(stdout).toContain(`Authorization: Bearer ${MASK}`);
      expect(stdout).toContain(`Cookie: ${MASK}; sid=${MASK}`);
      expect(stdout).toContain(`Set-Cookie: session=${MASK}; Path=/; HttpOnly; Secure; SameSite=None`);
      expect(stdout).toContain(`Location: /me?code=${MASK}&state=ok`);
      expect(stdout).toContain(`"access_token":"${MASK}"`);
      expect(stdout).toContain(`Reproduce with curl:\n  (${MASKED_CURL_NOTE})`);
    }
  });

  it('--show-secrets prints them all', async () => {
    const { stdout } = await runCli(['check', ...request(), '--json', '--show-secrets']);
    const text = JSON.parse(stdout) as unknown;
    expect(leaks(JSON.stringify(text)).sort()).toEqual([...SECRETS].sort());
  });
});

describe('the other commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cors-doctor-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fix: the request proven, in text and JSON', async () => {
    for (const extra of [[], ['--json']]) {
      const [url, ...options] = request('/items');
      const { code, stdout, stderr } = await runCli([
        'fix',
        'examples/correct',
        '--url',
        url as string,
        ...options,
        ...extra,
      ]);
      expect([0, 1]).toContain(code);
      expect(leaks(stdout + stderr, Object.values(SENT))).toEqual([]);
    }
  });

  it('simulate: the scenario URL and its console lines', async () => {
    const file = join(dir, 'scenario.json');
    writeFileSync(
      file,
      JSON.stringify({
        origin: ORIGIN,
        request: {
          url: `http://localhost:8000/me?access_token=${SENT.queryToken}`,
          method: 'PUT',
          headers: { Authorization: `Bearer ${SENT.authorization}` },
          credentials: 'include',
        },
        preflight: { status: 401, headers: [] },
      }),
    );
    for (const extra of [[], ['--json']]) {
      const { code, stdout, stderr } = await runCli(['simulate', file, ...extra]);
      expect(code).toBe(1);
      expect(stdout).toContain(`access_token=${MASK}`);
      expect(leaks(stdout + stderr)).toEqual([]);
    }
    const { stdout } = await runCli(['simulate', file, '--show-secrets']);
    expect(stdout).toContain(SENT.queryToken);
  });

  it('gen-tests: the notes carry no secret; the module sends them, and says so', async () => {
    const { code, stdout, stderr } = await runCli([
      'gen-tests',
      ...request('/items'),
      '--project',
      'examples/correct',
    ]);
    expect(code).toBe(0);
    expect(leaks(stderr)).toEqual([]);
    expect(stderr).toContain('the module carries the secrets of the request as given');
    expect(stdout).toContain(SENT.authorization);
  });

  it.each([
    ['a password in the URL', [`http://alice:${SENT.password}@127.0.0.1:1/x`]],
    ['a header line without its colon', [`${base}/me`, '-H', `Authorization Bearer ${SENT.authorization}`]],
    ['a header value that is not a ByteString', [`${base}/me`, '-H', `X-Api-Key: ${SENT.apiKey}\u2028`]],
    ['a bad timeout', [`${base}/me?token=${SENT.queryToken}`, '--timeout', 'soon']],
  ])('bad input: %s is refused without printing it', async (_title, args) => {
    const { code, stdout, stderr } = await runCli(['check', ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^cors-doctor: .+\n$/);
    expect(leaks(stdout + stderr)).toEqual([]);
  });
});

/** Settings beside the CORS ones: a patch's context lines show them. */
const SETTINGS = {
  databasePassword: 's3cr3t_Pw94Lq',
  secretKey: 'Kx82mQ0vLs7Tz',
  stripeKey: 'sk_live_Ab12Cd34Ef',
  codeKey: 'dj_Hq57Rt3Wm0',
  codePassword: 'pg_Nb26Xe8Vc',
};
const SETTING_SECRETS = Object.values(SETTINGS);

/** CORS_ORIGINS=* in .env, with credentials: its fix is written in .env, between the secrets. */
const ENV_PROJECT = {
  'main.py': `import os

from dotenv import load_dotenv
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

load_dotenv()

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=os.environ["CORS_ORIGINS"].split(","),
    allow_credentials=True,
)


@app.get("/me")
def me():
    return {"user": "alice"}
`,
  '.env': `# Local settings
DATABASE_URL=postgres://app:${SETTINGS.databasePassword}@db:5432/app
SECRET_KEY=${SETTINGS.secretKey}
CORS_ORIGINS=*
STRIPE_API_KEY=${SETTINGS.stripeKey}
DEBUG=0
`,
};

/** allow_credentials missing: its fix is written in main.py, between secrets written in the source. */
const CODE_PROJECT = {
  'main.py': `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
)
SECRET_KEY = "${SETTINGS.codeKey}"
DATABASE_URL = "postgresql://app:${SETTINGS.codePassword}@db/app"


@app.get("/me")
def me():
    return {"user": "alice"}
`,
};

const inCI = process.env.CI === 'true';
const noFastapi = await fastapiAvailable();
if (noFastapi && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${noFastapi}`);

describe('secret settings beside a patch are masked, and written as they are', () => {
  const root = mkdtempSync(join(tmpdir(), 'cors-doctor-settings-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const project = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(root, 'project-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const APP = ['--origin', 'https://app.example.com'];
  const ME = 'http://127.0.0.1:8000/me';

  /** A title, the project, the command line (`@` for its folder), what the output shows of the patch. */
  type Row = [string, Record<string, string>, string[], string];
  it.each<Row>([
    ['scan, text', ENV_PROJECT, ['scan', '@', ...APP], '+CORS_ORIGINS=https://app.example.com'],
    ['scan, JSON', ENV_PROJECT, ['scan', '@', ...APP, '--json'], `SECRET_KEY=${MASK}`],
    ['scan, SARIF', ENV_PROJECT, ['scan', '@', ...APP, '--format', 'sarif'], 'CORS_ORIGINS'],
    ['scan, html', ENV_PROJECT, ['scan', '@', ...APP, '--format', 'html'], `STRIPE_API_KEY=${MASK}`],
    [
      'scan of source, text',
      CODE_PROJECT,
      ['scan', '@', ...APP, '--credentials', 'include'],
      ` SECRET_KEY = "${MASK}"`,
    ],
    [
      'fix, text',
      ENV_PROJECT,
      ['fix', '@', ...APP, '--credentials', 'include', '--url', ME],
      `SECRET_KEY=${MASK}`,
    ],
    [
      'fix, JSON',
      ENV_PROJECT,
      ['fix', '@', ...APP, '--credentials', 'include', '--url', ME, '--json'],
      'DATABASE_URL',
    ],
    ...(['text', 'json', 'sarif', 'html'] as const).map(
      (format) =>
        [
          `check --project --offline, ${format}`,
          CODE_PROJECT,
          [
            'check',
            ME,
            ...APP,
            '--credentials',
            'include',
            '--project',
            '@',
            '--offline',
            '--format',
            format,
          ],
          format === 'sarif' ? '"uri": "main.py"' : '+    allow_credentials=True,',
        ] as Row,
    ),
  ])('%s', async (_title, files, args, shown) => {
    const dir = project(files);
    const { stdout, stderr } = await runCli(args.map((a) => (a === '@' ? dir : a)));
    const output = stdout + stderr;
    expect(output).toContain(shown);
    expect(leaks(output, SETTING_SECRETS)).toEqual([]);
  });

  it('--show-secrets prints them; --write keeps them in .env', async () => {
    const dir = project(ENV_PROJECT);
    const shown = await runCli(['scan', dir, ...APP, '--json', '--show-secrets']);
    expect(leaks(shown.stdout, SETTING_SECRETS).sort()).toEqual(
      [SETTINGS.databasePassword, SETTINGS.secretKey, SETTINGS.stripeKey].sort(),
    );
    const written = await runCli(['scan', dir, ...APP, '--write']);
    expect(leaks(written.stdout + written.stderr, SETTING_SECRETS)).toEqual([]);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(
      ENV_PROJECT['.env'].replace('CORS_ORIGINS=*', 'CORS_ORIGINS=https://app.example.com'),
    );
  });

  it.skipIf(noFastapi !== undefined).each(['text', 'json', 'sarif', 'html'])(
    'audit --project against the app under uvicorn, %s',
    async (format) => {
      const dir = project(ENV_PROJECT);
      const app = await startUvicorn({ appDir: dir });
      try {
        const { code, stdout, stderr } = await runCli([
          'audit',
          `${app.url}/me`,
          ...APP,
          '--project',
          dir,
          '--format',
          format,
        ]);
        expect(code).toBe(1);
        // SARIF names the line; the other formats show the patch.
        expect(stdout).toContain(
          format === 'sarif' ? '"uri": ".env"' : 'CORS_ORIGINS=https://app.example.com',
        );
        expect(leaks(stdout + stderr, SETTING_SECRETS)).toEqual([]);
      } finally {
        await app.stop();
      }
    },
  );
});
