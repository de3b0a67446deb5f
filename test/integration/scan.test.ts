import { describe, expect, it } from 'vitest';
import { scanProject } from '../../src/analysis/scan.js';
import { readProject } from '../../src/project/read-project.js';

// Each row: a real FastAPI project, the request the frontend makes, and the error-level codes scan must report
// (findings the request does not meet are warnings).
const ORIGIN = 'http://localhost:3000';
const TABLE: Array<
  [string, { credentials?: 'include'; method?: string; headers?: Array<[string, string]> }, string[]]
> = [
  ['examples/correct', { credentials: 'include', method: 'PUT' }, []],
  ['examples/missing-middleware', {}, ['no-cors-middleware']],
  ['examples/auth-wraps-cors', {}, ['preflight-rejected']],
  ['examples/wildcard-credentials', { credentials: 'include' }, ['wildcard-with-credentials']],
  ['examples/error-500', {}, []],
  ['test/fixtures/fastapi/other-port', {}, ['origin-not-allowed']],
  ['test/fixtures/fastapi/loopback-ip', {}, ['origin-not-allowed']],
  ['test/fixtures/fastapi/trailing-slash', {}, ['origin-malformed', 'origin-not-allowed']],
  ['test/fixtures/fastapi/default-methods', { method: 'PUT' }, ['method-not-allowed']],
  [
    'test/fixtures/fastapi/headers-not-allowed',
    { headers: [['Authorization', 'Bearer t0k3n']] },
    ['header-not-allowed'],
  ],
  ['test/fixtures/fastapi/credentials-not-allowed', { credentials: 'include' }, ['credentials-not-allowed']],
  ['test/fixtures/fastapi/https-redirect-outermost', {}, ['preflight-redirected']],
  ['test/fixtures/fastapi/trusted-host-outermost', {}, ['preflight-rejected']],
  ['test/fixtures/fastapi/env-origins-spaces', {}, ['env-origins-misparsed', 'origin-not-allowed']],
  ['test/fixtures/fastapi/slash-redirect', {}, []],
  ['test/fixtures/projects/pydantic-v1-union-split', {}, ['env-origins-misparsed', 'origin-not-allowed']],
];

describe('scan names the cause in real FastAPI projects', () => {
  it.each(TABLE)('%s', async (dir, request, expected) => {
    const project = await readProject(dir);
    const report = scanProject(project, { origins: [ORIGIN], request: { headers: [], ...request } });
    const codes = [
      ...new Set(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)),
    ].sort();
    expect(codes).toEqual([...expected].sort());
  });
  it('an @exception_handler(Exception) is a warning: its 500s carry no CORS headers', async () => {
    const report = scanProject(await readProject('test/fixtures/fastapi/exception-handler-500'), {
      origins: [ORIGIN],
    });
    expect(report.findings.map((f) => [f.code, f.severity])).toContainEqual([
      'error-response-without-cors',
      'warning',
    ]);
  });
});
