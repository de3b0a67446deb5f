import { describe, expect, it } from 'vitest';
import { RULES } from '../../../../src/causes/index.js';
import { wildcardOriginPrivateApi } from '../../../../src/causes/rules/wildcard-origin-private-api.js';
import type { AuditAnswer, AuditEvidence } from '../../../../src/core/audit.js';
import { auditCodes, auditWith } from './security-cases.js';

const security = RULES.filter((r) => r.audit);

/** One GET answered from an unrelated origin without a cookie, as the audit records it. */
function answer(origin: string, allowOrigin: string | undefined, status = 200): AuditAnswer {
  return {
    probe: {
      origin,
      credentials: false,
      kind: 'actual',
      method: 'GET',
      requestHeaders: [],
      why: 'unrelated origin',
    },
    status,
    ...(allowOrigin !== undefined && { allowOrigin }),
    allowCredentials: false,
    headers: allowOrigin !== undefined ? [['access-control-allow-origin', allowOrigin]] : [],
    ms: 1,
  };
}

const evidence = (
  url: string,
  allowOrigin: string | undefined,
  needsCookies?: boolean,
  status = 200,
  addresses?: string[],
): AuditEvidence => ({
  url,
  origins: ['https://intranet.corp.internal'],
  answers: [answer('https://attacker.test', allowOrigin, status)],
  ...(needsCookies !== undefined && { needsCookies }),
  ...(addresses && { addresses }),
});

describe('rule wildcard-origin-private-api', () => {
  it.each([
    ['* on a private address that needs no login', evidence('http://10.0.0.5/employees', '*', false)],
    ['* on an intranet name', evidence('https://hr.corp.internal/employees', '*', false)],
    [
      'the origin echoed without credentials on a private address',
      evidence('http://192.168.1.20/api', 'https://attacker.test', false),
    ],
    ['* on a VPN address (the shared range)', evidence('http://100.101.102.103/metrics', '*', false)],
    ['* on an IPv6 unique-local address', evidence('http://[fd12:3456::1]:8080/api', '*', false)],
    ['* on a name without a dot (a compose service)', evidence('http://grafana:3000/api', '*', false)],
    ['* on a .local name', evidence('http://nas.local/api', '*', false)],
    [
      '* on a public-looking name that resolves to a private address',
      evidence('https://api.corp.example.com/employees', '*', false, 200, ['10.1.2.3']),
    ],
  ])('finds it: %s', (_name, e) => {
    const [found, ...more] = auditWith(wildcardOriginPrivateApi, e);
    expect(more).toEqual([]);
    expect(found?.code).toBe('wildcard-origin-private-api');
    expect(found?.severity).toBe('warning');
    expect(found?.origin).toBe('https://attacker.test');
    expect(found?.credentials).toBe(false);
    expect(auditCodes(security, e)).toEqual(['wildcard-origin-private-api']);
  });
  it.each([
    ['a public address answering *', evidence('https://api.example.com/items', '*', false)],
    ['loopback answering *', evidence('http://127.0.0.1:8000/items', '*', false)],
    [
      'a name without a dot that resolves to loopback',
      evidence('http://vm:8000/items', '*', false, 200, ['127.0.0.1']),
    ],
    [
      'a name that resolves to a public address',
      evidence('https://api.example.com/items', '*', false, 200, ['93.184.216.34']),
    ],
    [
      'a name that resolves to a public address too',
      evidence('https://api.example.com/items', '*', false, 200, ['10.0.0.5', '93.184.216.34']),
    ],
    [
      'a private API that needs a login (a token or cookie)',
      evidence('http://10.0.0.5/employees', '*', true),
    ],
    ['unknown whether it needs a login', evidence('http://10.0.0.5/employees', '*')],
    ['a private API refusing the request', evidence('http://10.0.0.5/employees', '*', false, 401)],
    ['a private API that does not allow the origin', evidence('http://10.0.0.5/employees', undefined, false)],
  ])('no finding: %s', (_name, e) => {
    expect(auditCodes(security, e)).toEqual([]);
  });
});
