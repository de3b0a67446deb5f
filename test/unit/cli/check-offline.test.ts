/**
 * `check --offline --project DIR`: the same browser verdicts and causes as the live check, with no server
 * running, for every FastAPI case whose answers follow from the source. The rows left out need the
 * endpoint to run (an unhandled exception inside a route): the model does not execute endpoints.
 */
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../../src/core/report.js';
import { FASTAPI_CASES } from '../../fixtures/fastapi/cases.js';
import { runCli } from '../../support/run-cli.js';

const API = 'http://localhost:8000';
const ROWS = FASTAPI_CASES.filter((c) => c.expectedCause !== 'error-response-without-cors');

function argsOf(c: (typeof ROWS)[number]): string[] {
  const args = ['check', `${API}${c.request.path}`, '--origin', c.origin, '-X', c.request.method];
  for (const [name, value] of Object.entries(c.request.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (c.request.body !== undefined) args.push('--data', c.request.body);
  if (c.request.credentials) args.push('--credentials', c.request.credentials);
  if (c.request.cookie) args.push('--cookie', c.request.cookie);
  return [...args, '--project', c.app, '--offline', '--json'];
}

describe('check --offline answers from the source alone', () => {
  it.each(ROWS)('$app: $title', async (c) => {
    const { code, stdout } = await runCli(argsOf(c));
    const report = JSON.parse(stdout) as CheckReport;
    expect(report.browsers.chrome?.outcome).toBe(c.expectedOutcome);
    expect(report.browsers.firefox?.outcome).toBe(c.expectedOutcome);
    expect(code).toBe(c.expectedOutcome === 'allowed' ? 0 : 1);
    expect(report.exchanges.every((x) => x.predicted !== undefined)).toBe(true);
    expect(report.offline?.app).toMatch(/^app \(.+\.py:\d+\)$/);
    const errors = report.causes.filter((x) => x.severity === 'error');
    if (c.expectedCause) {
      const cause = errors.find((x) => x.code === c.expectedCause);
      expect(cause, errors.map((x) => x.code).join(', ')).toBeDefined();
      if (c.sourceCause) expect(report.causes.map((x) => x.code)).toContain(c.sourceCause);
    } else {
      expect(errors.map((x) => x.code)).toEqual([]);
    }
  });
});

describe('check --offline: bad input', () => {
  it.each([
    {
      title: 'without --project',
      args: ['check', `${API}/items`, '--offline'],
      code: 2,
      line: /--offline answers from the source: give the backend folder with --project DIR/,
    },
    {
      title: 'a folder without an app',
      args: ['check', `${API}/items`, '--offline', '--project', 'docs'],
      code: 2,
      line: /--offline: no FastAPI or Starlette app found/,
    },
    {
      title: 'origins from an environment variable that is not set anywhere',
      args: ['check', `${API}/items`, '--offline', '--project', 'test/fixtures/projects/env-getenv'],
      code: 3,
      line: /--offline: cannot predict the answer to GET http:\/\/localhost:8000\/items: .*run check against the live server instead/,
    },
  ])('$title', async ({ args, code, line }) => {
    const result = await runCli(args);
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(line);
  });
});

describe('check --offline says what it does not model', () => {
  it.each([
    {
      title: "an nginx configuration that does not listen on the URL's port: the app alone is modelled",
      project: 'test/fixtures/nginx/add-header-without-always',
      note: /^offline: the project has an nginx configuration \(nginx\.conf\), but none listens on this URL's port; the server model answers as the app alone/,
    },
    {
      title: 'an endpoint is assumed to answer 200',
      project: 'examples/error-500',
      note: /^offline: endpoints are not run; the endpoint's answer is assumed to be 200/,
    },
  ])('$title', async ({ project, note }) => {
    const { stdout } = await runCli(['check', `${API}/items`, '--project', project, '--offline', '--json']);
    const report = JSON.parse(stdout) as CheckReport;
    expect(report.notes.some((n) => note.test(n))).toBe(true);
  });
});
