/**
 * Scripted local HTTP servers for replaying CORS scenarios in real browsers.
 *
 * - the page server serves a blank HTML page at `/page`; its origin is the page origin;
 * - the API server answers `/s/<id>` from the scenario registered for that path: OPTIONS gets the
 *   scenario's `preflight` answer (404 without headers when absent), any other method its `response`.
 *   Header lines are written exactly as given, duplicates included and in order.
 *
 * Both listen on 127.0.0.1 and, when available, on ::1 with the same port, so `localhost` works
 * whichever address a browser picks.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ScenarioHost, ServerLog } from '../../src/browsers/replay.js';
import type { HeaderList, Scenario, ServerAnswer } from '../../src/model/types.js';

export const PAGE_PATH = '/page';
const SCENARIO_PREFIX = '/s/';
const PAGE_HTML =
  '<!doctype html><html><head><meta charset="utf-8"><title>cors-doctor</title><link rel="icon" href="data:,"></head><body></body></html>';
const BODY = 'ok\n';
const NOT_FOUND: ServerAnswer = { status: 404, headers: [] };

export interface ScenarioServers extends ScenarioHost {
  /** `http://localhost:<pagePort>`: the origin scenarios must use. */
  pageOrigin: string;
  /** `http://localhost:<apiPort>`: scenario URLs start with `${apiBase}/s/`. */
  apiBase: string;
  /** The URL of scenario `id` on the API server. */
  scenarioUrl(id: string): string;
  /** Forgets every registered scenario and log. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the page server and the API server on free loopback ports. */
export async function startScenarioServers(): Promise<ScenarioServers> {
  const scenarios = new Map<string, Scenario>();
  const logs = new Map<string, ServerLog>();

  const page = await listenOnLoopback((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === PAGE_PATH) {
      res.writeHead(200, ['Content-Type', 'text/html; charset=utf-8', 'Cache-Control', 'no-store']);
      res.end(PAGE_HTML);
    } else {
      res.writeHead(404, ['Content-Type', 'text/plain', 'Content-Length', '0']);
      res.end();
    }
  });

  /** Records the request and picks the answer; `undefined` for unknown paths. */
  const route = (method: string, target: string, headers: HeaderList): ServerAnswer | undefined => {
    const path = new URL(target, 'http://localhost').pathname;
    const scenario = path.startsWith(SCENARIO_PREFIX) ? scenarios.get(path) : undefined;
    if (!scenario) return undefined;
    const log = logFor(logs, path);
    const get = (name: string) => {
      const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
      return values.length > 0 ? values.join(', ') : undefined;
    };
    if (method === 'OPTIONS') {
      log.preflight = true;
      log.preflightRequest = {
        origin: get('origin'),
        accessControlRequestMethod: get('access-control-request-method'),
        accessControlRequestHeaders: get('access-control-request-headers'),
        headers,
      };
      return scenario.preflight ?? NOT_FOUND;
    }
    log.actual = { method, headers };
    return scenario.response ?? { status: 200, headers: [] };
  };

  const api = await listenOnLoopback(
    (req, res) => {
      const answer = route(req.method ?? '', req.url ?? '/', pairs(req.rawHeaders));
      writeAnswer(res, answer ?? NOT_FOUND, req.method === 'HEAD');
    },
    // Node's parser rejects methods it does not know, such as `patch` in lowercase (fetch does not
    // uppercase it): answer those from the raw request line.
    (error, socket) => {
      const request = parseRawRequest((error as { rawPacket?: Buffer }).rawPacket);
      const answer = request && route(request.method, request.target, request.headers);
      if (!socket.writable) return;
      socket.end(serializeAnswer(answer ?? { status: 400, headers: [] }, false), 'latin1');
    },
  );

  const pageOrigin = `http://localhost:${page.port}`;
  const apiBase = `http://localhost:${api.port}`;
  return {
    pageOrigin,
    apiBase,
    pageUrl: `${pageOrigin}${PAGE_PATH}`,
    scenarioUrl: (id) => `${apiBase}${SCENARIO_PREFIX}${encodeURIComponent(id)}`,
    register(scenario) {
      const url = new URL(scenario.request.url);
      if (url.origin !== apiBase || !url.pathname.startsWith(SCENARIO_PREFIX)) {
        throw new Error(`scenario URL ${scenario.request.url} is not under ${apiBase}${SCENARIO_PREFIX}`);
      }
      scenarios.set(url.pathname, scenario);
      logs.delete(url.pathname);
      return url.pathname;
    },
    log: (key) => logFor(logs, key),
    reset() {
      scenarios.clear();
      logs.clear();
    },
    async close() {
      await Promise.all([page.close(), api.close()]);
    },
  };
}

function logFor(logs: Map<string, ServerLog>, key: string): ServerLog {
  let log = logs.get(key);
  if (!log) {
    log = { preflight: false };
    logs.set(key, log);
  }
  return log;
}

function pairs(raw: string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i] as string, raw[i + 1] as string]);
  return list;
}

/** The answer's header lines exactly as listed, plus the framing headers it lacks, and its body. */
function completeAnswer(answer: ServerAnswer, head: boolean): { headers: HeaderList; body: string } {
  const bodyAllowed = !(answer.status === 204 || answer.status === 304 || answer.status < 200);
  const has = (name: string) => answer.headers.some(([n]) => n.toLowerCase() === name);
  const headers: HeaderList = [...answer.headers];
  if (bodyAllowed && !has('content-type')) headers.push(['Content-Type', 'text/plain']);
  if (bodyAllowed && !has('content-length') && !has('transfer-encoding')) {
    headers.push(['Content-Length', String(Buffer.byteLength(BODY))]);
  }
  if (!has('cache-control')) headers.push(['Cache-Control', 'no-store']);
  return { headers, body: bodyAllowed && !head ? BODY : '' };
}

/** Writes `answer` with its header lines exactly as listed (duplicates included, in order). */
export function writeAnswer(res: ServerResponse, answer: ServerAnswer, head: boolean): void {
  const { headers, body } = completeAnswer(answer, head);
  res.writeHead(answer.status, headers.flat());
  res.end(body);
}

/** The whole HTTP/1.1 response for `answer`, for writing straight to a socket. */
export function serializeAnswer(answer: ServerAnswer, head: boolean): string {
  const { headers, body } = completeAnswer(answer, head);
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Unknown'}`];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  lines.push('Connection: close', '', body);
  return lines.join('\r\n');
}

/** Method, target and headers of a raw HTTP/1.1 request head. */
export function parseRawRequest(
  raw: Buffer | undefined,
): { method: string; target: string; headers: HeaderList } | undefined {
  if (!raw) return undefined;
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  const [requestLine = '', ...headerLines] = head.split('\r\n');
  const match = /^(\S+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (!match) return undefined;
  const headers: HeaderList = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { method: match[1] as string, target: match[2] as string, headers };
}

interface LoopbackListener {
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port and on ::1 with the same port (if the host has IPv6). */
async function listenOnLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onClientError?: (error: Error, socket: Socket) => void,
): Promise<LoopbackListener> {
  const create = () => {
    const server = createServer(handler);
    if (onClientError) server.on('clientError', onClientError);
    return server;
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    const v4 = create();
    await listen(v4, 0, '127.0.0.1');
    const port = (v4.address() as AddressInfo).port;
    const v6 = create();
    try {
      await listen(v6, port, '::1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        await closeServer(v4);
        continue;
      }
      // No IPv6 loopback here: 127.0.0.1 alone is enough.
      return { port, close: () => closeServer(v4) };
    }
    return { port, close: async () => void (await Promise.all([closeServer(v4), closeServer(v6)])) };
  }
  throw new Error('could not find a port free on both 127.0.0.1 and ::1');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only: host === '::1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
