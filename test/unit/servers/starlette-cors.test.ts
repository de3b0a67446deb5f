/**
 * Starlette's CORSMiddleware per version, from the outputs recorded in the Starlette research notes
 * (0.26.1 on Debian 12 and 1.3.1, run against the real middleware). The live comparison for 0.26.1 is in
 * test/integration/server-model.test.ts; these rows cover the versions that machine cannot run.
 */
import { describe, expect, it } from 'vitest';
import type { HeaderList } from '../../../src/model/types.js';
import { STARLETTE_CORS_DEFAULTS } from '../../../src/servers/config.js';
import {
  compileCors,
  corsPreflightAnswer,
  corsSimpleHeaders,
  corsVersionFlags,
  pythonFullmatch,
  UntranslatableRegex,
} from '../../../src/servers/starlette-cors.js';
import type { StarletteCorsConfig } from '../../../src/servers/types.js';

const APP = 'http://app.test:3000';
const config = (c: Partial<StarletteCorsConfig>): StarletteCorsConfig => ({
  ...STARLETTE_CORS_DEFAULTS,
  ...c,
});
const V0_26 = '0.26.1';
const V0_50 = '0.50.0';
const V0_51 = '0.51.0';
const V1_3 = '1.3.1';

/** The preflight lines of `allow_origins=[APP]` with every other option at its default, before ACAO. */
const GET_ONLY: HeaderList = [
  ['vary', 'Origin'],
  ['access-control-allow-methods', 'GET'],
  ['access-control-max-age', '600'],
  ['access-control-allow-headers', 'Accept, Accept-Language, Content-Language, Content-Type'],
];

/** A preflight from a public page to a private-network address (Chrome's Private Network Access). */
const PRIVATE_NETWORK_PREFLIGHT: HeaderList = [
  ['Origin', APP],
  ['Access-Control-Request-Method', 'GET'],
  ['Access-Control-Request-Private-Network', 'true'],
];

const PREFLIGHTS: Array<{
  title: string;
  config: StarletteCorsConfig;
  version: string;
  request: HeaderList;
  status: number;
  body: string;
  headers: HeaderList;
}> = [
  {
    title: 'default allow_methods: a POST preflight fails, ACAO still echoed',
    config: config({ allow_origins: [APP] }),
    version: V0_26,
    request: [
      ['Origin', APP],
      ['Access-Control-Request-Method', 'POST'],
    ],
    status: 400,
    body: 'Disallowed CORS method',
    headers: [...GET_ONLY, ['access-control-allow-origin', APP]],
  },
  {
    title: 'another origin: no ACAO',
    config: config({ allow_origins: [APP] }),
    version: V0_26,
    request: [
      ['Origin', 'http://evil.test'],
      ['Access-Control-Request-Method', 'GET'],
    ],
    status: 400,
    body: 'Disallowed CORS origin',
    headers: [...GET_ONLY],
  },
  {
    title: 'all wildcards: ACAO *, headers mirrored, no Vary',
    config: config({ allow_origins: ['*'], allow_methods: ['*'], allow_headers: ['*'] }),
    version: V1_3,
    request: [
      ['Origin', APP],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'authorization'],
    ],
    status: 200,
    body: 'OK',
    headers: [
      ['access-control-allow-origin', '*'],
      ['access-control-allow-methods', 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT'],
      ['access-control-max-age', '600'],
      ['access-control-allow-headers', 'authorization'],
    ],
  },
  {
    title: 'wildcards with credentials: the origin is echoed',
    config: config({
      allow_origins: ['*'],
      allow_methods: ['*'],
      allow_headers: ['*'],
      allow_credentials: true,
    }),
    version: V0_26,
    request: [
      ['Origin', APP],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'authorization'],
    ],
    status: 200,
    body: 'OK',
    headers: [
      ['vary', 'Origin'],
      ['access-control-allow-methods', 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT'],
      ['access-control-max-age', '600'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-origin', APP],
      ['access-control-allow-headers', 'authorization'],
    ],
  },
  {
    title: 'private-network preflight before 0.51: ignored',
    config: config({ allow_origins: [APP] }),
    version: V0_50,
    request: PRIVATE_NETWORK_PREFLIGHT,
    status: 200,
    body: 'OK',
    headers: [...GET_ONLY, ['access-control-allow-origin', APP]],
  },
  {
    title: 'private-network preflight from 0.51, allow_private_network default False: refused',
    config: config({ allow_origins: [APP] }),
    version: V0_51,
    request: PRIVATE_NETWORK_PREFLIGHT,
    status: 400,
    body: 'Disallowed CORS private-network',
    headers: [...GET_ONLY, ['access-control-allow-origin', APP]],
  },
  {
    title: 'private-network preflight with allow_private_network=True',
    config: config({ allow_origins: [APP], allow_private_network: true }),
    version: V1_3,
    request: PRIVATE_NETWORK_PREFLIGHT,
    status: 200,
    body: 'OK',
    headers: [
      ...GET_ONLY,
      ['access-control-allow-origin', APP],
      ['access-control-allow-private-network', 'true'],
    ],
  },
];

describe('CORSMiddleware preflight answers', () => {
  it.each(PREFLIGHTS)('$title', (row) => {
    const answer = corsPreflightAnswer(compileCors(row.config, corsVersionFlags(row.version)), row.request);
    expect({ status: answer.status, body: answer.body, headers: answer.headers }).toEqual({
      status: row.status,
      body: row.body,
      headers: row.headers,
    });
  });
});

// `*` + credentials on actual responses: the version matrix (with and without a Cookie header).
const WILDCARD_CREDENTIALS = config({ allow_origins: ['*'], allow_credentials: true });
const ECHO: HeaderList = [
  ['access-control-allow-origin', APP],
  ['access-control-allow-credentials', 'true'],
  ['vary', 'Origin'],
];
const STAR: HeaderList = [
  ['access-control-allow-origin', '*'],
  ['access-control-allow-credentials', 'true'],
];

describe('* with credentials on actual responses', () => {
  it.each([
    { version: V0_26, cookie: true, headers: ECHO },
    { version: V0_26, cookie: false, headers: STAR },
    { version: V1_3, cookie: true, headers: ECHO },
    { version: V1_3, cookie: false, headers: ECHO },
  ])('Starlette $version, Cookie header: $cookie', ({ version, cookie, headers }) => {
    const cors = compileCors(WILDCARD_CREDENTIALS, corsVersionFlags(version));
    const request: HeaderList = [['Origin', APP], ...(cookie ? ([['Cookie', 's=1']] as HeaderList) : [])];
    expect(corsSimpleHeaders(cors, request, [])).toEqual(headers);
  });

  it('a disallowed origin still gets ACAC and ACEH, but no ACAO', () => {
    const cors = compileCors(
      config({ allow_origins: [APP], allow_credentials: true, expose_headers: ['X-Total-Count'] }),
      corsVersionFlags(V0_26),
    );
    expect(corsSimpleHeaders(cors, [['Origin', 'http://evil.test']], [['vary', 'Accept-Encoding']])).toEqual([
      ['vary', 'Accept-Encoding'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-expose-headers', 'X-Total-Count'],
    ]);
  });

  it('Vary is appended to an existing Vary line', () => {
    const cors = compileCors(config({ allow_origins: [APP] }), corsVersionFlags(V0_26));
    expect(corsSimpleHeaders(cors, [['Origin', APP]], [['vary', 'Accept-Encoding']])).toEqual([
      ['vary', 'Accept-Encoding, Origin'],
      ['access-control-allow-origin', APP],
    ]);
  });

  it('allow_origins=None fails like Starlette (TypeError)', () => {
    expect(() => compileCors(config({ allow_origins: null }), corsVersionFlags(V0_26))).toThrow(TypeError);
  });
});

describe('allow_origin_regex JavaScript cannot run is refused, never guessed', () => {
  it.each([
    { title: 'an inline flag other than (?i)', pattern: '(?x)https://a\\.test' },
    { title: 'a possessive quantifier', pattern: 'https://a++\\.test' },
    {
      title: 'a pattern too large to compile (found by fuzzing)',
      pattern: `https://x${'a'.repeat(1_000_000)}`,
    },
  ])('$title', ({ pattern }) => {
    expect(() => pythonFullmatch(pattern)).toThrow(UntranslatableRegex);
  });
});
