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
): AuditEvidence => ({
  url,
  origins: ['https://intranet.corp.internal'],
  answers: [answer('https://attacker.test', allowOrigin, status)],
  ...(needsCookies !== undefined && { needsCookies }),
});

describe('rule wildcard-origin-private-api', () => {
  it.each([
    ['* on a private address that needs no login', evidence('http://10.0.0.5/employees', '*', false)],
    ['* on an intranet name', evidence('https://hr.corp.internal/employees', '*', false)],
    [
      'the origin echoed without credentials on a private address',
      evidence('http://192.168.1.20/api', 'https://attacker.test', false),
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
