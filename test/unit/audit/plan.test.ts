import { describe, expect, it } from 'vitest';
import { answerOf, needsCookies, planAudit, probeRequest, secondRound } from '../../../src/audit/plan.js';
import { attackOrigins, registrableDomain } from '../../../src/audit/probes.js';
import type { AuditAnswer, AuditProbe } from '../../../src/core/audit.js';

const APP = 'https://app.example.com';

describe('attackOrigins', () => {
  it.each([
    {
      title: 'a frontend on a subdomain: each form of it, most telling first',
      url: 'https://api.example.com/me',
      origins: [APP],
      first: [
        'https://attacker.test',
        'null',
        'https://app.example.com.attacker.test',
        'https://attacker-example.com',
        'https://appxexample.com',
        'https://app.examplexcom',
        'http://app.example.com',
      ],
      also: [
        'https://attacker.vercel.app',
        'https://attacker.github.io',
        'http://localhost.attacker.test',
        'https://app.example.com_.attacker.test',
        'https://app.example.com-.attacker.test',
        'https://app.example.com`.attacker.test',
        'https://api.example.com.attacker.test',
        'http://localhost:3000',
      ],
      // The frontend's own site proves nothing when let in.
      never: [
        'https://attackerapp.example.com',
        'https://attacker.example.com',
        'https://attacker.app.example.com',
      ],
    },
    {
      title: 'a frontend on a hosting platform: another customer of it first',
      url: 'http://127.0.0.1:8000/me',
      origins: ['https://myapp.vercel.app'],
      first: [
        'https://attacker.test',
        'null',
        'https://attacker.vercel.app',
        'https://myapp.vercel.app.attacker.test',
      ],
      also: ['https://myapp-attacker.vercel.app', 'https://attacker-myapp.vercel.app'],
    },
    {
      title: 'a development frontend on a port: the forms keep the port, no dot to unescape',
      url: 'http://127.0.0.1:8000/me',
      origins: ['http://localhost:3000'],
      first: [
        'https://attacker.test',
        'null',
        'http://localhost.attacker.test:3000',
        'http://attackerlocalhost:3000',
      ],
      also: ['https://attacker.vercel.app'],
      // Development origins beside a development frontend prove nothing.
      never: ['http://127.0.0.1:3000', 'http://localhost:5173'],
    },
  ] as Array<{
    title: string;
    url: string;
    origins: string[];
    first: string[];
    also: string[];
    never?: string[];
  }>)('$title', ({ url, origins, first, also, never = [] }) => {
    const tried = attackOrigins(url, origins).map((a) => a.origin);
    expect(tried.slice(0, first.length)).toEqual(first);
    for (const origin of also) expect(tried).toContain(origin);
    for (const origin of never) expect(tried).not.toContain(origin);
    for (const origin of origins) expect(tried).not.toContain(origin);
    expect(new Set(tried).size).toBe(tried.length);
  });

  it.each([
    ['app.example.com', 'example.com'],
    ['a.b.example.co.uk', 'example.co.uk'],
    ['myapp.vercel.app', 'myapp.vercel.app'],
    ['localhost', 'localhost'],
    ['10.0.0.7', '10.0.0.7'],
  ])('the site of %s is %s', (host, site) => expect(registrableDomain(host)).toBe(site));
});

const answer = (probe: AuditProbe, status: number, headers: Array<[string, string]>): AuditAnswer =>
  answerOf(probe, { status, headers, ms: 1 });

describe('planAudit and secondRound', () => {
  it('the first round: the trusted origin with and without a cookie, the unrelated site, null, every form with a cookie', () => {
    const plan = planAudit('https://api.example.com/me', [APP], 40);
    const first = plan.first.map((p) => `${p.kind} ${p.origin} ${p.credentials ? 'cookie' : '-'}`);
    expect(first.slice(0, 6)).toEqual([
      `actual ${APP} cookie`,
      'actual https://attacker.test cookie',
      'actual null cookie',
      `actual ${APP} -`,
      'actual https://attacker.test -',
      'preflight https://attacker.test -',
    ]);
    expect(plan.first).toHaveLength(30);
    expect(plan.first.length + plan.later.length).toBeGreaterThan(30);
  });

  it('the second round asks again what got through (without the cookie, and the write preflight), within the budget', () => {
    const plan = planAudit('https://api.example.com/me', [APP], 12);
    expect(plan.first).toHaveLength(9);
    const answers = plan.first.map((p) =>
      answer(
        p,
        200,
        p.origin === 'null'
          ? [
              ['Access-Control-Allow-Origin', 'null'],
              ['Access-Control-Allow-Credentials', 'true'],
            ]
          : [],
      ),
    );
    const second = secondRound(plan, answers, [APP]);
    expect(second.map((p) => `${p.kind} ${p.origin} ${p.credentials}`)).toEqual([
      'actual null false',
      'preflight null false',
      `actual ${plan.later[0]?.origin} true`,
    ]);
  });

  it.each([
    {
      title:
        'a suffix form and a dot-replaced form got through: the bare site and a backtick for the dot first',
      through: ['https://attacker-example.com', 'https://appxexample.com'],
      bare: true,
    },
    {
      title: 'only dot-replaced forms got through: an unescaped dot, nothing to tell apart',
      through: ['https://appxexample.com', 'https://app.examplexcom'],
      bare: false,
    },
    {
      title: 'only a suffix form got through: nothing to tell apart',
      through: ['https://attacker-example.com'],
      bare: false,
    },
  ])('$title', ({ through, bare }) => {
    const plan = planAudit('http://127.0.0.1:8000/me', [APP], 40);
    const answers = plan.first.map((p) =>
      answer(
        p,
        200,
        through.includes(p.origin) || p.origin === APP
          ? [
              ['Access-Control-Allow-Origin', p.origin],
              ['Access-Control-Allow-Credentials', 'true'],
            ]
          : [],
      ),
    );
    const second = secondRound(plan, answers, [APP]).map((p) => `${p.kind} ${p.origin} ${p.credentials}`);
    if (bare)
      expect(second.slice(0, 2)).toEqual([
        'actual https://example.com true',
        'actual https://app`example.com true',
      ]);
    else expect(second.some((p) => p.includes('https://example.com '))).toBe(false);
    for (const origin of through) expect(second).toContain(`preflight ${origin} false`);
  });

  it.each([
    {
      title: 'no CORS header on any actual answer, the trusted origin refused with 401',
      status: 401,
      acao: false,
      preflights: true,
    },
    { title: 'the trusted origin answered with its origin', status: 401, acao: true, preflights: false },
    {
      title: 'no CORS header on a 200: the policy refuses every origin tried',
      status: 200,
      acao: false,
      preflights: false,
    },
  ])('$title: the preflights of the first round asked ($preflights)', ({ status, acao, preflights }) => {
    const plan = planAudit('http://127.0.0.1:8000/me', [APP], 40);
    const answers = plan.first.map((p) =>
      answer(
        p,
        p.kind === 'actual' ? status : 204,
        acao && p.origin === APP ? [['Access-Control-Allow-Origin', APP]] : [],
      ),
    );
    const second = secondRound(plan, answers, [APP]).map((p) => `${p.kind} ${p.origin}`);
    if (preflights)
      expect(second.slice(0, 3)).toEqual([
        `preflight ${APP}`,
        'preflight null',
        'preflight https://app.example.com.attacker.test',
      ]);
    else expect(second.filter((p) => p.startsWith('preflight'))).toEqual([]);
  });

  it('the requests: Chrome headers, the dummy cookie only when credentialed, a preflight never carries one', () => {
    const plan = planAudit('https://api.example.com/me', [APP], 40);
    const withCookie = probeRequest('https://api.example.com/me', plan.first[0] as AuditProbe);
    expect(withCookie.headers).toContainEqual(['Cookie', 'cors_doctor_probe=1']);
    expect(withCookie.headers).toContainEqual(['Origin', APP]);
    const preflight = probeRequest('https://api.example.com/me', plan.first[5] as AuditProbe);
    expect(preflight.method).toBe('OPTIONS');
    expect(preflight.headers.slice(0, 4)).toEqual([
      ['Accept', '*/*'],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'authorization'],
      ['Origin', 'https://attacker.test'],
    ]);
    expect(preflight.headers.some(([n]) => n === 'Cookie')).toBe(false);
  });
});

describe('answerOf and needsCookies', () => {
  const probe = planAudit('https://api.example.com/me', [APP], 40).first[3] as AuditProbe;
  it.each([
    {
      title: 'two Access-Control-Allow-Origin lines: none taken',
      headers: [
        ['Access-Control-Allow-Origin', APP],
        ['Access-Control-Allow-Origin', APP],
      ],
      allowOrigin: undefined,
      credentials: false,
    },
    {
      title: 'credentials only as the exact word true',
      headers: [
        ['Access-Control-Allow-Origin', APP],
        ['Access-Control-Allow-Credentials', 'True'],
      ],
      allowOrigin: APP,
      credentials: false,
    },
    {
      title: 'one of each',
      headers: [
        ['access-control-allow-origin', APP],
        ['Access-Control-Allow-Credentials', 'true'],
      ],
      allowOrigin: APP,
      credentials: true,
    },
  ] as Array<{
    title: string;
    headers: Array<[string, string]>;
    allowOrigin?: string;
    credentials: boolean;
  }>)('$title', ({ headers, allowOrigin, credentials }) => {
    const a = answer(probe, 200, headers);
    expect(a.allowOrigin).toBe(allowOrigin);
    expect(a.allowCredentials).toBe(credentials);
  });

  it.each([
    { status: 401, headers: [], needs: true },
    { status: 403, headers: [], needs: true },
    { status: 401, headers: [['WWW-Authenticate', 'Bearer']], needs: false },
    { status: 200, headers: [], needs: false },
    { status: 500, headers: [], needs: undefined },
  ] as Array<{ status: number; headers: Array<[string, string]>; needs?: boolean }>)(
    'a trusted origin without a cookie gets $status $headers: needs cookies $needs',
    ({ status, headers, needs }) => {
      expect(probe.credentials).toBe(false);
      expect(needsCookies([answer(probe, status, headers)], [APP])).toBe(needs);
    },
  );
});
