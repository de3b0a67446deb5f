import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../../src/browsers/launch.js';
import { BAD_PORTS } from '../../src/model/bad-port.js';
import type { BrowserName } from '../../src/model/types.js';
import { runCli } from '../support/run-cli.js';

/**
 * A server that answers every request with `Access-Control-Allow-Origin: *`, listening on a port browsers
 * refuse: curl and the probe reach it, real Chromium and Firefox never connect, and the model says so (no
 * CORS line, blocked at the network) and names the cause from the URL.
 */
const inCI = process.env.CI === 'true';
const unavailable: Record<BrowserName, string | undefined> = {
  chrome: await browserUnavailableReason('chrome'),
  firefox: await browserUnavailableReason('firefox'),
};
if (inCI && (unavailable.chrome || unavailable.firefox))
  throw new Error(
    `CI needs Chromium and Firefox: ${[unavailable.chrome, unavailable.firefox].filter(Boolean).join('; ')}`,
  );
const present = (['chrome', 'firefox'] as const).filter((b) => unavailable[b] === undefined);

/** Listens on the first bad port of `candidates` that is free. */
async function listenOnBadPort(candidates: number[]): Promise<{ server: Server; port: number }> {
  for (const port of candidates) {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
      res.end('{"items":[]}');
    });
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) return { server, port };
  }
  throw new Error(`none of the ports ${candidates.join(', ')} is free`);
}

describe.skipIf(present.length === 0)(`a port browsers refuse, in real ${present.join(' and ')}`, () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const candidates = [6000, 6666, 6667, 6668, 6669, 10080];
    expect(candidates.every((p) => BAD_PORTS.has(p))).toBe(true);
    const listening = await listenOnBadPort(candidates);
    server = listening.server;
    url = `http://127.0.0.1:${listening.port}/items`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verify: both browsers fail at the network with no CORS line, as predicted', async () => {
    const { code, stdout } = await runCli([
      'verify',
      url,
      '--origin',
      'http://localhost:3000',
      '--browser',
      present.length === 2 ? 'all' : (present[0] as string),
      '--json',
    ]);
    const report = JSON.parse(stdout);
    for (const name of present) {
      const b = report.browsers[name];
      expect({ name, outcome: b.outcome, messages: b.messages, agrees: b.agrees }).toEqual({
        name,
        outcome: 'blocked',
        messages: [],
        agrees: true,
      });
      expect(b.predicted).toMatchObject({ outcome: 'blocked', stage: 'network' });
    }
    // Exit 3, as for any request that gets no answer in the browser (server-unreachable).
    expect(code).toBe(3);
  }, 60_000);

  it('check: the server answers, and the cause is the port', async () => {
    const { code, stdout } = await runCli(['check', url, '--origin', 'http://localhost:3000', '--json']);
    const report = JSON.parse(stdout);
    expect(report.causes.map((c: { code: string }) => c.code)).toEqual(['server-unreachable']);
    expect(report.causes[0].summary).toMatch(/browsers never connect to port \d+/);
    expect(report.browsers.chrome.outcome).toBe('blocked');
    expect(code).toBe(3);
  });
});
