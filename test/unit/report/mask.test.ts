import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/analyze.js';
import { buildVerifyReport, maskVerifyReport } from '../../../src/browsers/verify-report.js';
import { renderVerify } from '../../../src/browsers/verify-text.js';
import type { Exchange } from '../../../src/core/exchange.js';
import type { PageFetch } from '../../../src/core/page.js';
import type { CheckReport } from '../../../src/core/report.js';
import type { HeaderList } from '../../../src/model/types.js';
import { curlCommand } from '../../../src/report/curl.js';
import {
  MASK,
  MASKED_CURL_NOTE,
  maskReport,
  maskSecrets,
  maskText,
  maskValue,
  secretsInArguments,
} from '../../../src/report/mask.js';
import { render } from '../../../src/report/renderers.js';

const ORIGIN = 'https://app.example.com';
const API = 'https://api.example.com/v1/me';
const plain = pc.createColors(false);

// Real-looking secrets: each one random enough that a six-character piece of it found in the output
// can only come from the secret.
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ZjNhYzkiLCJleHAiOjE3OTk5OTk5OTl9.Qm9xV2c1dHJ4Wk9yTnc3dUpmZEs';

const LONG_TOKEN =
  'at_Fe38Yk9zLq4Wv7Bn2Xc5Zm8Rt1Yh6Jd3Ks0Gp9UaNe2Mf5Hb8Tc1Vx4Qw7Ez0Ri3Oy6Pu9As2Dg5Fj8Hk1Lz4Xn7Cb0Mv3';

/** Where the secret is put: the page's request and the server's answers. */
interface Placement {
  page?: Partial<PageFetch>;
  request?: HeaderList;
  preflight?: { status?: number; headers?: HeaderList; body?: string };
  response?: { status?: number; headers?: HeaderList; body?: string };
}

const ALLOW: HeaderList = [
  ['Access-Control-Allow-Origin', ORIGIN],
  ['Access-Control-Allow-Credentials', 'true'],
  ['Access-Control-Allow-Methods', 'GET, POST, PUT'],
  [
    'Access-Control-Allow-Headers',
    'authorization, proxy-authorization, x-csrf-token, api-key, x-api-key, x-auth-token, x-session-id, x-xsrf-token, content-type',
  ],
];

/** A check of the page's request against an API that answers `placement`'s preflight and response. */
function checkReport(placement: Placement): CheckReport {
  const headers = placement.request ?? [];
  const page: PageFetch = {
    url: API,
    origin: ORIGIN,
    method: 'PUT',
    headers,
    credentials: 'include',
    ...placement.page,
  };
  const cookie: HeaderList = page.cookie === undefined ? [] : [['Cookie', page.cookie]];
  const names = headers.map(([n]) => n.toLowerCase()).join(',');
  const exchanges: Exchange[] = [
    {
      kind: 'preflight',
      request: {
        method: 'OPTIONS',
        url: page.url,
        headers: [
          ['Origin', ORIGIN],
          ['Access-Control-Request-Method', page.method],
          ...(names ? ([['Access-Control-Request-Headers', names]] as HeaderList) : []),
        ],
      },
      response: {
        status: placement.preflight?.status ?? 204,
        statusText: '',
        headers: [...ALLOW, ...(placement.preflight?.headers ?? [])],
        bodyExcerpt: placement.preflight?.body ?? '',
      },
      ms: 3,
    },
    {
      kind: 'actual',
      request: {
        method: page.method,
        url: page.url,
        headers: [['Origin', ORIGIN], ...headers, ...cookie],
        ...(page.body !== undefined && { body: page.body }),
      },
      response: {
        status: placement.response?.status ?? 200,
        statusText: 'OK',
        headers: [...ALLOW, ...(placement.response?.headers ?? [])],
        bodyExcerpt: placement.response?.body ?? '{}',
      },
      ms: 4,
    },
  ];
  return analyze(page, exchanges, ['chrome', 'firefox']);
}

/** Every piece of the output a user sees: text (with the curl lines), JSON and SARIF. */
function outputs(report: CheckReport): Record<'text' | 'json' | 'sarif' | 'curl', string> {
  const options = { style: plain, version: '0.0.0' };
  return {
    text: render('text', { command: 'check', report }, options),
    json: render('json', { command: 'check', report }, options),
    sarif: render('sarif', { command: 'check', report }, options),
    curl: report.exchanges.map((x) => curlCommand(x.request)).join('\n'),
  };
}

/** The first piece of `secret` (six characters or more) found in `text`. */
function leaked(text: string, secret: string): string | undefined {
  const size = Math.min(6, secret.length);
  for (let i = 0; i + size <= secret.length; i++) {
    const piece = secret.slice(i, i + size);
    if (text.includes(piece)) return piece;
  }
  return undefined;
}

interface Row {
  title: string;
  secrets: string[];
  placement: Placement;
  /** What the masked text keeps (the scheme, cookie names, the parameter's name). */
  keeps: string[];
}

const ROWS: Row[] = [
  {
    title: 'Authorization: Bearer',
    secrets: ['tk_4fQz9LwX2mVb7Rn'],
    placement: { request: [['Authorization', 'Bearer tk_4fQz9LwX2mVb7Rn']] },
    keeps: [`Authorization: Bearer ${MASK}`],
  },
  {
    title: 'Authorization: Basic',
    secrets: ['YWxpY2U6czNjcjN0UGFzcw=='],
    placement: { request: [['Authorization', 'Basic YWxpY2U6czNjcjN0UGFzcw==']] },
    keeps: [`Authorization: Basic ${MASK}`],
  },
  {
    title: 'Authorization without a scheme',
    secrets: ['9c1e7f0a2b5d48e3'],
    placement: { request: [['Authorization', '9c1e7f0a2b5d48e3']] },
    keeps: [`Authorization: ${MASK}`],
  },
  {
    title: 'Proxy-Authorization',
    secrets: ['cHJveHk6UXc3eFpwMg=='],
    placement: { request: [['Proxy-Authorization', 'Basic cHJveHk6UXc3eFpwMg==']] },
    keeps: [`Proxy-Authorization: Basic ${MASK}`],
  },
  {
    title: 'X-CSRF-Token',
    secrets: ['Kq8vN3xZ0pLr5sTy'],
    placement: { request: [['X-CSRF-Token', 'Kq8vN3xZ0pLr5sTy']] },
    keeps: [`X-CSRF-Token: ${MASK}`],
  },
  {
    title: 'api-key',
    secrets: ['ak_live_7HgT2mQ9'],
    placement: { request: [['api-key', 'ak_live_7HgT2mQ9']] },
    keeps: [`api-key: ${MASK}`],
  },
  {
    title: 'X-Api-Key',
    secrets: ['AIzaSyD3kR7uXq'],
    placement: { request: [['X-Api-Key', 'AIzaSyD3kR7uXq']] },
    keeps: [`X-Api-Key: ${MASK}`],
  },
  {
    title: 'X-Auth-Token, X-Session-Id, X-XSRF-TOKEN',
    secrets: ['auth_Zx81Lq', 'sess_Pm40Tw', 'xsrf_Hy62Cv'],
    placement: {
      request: [
        ['X-Auth-Token', 'auth_Zx81Lq'],
        ['X-Session-Id', 'sess_Pm40Tw'],
        ['X-XSRF-TOKEN', 'xsrf_Hy62Cv'],
      ],
    },
    keeps: [`X-Auth-Token: ${MASK}`, `X-Session-Id: ${MASK}`, `X-XSRF-TOKEN: ${MASK}`],
  },
  {
    title: 'Cookie: every value, names kept',
    secrets: ['s3ss10n_Yq72', 'dark_Lw93'],
    placement: { page: { cookie: 'session=s3ss10n_Yq72; theme=dark_Lw93' } },
    keeps: [`Cookie: session=${MASK}; theme=${MASK}`],
  },
  {
    title: 'a cookie without =',
    secrets: ['abc123Qz7w'],
    placement: { page: { cookie: 'abc123Qz7w' } },
    keeps: [`Cookie: ${MASK}`],
  },
  {
    title: 'Set-Cookie: the value, attributes kept',
    secrets: ['rot4ted_Vn51Kp'],
    placement: {
      response: {
        headers: [['Set-Cookie', 'session=rot4ted_Vn51Kp; Path=/; HttpOnly; Secure; SameSite=None']],
      },
    },
    keeps: [`Set-Cookie: session=${MASK}; Path=/; HttpOnly; Secure; SameSite=None`],
  },
  {
    title: 'a password in the URL',
    secrets: ['pw_Rk82Xm'],
    placement: { page: { url: 'https://alice:pw_Rk82Xm@api.example.com/v1/me' } },
    keeps: [`https://alice:${MASK}@api.example.com/v1/me`],
  },
  {
    title: 'token-like query parameters',
    secrets: [
      'qt_Lm29Xv',
      'at_Ws71Bn',
      'ak_Fz44Jq',
      'k_Tp63Cx',
      'sg_Hr05Md',
      'cd_Yu38Ne',
      'pw_Gb17Ko',
      'sc_Vd92Ai',
    ],
    placement: {
      page: {
        url: `${API}?token=qt_Lm29Xv&access_token=at_Ws71Bn&api_key=ak_Fz44Jq&key=k_Tp63Cx&sig=sg_Hr05Md&code=cd_Yu38Ne&password=pw_Gb17Ko&secret=sc_Vd92Ai&page=2`,
      },
    },
    keeps: [`?token=${MASK}&access_token=${MASK}&api_key=${MASK}&key=${MASK}&sig=${MASK}`, '&page=2'],
  },
  {
    title: 'a Location header with a code and a token in its fragment',
    secrets: ['oc_Qe58Ls', 'ft_Jc26Wd'],
    placement: {
      response: {
        status: 200,
        headers: [['Location', 'https://app.example.com/cb?code=oc_Qe58Ls&state=ok#access_token=ft_Jc26Wd']],
      },
    },
    keeps: [`cb?code=${MASK}&state=ok#access_token=${MASK}`],
  },
  {
    title: 'request body: JSON',
    secrets: ['Hunter2_Xq9', 'cs_Lp47Zr', 'ak_Ud63Vm'],
    placement: {
      page: {
        body: '{"username": "alice", "password": "Hunter2_Xq9", "client_secret": "cs_Lp47Zr", "api_key": "ak_Ud63Vm"}',
      },
    },
    keeps: [`"password": "${MASK}"`, '"username": "alice"'],
  },
  {
    title: 'request body: form',
    secrets: ['Hunter3_Wm2', 'cs_Ty58Qa', 'ac_Ro91Ez'],
    placement: {
      page: {
        body: 'grant_type=authorization_code&code=ac_Ro91Ez&password=Hunter3_Wm2&client_secret=cs_Ty58Qa',
      },
    },
    keeps: [`grant_type=authorization_code&code=${MASK}&password=${MASK}`],
  },
  {
    title: 'response body: tokens in JSON',
    secrets: ['rt_Bv83Nc1q', 'at_Ki06Hs2w', JWT],
    placement: {
      response: {
        body: `{"access_token": "at_Ki06Hs2w", "refresh_token": "rt_Bv83Nc1q", "id_token": "${JWT}", "expires_in": 3600}`,
      },
    },
    keeps: [`"access_token": "${MASK}"`, '"expires_in": 3600'],
  },
  {
    title: 'response body: form',
    secrets: ['at_Mx50Gf3e', 'sc_Dn72Pu'],
    placement: { response: { body: 'access_token=at_Mx50Gf3e&token_type=bearer&secret=sc_Dn72Pu' } },
    keeps: [`access_token=${MASK}`],
  },
  {
    title: 'a JWT anywhere in a body',
    secrets: [JWT],
    placement: { response: { body: `<p>Signed in as alice, your session: ${JWT}</p>` } },
    keeps: [`your session: ${MASK}</p>`],
  },
  {
    // The evidence quotes the preflight's body cut short, the token with it.
    title: 'a token in a preflight answer quoted in the evidence (body cut short)',
    secrets: [LONG_TOKEN, 'zz_Wq71Lm4n'],
    placement: {
      request: [['X-Api-Key', 'zz_Wq71Lm4n']],
      preflight: { status: 401, body: `{"detail": "Not authenticated", "access_token": "${LONG_TOKEN}"}` },
    },
    keeps: ['Not authenticated'],
  },
];

describe('secrets are masked in text, JSON, SARIF and curl lines', () => {
  it.each(ROWS)('$title', ({ secrets, placement, keeps }) => {
    const report = checkReport(placement);
    const shown = outputs(maskReport(report, true));
    const all = Object.values(shown).join('\n');
    // The secret is printed somewhere without masking: the row tests a place the output really has.
    for (const secret of secrets) expect(all).toContain(secret);

    const masked = outputs(maskReport(report, false));
    for (const [format, text] of Object.entries(masked)) {
      for (const secret of secrets) expect(leaked(text, secret), `${format}: ${secret}`).toBeUndefined();
    }
    for (const kept of keeps) expect(masked.text).toContain(kept);
    // The curl lines say so when they carry a masked value (a secret of the request).
    const inRequest = placement.page !== undefined || placement.request !== undefined;
    expect(masked.curl.includes(MASK)).toBe(inRequest);
    expect(masked.text.includes(MASKED_CURL_NOTE)).toBe(inRequest);
    expect(shown.text).not.toContain(MASKED_CURL_NOTE);
  });

  it('--show-secrets prints every secret of every row', () => {
    for (const { secrets, placement } of ROWS) {
      const json = outputs(maskReport(checkReport(placement), true)).json;
      for (const secret of secrets) expect(json).toContain(JSON.stringify(secret).slice(1, -1));
    }
  });

  it('a report without secrets is printed as it is, and its curl lines carry no note', () => {
    const report = checkReport({ request: [['Content-Type', 'application/json']] });
    expect(maskReport(report, false)).toEqual(report);
    expect(outputs(maskReport(report, false)).text).not.toContain(MASKED_CURL_NOTE);
  });
});

describe('what masking keeps', () => {
  it.each([
    ['Authorization', 'Bearer abc.def', `Bearer ${MASK}`],
    ['Authorization', 'Digest username="a", response="9f86d0"', `Digest ${MASK}`],
    ['Cookie', 'a=1; b=22; lone', `a=${MASK}; b=${MASK}; ${MASK}`],
    [
      'Set-Cookie',
      'id=7; Expires=Wed, 21 Oct 2037 07:28:00 GMT; SameSite=Lax',
      `id=${MASK}; Expires=Wed, 21 Oct 2037 07:28:00 GMT; SameSite=Lax`,
    ],
    ['Set-Cookie', 'a=1; Path=/, b=2; Domain=x.test', `a=${MASK}; Path=/, b=${MASK}; Domain=x.test`],
    // Headers that say auth or key but carry none: printed as they are, to debug CORS with.
    [
      'WWW-Authenticate',
      'Bearer realm="api", error="invalid_token"',
      'Bearer realm="api", error="invalid_token"',
    ],
    ['Access-Control-Allow-Headers', 'authorization, x-api-key', 'authorization, x-api-key'],
    ['Content-Type', 'application/json', 'application/json'],
    [
      'Referer',
      'https://app.example.com/?author=bob&keyword=cors',
      'https://app.example.com/?author=bob&keyword=cors',
    ],
  ])('%s: %s', (name, value, expected) => {
    expect(maskValue(name, value)).toBe(expected);
  });

  it('leaves options named like secrets alone', () => {
    const report = { note: 'allow_credentials=True', patch: '+    allow_credentials=True,' };
    expect(maskSecrets(report)).toEqual(report);
  });
});

/** A diff as unifiedDiff writes it: the file's header, then lines. */
const diff = (file: string, ...lines: string[]): string =>
  [`--- a/${file}`, `+++ b/${file}`, '@@ -1,5 +1,5 @@', ...lines].join('\n');

describe('patches: the settings around a change masked', () => {
  it.each([
    [
      '.env: every setting around the change but CORS ones; the change as written',
      diff(
        '.env',
        ' # Local',
        ' DATABASE_URL=postgres://app:s3cr3t_Pw@db/app',
        ' SECRET_KEY=Kx82mQ0v',
        '-CORS_ORIGINS=*',
        '+CORS_ORIGINS=https://app.example.com',
        ' CORS_ALLOW_CREDENTIALS=true',
        ' STRIPE_API_KEY=sk_live_Ab12',
        ' APP_NAME=Shop',
      ),
      diff(
        '.env',
        ' # Local',
        ` DATABASE_URL=${MASK}`,
        ` SECRET_KEY=${MASK}`,
        '-CORS_ORIGINS=*',
        '+CORS_ORIGINS=https://app.example.com',
        ' CORS_ALLOW_CREDENTIALS=true',
        ` STRIPE_API_KEY=${MASK}`,
        ` APP_NAME=${MASK}`,
      ),
    ],
    [
      '.env.production and export lines, quoted values',
      diff(
        'deploy/.env.production',
        ' export SESSION_SECRET="Vb73Kd1q"',
        '-ALLOWED_ORIGINS=*',
        '+ALLOWED_ORIGINS=https://app.example.com',
      ),
      diff(
        'deploy/.env.production',
        ` export SESSION_SECRET="${MASK}"`,
        '-ALLOWED_ORIGINS=*',
        '+ALLOWED_ORIGINS=https://app.example.com',
      ),
    ],
    [
      'compose: environment entries masked, the rest of the service kept',
      diff(
        'docker-compose.yml',
        '   api:',
        '     image: shop/api:1.4',
        '     environment:',
        '       - SECRET_KEY=Kx82mQ0v',
        '-      - CORS_ORIGINS=*',
        '+      - CORS_ORIGINS=https://app.example.com',
        '       POSTGRES_PASSWORD: pg_Nb26Xe',
        '       DB_HOST: db',
      ),
      diff(
        'docker-compose.yml',
        '   api:',
        '     image: shop/api:1.4',
        '     environment:',
        `       - SECRET_KEY=${MASK}`,
        '-      - CORS_ORIGINS=*',
        '+      - CORS_ORIGINS=https://app.example.com',
        `       POSTGRES_PASSWORD: ${MASK}`,
        `       DB_HOST: ${MASK}`,
      ),
    ],
    [
      'Python: literals of secret names, URL credentials, JWTs; code and CORS options kept',
      diff(
        'main.py',
        ' SECRET_KEY = "dj_Hq57Rt3W"',
        ' TOKEN = os.getenv("API_TOKEN", "dev_Tk29Lx")',
        ' DATABASE_URL = "postgresql://app:pg_Nb26Xe@db/app"',
        ' SIGNER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIi"',
        '-    allow_origins=["*"],',
        '+    allow_origins=["https://app.example.com"],',
        '     allow_credentials=True,',
        '     password_hasher=make_hasher(),',
      ),
      diff(
        'main.py',
        ` SECRET_KEY = "${MASK}"`,
        ` TOKEN = os.getenv("API_TOKEN", "${MASK}")`,
        ` DATABASE_URL = "postgresql://app:${MASK}@db/app"`,
        ` SIGNER = "${MASK}"`,
        '-    allow_origins=["*"],',
        '+    allow_origins=["https://app.example.com"],',
        '     allow_credentials=True,',
        '     password_hasher=make_hasher(),',
      ),
    ],
    [
      'nginx: as written (no setting lines)',
      diff(
        'nginx.conf',
        '     location / {',
        '-        add_header Access-Control-Allow-Origin $http_origin;',
        '+        add_header Access-Control-Allow-Origin $cors_origin always;',
      ),
      diff(
        'nginx.conf',
        '     location / {',
        '-        add_header Access-Control-Allow-Origin $http_origin;',
        '+        add_header Access-Control-Allow-Origin $cors_origin always;',
      ),
    ],
  ])('%s', (_title, patch, shown) => {
    expect(maskSecrets({ fix: { patch } })).toEqual({ fix: { patch: shown } });
  });

  it('a secret found in a patch is hidden wherever else the report prints it', () => {
    const patch = diff(
      '.env',
      ' SECRET_KEY=Kx82mQ0vLs',
      '-CORS_ORIGINS=*',
      '+CORS_ORIGINS=https://app.example.com',
    );
    expect(maskSecrets({ patch, evidence: 'signed with Kx82mQ0vLs' }).evidence).toBe(`signed with ${MASK}`);
  });
});

describe('error messages and notes', () => {
  const argv = [
    'check',
    'https://bob:pw_Xe49Tg@api.example.com/x?access_token=at_Hq27Mv',
    '-H',
    'Authorization Bearer tk_Zo83Lf',
    '--header=X-Api-Key: ak_Cw16Rp',
    '--cookie',
    'sid=ck_Nb95Qd; lone_Vt30Ks',
    '--json-body',
    '{"password": "pw_Jm64Ua"}',
  ];
  const secrets = [
    'pw_Xe49Tg',
    'at_Hq27Mv',
    'tk_Zo83Lf',
    'ak_Cw16Rp',
    'ck_Nb95Qd',
    'lone_Vt30Ks',
    'pw_Jm64Ua',
  ];

  it('the secrets of the command line are found', () => {
    expect(secretsInArguments(argv).sort()).toEqual([...secrets].sort());
  });

  it.each([
    'not a valid URL: "https://bob:pw_Xe49Tg@api.example.com/x?access_token=at_Hq27Mv"',
    'not a header: "Authorization Bearer tk_Zo83Lf"; write it as \'Name: value\'',
    'header X-Api-Key: ak_Cw16Rp is not a ByteString',
    '--cookie sid=ck_Nb95Qd; lone_Vt30Ks: not sent',
    '--json-body is not JSON: {"password": "pw_Jm64Ua"',
  ])('%s', (message) => {
    const masked = maskText(message, secretsInArguments(argv));
    for (const secret of secrets) expect(leaked(masked, secret), masked).toBeUndefined();
    expect(masked).toContain(MASK);
  });

  it('a known secret cut short (a quoted excerpt) is hidden too; a shorter piece of text is not a secret', () => {
    const known = ['tk_Zo83Lf1234567890'];
    expect(maskText('body "tk_Zo83Lf12345" and tk_Zo83Lf123…', known)).toBe(`body "${MASK}" and ${MASK}…`);
    expect(maskText('tk_Zo8 and tk_Zo83Lf12xyz', known)).toBe('tk_Zo8 and tk_Zo83Lf12xyz');
  });

  it('URLs in text: the password and token-like parameters, wherever the URL is quoted', () => {
    expect(maskText("Access to fetch at 'https://u:p4ss@h.test/a?sig=x9&q=1' from origin 'null'")).toBe(
      `Access to fetch at 'https://u:${MASK}@h.test/a?sig=${MASK}&q=1' from origin 'null'`,
    );
  });
});

describe('verify: the request, the cookie jar and what the real browsers printed', () => {
  const token = 'qt_Wd58Lr2Hx';
  const bearer = 'tk_Pn93Ek7Vs';
  const cookie = 'ck_Ga26Yo4Mc';
  const url = `https://api.example.com/v1/me?access_token=${token}`;
  const report = checkReport({
    page: { url, cookie: `sid=${cookie}` },
    request: [['Authorization', `Bearer ${bearer}`]],
    preflight: { status: 401 },
  });
  const blocked = `Access to fetch at '${url}' from origin '${ORIGIN}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.`;
  const page: PageFetch = {
    url,
    origin: ORIGIN,
    method: 'PUT',
    headers: [['Authorization', `Bearer ${bearer}`]],
    credentials: 'include',
    cookie: `sid=${cookie}`,
  };
  const verify = buildVerifyReport(
    page,
    report,
    {
      chrome: {
        executable: '/usr/bin/chromium',
        version: '156.0',
        outcome: 'blocked',
        errorText: 'TypeError: Failed to fetch',
        messages: [blocked],
        warnings: [],
        otherConsole: [`Failed to load resource: net::ERR_FAILED ${url}`],
        ms: 900,
      },
    },
    {},
  );

  it('text and JSON carry none of them; --show-secrets prints them', () => {
    const masked = maskVerifyReport(verify, false);
    const printed = `${renderVerify(masked, plain)}\n${JSON.stringify(masked)}`;
    for (const secret of [token, bearer, cookie]) expect(leaked(printed, secret), secret).toBeUndefined();
    expect(printed).toContain(`Authorization: Bearer ${MASK}`);
    expect(printed).toContain(`sid=${MASK}`);
    const shown = JSON.stringify(maskVerifyReport(verify, true));
    for (const secret of [token, bearer, cookie]) expect(shown).toContain(secret);
  });
});
