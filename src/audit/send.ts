/**
 * The audit's transport: each probe sent exactly as given (header order and case kept, redirects not
 * followed), as `sendRaw` sends it, but over at most a few kept-alive connections: an audit sends some
 * thirty requests to one server, and a new connection for each costs the server more than the answer.
 * A kept-alive connection the server closed without saying so is retried once on a fresh one.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RecordedRequest } from '../core/exchange.js';
import {
  BODY_WAIT_MS,
  describeNetworkError,
  MAX_RESPONSE_HEADER_BYTES,
  type SendResult,
  sendRaw,
} from '../evidence/probe/http.js';
import type { HeaderList } from '../model/types.js';

/** The body bytes read to keep a connection for the next probe; past them the connection is closed. */
const DRAIN_LIMIT = 64 * 1024;

export interface AuditSender {
  send(request: RecordedRequest): Promise<SendResult>;
  /** Closes the kept connections. */
  close(): void;
}

function headerLines(raw: string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i] as string, raw[i + 1] as string]);
  return list;
}

/** A sender whose connections are kept between probes, at most `connections` at once. */
export function keepAliveSender(timeoutMs: number, connections: number): AuditSender {
  const http = new HttpAgent({ keepAlive: true, maxSockets: connections });
  // TLS is loaded only for an https URL: it costs a plain-HTTP run some milliseconds of start-up.
  let https: { agent: HttpAgent; request: typeof httpRequest } | undefined;
  const once = async (request: RecordedRequest): Promise<SendResult & { reused?: boolean }> => {
    const url = new URL(request.url);
    if (url.protocol === 'https:' && !https) {
      const tls = await import('node:https');
      https = { agent: new tls.Agent({ keepAlive: true, maxSockets: connections }), request: tls.request };
    }
    const secure = url.protocol === 'https:' ? https : undefined;
    const lines: string[] = ['Host', url.host];
    for (const [name, value] of request.headers) lines.push(name, value);
    const options: RequestOptions = {
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: lines as unknown as RequestOptions['headers'],
      agent: secure ? secure.agent : http,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
    };
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      const finish = (result: SendResult & { reused?: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(result);
      };
      let outgoing: ClientRequest;
      try {
        outgoing = (secure ? secure.request : httpRequest)(options, (response: IncomingMessage) => {
          const ms = performance.now() - started;
          const recorded = {
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: headerLines(response.rawHeaders),
            bodyExcerpt: '',
          };
          // The headers decide; the body is read only to keep the connection, and not for long: past
          // DRAIN_LIMIT bytes or BODY_WAIT_MS, the connection is closed instead.
          clearTimeout(deadline);
          let read = 0;
          const done = () => finish({ response: recorded, ms });
          const drop = () => {
            response.destroy();
            done();
          };
          deadline = setTimeout(drop, Math.min(BODY_WAIT_MS, timeoutMs));
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > DRAIN_LIMIT) drop();
          });
          response.on('end', done);
          response.on('error', done);
          response.on('close', done);
        });
      } catch (error) {
        // Node refuses a header it cannot send before connecting.
        finish({ error: describeNetworkError(error, request.url, timeoutMs), ms: 0 });
        return;
      }
      deadline = setTimeout(
        () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
        timeoutMs,
      );
      outgoing.on('error', (error) =>
        finish({
          error: describeNetworkError(error, request.url, timeoutMs),
          ms: performance.now() - started,
          reused: outgoing.reusedSocket,
        }),
      );
      outgoing.end();
    });
  };
  return {
    async send(request) {
      const result = await once(request);
      // A kept connection closed by the server between two probes: the probe never reached it.
      if (result.error && result.reused) return sendRaw(request, timeoutMs);
      const { reused: _, ...sent } = result;
      return sent;
    },
    close() {
      http.destroy();
      https?.agent.destroy();
    },
  };
}
