/**
 * `wildcard-origin-private-api` against a real uvicorn: the same app answering `*` to anyone, without a
 * login, is a public API on loopback (no finding: the audit cannot tell a test server from a local service)
 * and a finding on an address of a private network, where access depends on network position alone. The
 * private address is one of this machine's own interfaces (an IPv6 unique-local or RFC 1918 address).
 */
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/core/audit.js';
import { sendRaw } from '../../src/evidence/probe/http.js';
import { fastapiAvailable, startUvicorn } from '../../src/local-servers/uvicorn.js';
import { headerValues } from '../../src/model/header-list.js';
import { runCli } from '../support/run-cli.js';

const FIXTURES = 'test/fixtures/audit';
const FRONTEND = 'https://app.example.com';

const inCI = process.env.CI === 'true';
const unavailable = await fastapiAvailable();
if (unavailable && inCI) throw new Error(`CI needs FastAPI and uvicorn: ${unavailable}`);

/** An address of a private network on one of this machine's interfaces, if it has one. */
const privateAddress = Object.values(networkInterfaces())
  .flat()
  .find(
    (a) =>
      a !== undefined &&
      !a.internal &&
      (/^f[cd][0-9a-f]{2}:/i.test(a.address) ||
        /^10\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\./.test(a.address)),
  )?.address;

interface Row {
  title: string;
  fixture: string;
  /** Where uvicorn listens: loopback, or the machine's private address. */
  host: 'loopback' | 'private';
  expected: Array<{ code: string; origin: string; credentials: boolean }>;
}

const ROWS: Row[] = [
  {
    title: '* without a login, on loopback: a public API, no finding',
    fixture: 'safe-public-wildcard',
    host: 'loopback',
    expected: [],
  },
  {
    title: '* without a login, on a private address: any site the visitor opens can read it',
    fixture: 'safe-public-wildcard',
    host: 'private',
    expected: [{ code: 'wildcard-origin-private-api', origin: 'https://attacker.test', credentials: false }],
  },
  {
    title: 'any origin echoed on a bearer-token API, on a private address: no finding (a token is needed)',
    fixture: 'safe-echo-token-api',
    host: 'private',
    expected: [],
  },
];

/** Audits the fixture served on `host` and checks the findings against the row. */
async function auditRow(row: Row, host: string): Promise<void> {
  const server = await startUvicorn({ appDir: join(FIXTURES, row.fixture), host });
  try {
    const url = `${server.url}/me`;
    const run = await runCli(['audit', url, '--origin', FRONTEND, '--json']);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(
      report.findings.map((f) => ({ code: f.code, origin: f.origin, credentials: f.credentials })),
    ).toEqual(row.expected);
    expect(run.code).toBe(row.expected.length > 0 ? 1 : 0);
    for (const f of report.findings) {
      expect(f.severity).toBe('warning');
      expect(f.evidence[0]).toMatch(/is a private address: access depends on network position$/);
      // Sent again without a cookie, the unrelated origin still reads the answer.
      const again = await sendRaw({ method: 'GET', url, headers: [['Origin', f.origin]] }, 5000);
      expect(again.response?.status).toBe(200);
      expect(headerValues(again.response?.headers ?? [], 'access-control-allow-origin')).toEqual(['*']);
    }
  } finally {
    await server.stop();
  }
}

describe.skipIf(unavailable !== undefined)('audit of an API on a private network', () => {
  it.each(ROWS.filter((r) => r.host === 'loopback'))('$title', (row) => auditRow(row, '127.0.0.1'));
  // Skipped, and shown so, on a machine without an address of a private network to listen on.
  it.skipIf(privateAddress === undefined).each(ROWS.filter((r) => r.host === 'private'))(
    `$title (on ${privateAddress ?? 'no private address'})`,
    (row) => auditRow(row, privateAddress as string),
  );
});
