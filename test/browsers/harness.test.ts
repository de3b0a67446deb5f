import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailableReason } from '../../src/browsers/launch.js';
import { type ReplayedScenario, replayScenarios } from '../../src/browsers/replay.js';
import type { BrowserName, Scenario } from '../../src/model/types.js';
import { type ScenarioServers, startScenarioServers } from '../support/scenario-server.js';

const inCI = process.env.CI === 'true';

/** Sends a raw HTTP/1.1 request and returns the raw response. */
function rawRequest(base: string, host: string, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(base).port), host);
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.write(`${head}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  });
}

let servers: ScenarioServers;
beforeAll(async () => {
  servers = await startScenarioServers();
});
afterAll(async () => {
  await servers?.close();
});

describe('scenario server', () => {
  it('writes repeated header lines as separate lines, in order, on 127.0.0.1 and ::1', async () => {
    const origin = servers.pageOrigin;
    servers.register({
      origin,
      request: { url: servers.scenarioUrl('duplicate-acao'), method: 'GET' },
      response: {
        status: 200,
        headers: [
          ['Access-Control-Allow-Origin', origin],
          ['Access-Control-Allow-Origin', 'http://other.example'],
        ],
      },
    });
    for (const host of ['127.0.0.1', '::1']) {
      const response = await rawRequest(servers.apiBase, host, 'GET /s/duplicate-acao HTTP/1.1').catch(
        (error: NodeJS.ErrnoException) =>
          host === '::1' && error.code === 'ECONNREFUSED' ? undefined : Promise.reject(error),
      );
      if (response === undefined) continue;
      expect(response).toContain(
        `\r\nAccess-Control-Allow-Origin: ${origin}\r\nAccess-Control-Allow-Origin: http://other.example\r\n`,
      );
    }
  });

  it('answers OPTIONS from the preflight, records it, and answers a lowercase method', async () => {
    servers.register({
      origin: servers.pageOrigin,
      request: { url: servers.scenarioUrl('lowercase'), method: 'patch' },
      preflight: { status: 204, headers: [['Access-Control-Allow-Methods', 'patch']] },
      response: { status: 201, headers: [['X-Seen', 'yes']] },
    });
    const preflight = await rawRequest(
      servers.apiBase,
      '127.0.0.1',
      'OPTIONS /s/lowercase HTTP/1.1\r\nAccess-Control-Request-Method: patch\r\nAccess-Control-Request-Headers: x-a,x-b',
    );
    expect(preflight).toMatch(/^HTTP\/1\.1 204 .*\r\nAccess-Control-Allow-Methods: patch\r\n/);
    const actual = await rawRequest(servers.apiBase, '127.0.0.1', 'patch /s/lowercase HTTP/1.1');
    expect(actual).toMatch(/^HTTP\/1\.1 201 .*\r\nX-Seen: yes\r\n/);
    const log = servers.log('/s/lowercase');
    expect(log.preflight).toBe(true);
    expect(log.preflightRequest?.accessControlRequestMethod).toBe('patch');
    expect(log.preflightRequest?.accessControlRequestHeaders).toBe('x-a,x-b');
    expect(log.actual?.method).toBe('patch');
  });
});

for (const name of ['chrome', 'firefox'] as const satisfies readonly BrowserName[]) {
  const unavailable = await browserUnavailableReason(name);
  const title = unavailable && !inCI ? `${name} (skipped: ${unavailable})` : name;

  describe.skipIf(unavailable !== undefined && !inCI)(title, () => {
    let results: ReplayedScenario[];

    beforeAll(async () => {
      if (unavailable) throw new Error(unavailable);
      const origin = servers.pageOrigin;
      const scenarios: Scenario[] = [
        {
          origin,
          request: { url: servers.scenarioUrl(`${name}-allowed`), method: 'GET' },
          response: { status: 200, headers: [['Access-Control-Allow-Origin', origin]] },
        },
        {
          origin,
          request: {
            url: servers.scenarioUrl(`${name}-blocked`),
            method: 'PUT',
            headers: [['Content-Type', 'application/json']],
            body: '{}',
          },
          preflight: { status: 200, headers: [] },
        },
      ];
      results = await replayScenarios(name, scenarios, { host: servers });
    }, 90_000);

    it('reports an allowed request as allowed, without messages', () => {
      expect(results[0]).toMatchObject({ outcome: 'allowed', status: 200, preflight: false, messages: [] });
    });

    it('reports a failed preflight as blocked, with the CORS message of that request', () => {
      const blocked = results[1] as ReplayedScenario;
      expect(blocked.outcome).toBe('blocked');
      expect(blocked.preflight).toBe(true);
      expect(blocked.server.preflightRequest?.accessControlRequestHeaders).toBe('content-type');
      expect(blocked.server.actual).toBeUndefined();
      expect(blocked.messages.length).toBeGreaterThan(0);
      for (const message of blocked.messages) expect(message).toContain(`/s/${name}-blocked`);
      expect(blocked.messages.join('\n')).toContain('Access-Control-Allow-Origin');
    });
  });
}
