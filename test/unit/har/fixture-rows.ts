import { expect } from 'vitest';
import type { HarReport } from '../../../src/evidence/har/types.js';
import type { Outcome, Stage } from '../../../src/model/types.js';
import { runCli } from '../../support/run-cli.js';

/** A HAR of test/fixtures/har and what `har` must find in it. */
export interface Row {
  file: string;
  exit: number;
  /** Each request found: method, URL, how many identical ones, each browser's outcome and stage, causes. */
  requests: Array<{
    method: string;
    url: string;
    count?: number;
    verdict: [Outcome, Stage | undefined];
    causes: string[];
    credentials:
      | 'include (known)'
      | 'unknown, same either way'
      | `unknown, judged ${string}, other ${Outcome}`;
  }>;
  check?: (report: HarReport, stdout: string, stderr: string) => void;
}

export function credentialsWords(r: HarReport['requests'][number]): string {
  const c = r.har.credentials;
  if (c.known) return `${c.judged} (known)`;
  if (c.sameEitherWay) return 'unknown, same either way';
  const other = Object.values(c.other?.browsers ?? {})[0]?.outcome;
  return `unknown, judged ${c.judged}, other ${other}`;
}

/** Runs `har --json` on the row's file: each request found, its verdict, causes and credentials reading. */
export async function checkRow(row: Row): Promise<void> {
  const { code, stdout, stderr } = await runCli(['har', `test/fixtures/har/${row.file}`, '--json']);
  const report = JSON.parse(stdout) as HarReport;
  expect(
    report.requests.map((r) => ({
      method: r.request.method,
      url: r.url,
      ...(r.har.count > 1 && { count: r.har.count }),
      verdict: [r.browsers.chrome?.outcome, r.browsers.chrome?.stage],
      causes: r.causes.map((c) => c.code),
      credentials: credentialsWords(r),
    })),
  ).toEqual(row.requests);
  // Firefox and Chrome agree on every row here.
  for (const r of report.requests) expect(r.browsers.firefox?.outcome).toBe(r.browsers.chrome?.outcome);
  expect(code).toBe(row.exit);
  row.check?.(report, stdout, stderr);
}
