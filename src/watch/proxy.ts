/**
 * The proxy of `watch`: every request to the target and every answer back unchanged (status, header lines
 * in order and case, body streamed as it comes), WebSocket upgrades piped both ways. Only the target is
 * reachable: a request-target naming another host, and CONNECT, are refused. What passed is recorded as
 * exchanges (the first bytes of each body only); the proxy never judges.
 */
import type { IncomingMessage, RequestOptions, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { Exchange, NetworkFailure } from '../core/exchange.js';
import {
  BODY_EXCERPT_BYTES,
  describeNetworkError,
  MAX_RESPONSE_HEADER_BYTES,
} from '../evidence/probe/http.js';
import type { HeaderList } from '../model/types.js';

/** How long an answer's body is read for its excerpt before the exchange is recorded anyway (streams). */
export const EXCERPT_WAIT_MS = 250;

export interface ProxyTarget {
  url: URL;
  /** The target's path without its trailing slash, put before every request's path. */
  prefix: string;
}

export function proxyTarget(url: URL): ProxyTarget {
  return { url, prefix: url.pathname.replace(/\/+$/, '') };
}

/** What the proxy tells about each request that went through it. */
export interface ProxyHooks {
  /** A number for a request as it arrives. */
  reserveId(): number;
  /** The exchange, once the answer's headers and the first bytes of its body are in. */
  recorded(id: number, time: string, exchange: Exchange, targetError?: NetworkFailure): void;
  /** A WebSocket (or other) upgrade passed through. */
  upgraded?(method: string, path: string, status: number | 'failed'): void;
}

function pairs(raw: string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i] as string, raw[i + 1] as string]);
  return list;
}

const hasHeader = (raw: string[], name: string): boolean => {
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name) return true;
  return false;
};

/** A target on this machine: it gets the browser's own Host line (its redirects then lead back to the proxy). */
const isLoopback = (hostname: string): boolean => /^(localhost|127(\.\d+){3}|\[::1\])$/i.test(hostname);

/**
 * The request's raw header lines as they came, in order. A target on this machine gets them all unchanged
 * (Host too: the app builds its redirects from it, so they lead back through the proxy); another host gets
 * its own name in Host, as it routes by it.
 */
function forwardedHeaders(raw: string[], target: ProxyTarget): string[] {
  if (isLoopback(target.url.hostname) && hasHeader(raw, 'host')) return raw;
  const out = raw.slice();
  let host = false;
  for (let i = 0; i < out.length; i += 2) {
    if ((out[i] as string).toLowerCase() === 'host') {
      out[i + 1] = target.url.host;
      host = true;
    }
  }
  if (!host) out.unshift('Host', target.url.host);
  return out;
}

/** Why the proxy will not pass a request-target on, or undefined when it goes to the target. */
export function refusal(requestTarget: string, target: ProxyTarget): string | undefined {
  if (requestTarget.startsWith('/')) return undefined;
  const notOpen = `cors-doctor watch is not an open proxy: it passes requests to ${target.url.origin} only`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(requestTarget)) return notOpen;
  try {
    return new URL(requestTarget).origin === target.url.origin ? undefined : notOpen;
  } catch {
    return notOpen;
  }
}

/** The path sent to the target: its prefix, then the request's path and query. */
function upstreamPath(requestTarget: string, target: ProxyTarget): string {
  const path = requestTarget.startsWith('/')
    ? requestTarget
    : (() => {
        const u = new URL(requestTarget);
        return `${u.pathname}${u.search}`;
      })();
  return `${target.prefix}${path}`;
}

/** Answers a request the proxy refuses: 403 and one line. */
export function refuse(res: ServerResponse, why: string): void {
  const body = `${why}\n`;
  res.writeHead(403, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Collects the first BODY_EXCERPT_BYTES of a stream as text. */
class Excerpt {
  private chunks: Buffer[] = [];
  private kept = 0;
  add(chunk: Buffer): boolean {
    if (this.kept >= BODY_EXCERPT_BYTES) return true;
    const part =
      chunk.length + this.kept > BODY_EXCERPT_BYTES
        ? chunk.subarray(0, BODY_EXCERPT_BYTES - this.kept)
        : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    return this.kept >= BODY_EXCERPT_BYTES;
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Passes one request to the target and its answer back, recording the exchange. */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: ProxyTarget,
  ownHost: string,
  hooks: ProxyHooks,
): void {
  const id = hooks.reserveId();
  const time = new Date().toISOString();
  const started = performance.now();
  const requestTarget = req.url ?? '/';
  const method = req.method ?? 'GET';
  const seenUrl = `http://${req.headers.host ?? ownHost}${requestTarget.startsWith('/') ? requestTarget : upstreamPath(requestTarget, { ...target, prefix: '' })}`;
  const requestBody = new Excerpt();
  let sentBody = false;
  req.on('data', (chunk: Buffer) => {
    sentBody = true;
    requestBody.add(chunk);
  });
  const recordedRequest = () => ({
    method,
    url: seenUrl,
    headers: pairs(req.rawHeaders),
    ...(sentBody && { body: requestBody.text }),
  });

  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const options: RequestOptions = {
    hostname: target.url.hostname.replace(/^\[|\]$/g, ''),
    port: target.url.port,
    method,
    path: upstreamPath(requestTarget, target),
    // A flat array of lines: sent in this order and case, repeats included.
    headers: forwardedHeaders(req.rawHeaders, target) as unknown as RequestOptions['headers'],
    // A connection per request, as the browser's own may close at any time; on loopback it costs little.
    agent: false,
    maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
  };
  const upstream = send(options);

  upstream.on('response', (answer) => {
    const ms = performance.now() - started;
    const raw = answer.rawHeaders;
    res.sendDate = false;
    // Node adds Connection, Keep-Alive and Transfer-Encoding lines of its own unless told they were removed.
    if (!hasHeader(raw, 'connection')) res.removeHeader('connection');
    if (!hasHeader(raw, 'transfer-encoding')) res.removeHeader('transfer-encoding');
    if (!hasHeader(raw, 'content-length')) res.removeHeader('content-length');
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage ?? '', raw);
    answer.pipe(res);

    const body = new Excerpt();
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      answer.off('data', onData);
      hooks.recorded(id, time, {
        kind: 'actual',
        request: recordedRequest(),
        response: {
          status: answer.statusCode ?? 0,
          statusText: answer.statusMessage ?? '',
          headers: pairs(raw),
          bodyExcerpt: body.text,
        },
        ms,
      });
    };
    const onData = (chunk: Buffer) => {
      if (body.add(chunk)) setImmediate(record);
    };
    const timer = setTimeout(record, EXCERPT_WAIT_MS);
    answer.on('data', onData);
    answer.once('end', () => setImmediate(record));
    answer.once('close', () => setImmediate(record));
    answer.once('error', () => res.destroy());
  });

  upstream.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const failure = describeNetworkError(error, target.url.href, 0);
    const text = `cors-doctor watch: ${target.url.origin} did not answer: ${failure.message}\n`;
    const headers: HeaderList = [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', String(Buffer.byteLength(text))],
    ];
    res.writeHead(502, 'Bad Gateway', headers.flat());
    res.end(text);
    hooks.recorded(
      id,
      time,
      {
        kind: 'actual',
        request: recordedRequest(),
        response: { status: 502, statusText: 'Bad Gateway', headers, bodyExcerpt: text },
        ms: performance.now() - started,
      },
      failure,
    );
  });

  // The page went away before the answer was complete: the target's request goes too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/**
 * A WebSocket (or other) upgrade: the request's head is written to the target as it came (Host naming the
 * target), then both sockets are piped into each other; the answer (101 and the frames) is passed as bytes.
 */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: ProxyTarget,
  hooks: ProxyHooks,
): void {
  const requestTarget = req.url ?? '/';
  const method = req.method ?? 'GET';
  const port = Number(target.url.port || (target.url.protocol === 'https:' ? 443 : 80));
  const hostname = target.url.hostname.replace(/^\[|\]$/g, '');
  const upstream: Socket =
    target.url.protocol === 'https:'
      ? tlsConnect({ host: hostname, port, servername: hostname, ALPNProtocols: ['http/1.1'] })
      : netConnect({ host: hostname, port });
  const lines = forwardedHeaders(req.rawHeaders, target);
  let head0 = `${method} ${upstreamPath(requestTarget, target)} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i + 1 < lines.length; i += 2) head0 += `${lines[i]}: ${lines[i + 1]}\r\n`;
  head0 += '\r\n';
  let answered = false;
  upstream.once(target.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    upstream.write(head0);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.once('data', (chunk: Buffer) => {
    answered = true;
    const status = /^HTTP\/\d\.\d (\d{3})/.exec(chunk.subarray(0, 16).toString('latin1'))?.[1];
    hooks.upgraded?.(method, requestTarget, status ? Number(status) : 'failed');
  });
  upstream.on('error', (error) => {
    if (!answered) {
      const failure = describeNetworkError(error, target.url.href, 0);
      const text = `cors-doctor watch: ${target.url.origin} did not answer: ${failure.message}\n`;
      socket.end(
        `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
      hooks.upgraded?.(method, requestTarget, 'failed');
    } else socket.destroy();
  });
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => socket.destroy());
}
