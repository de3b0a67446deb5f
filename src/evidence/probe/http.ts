import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { NetworkFailure, PredictedBy, RecordedRequest, RecordedResponse } from '../../core/exchange.js';
import type { HeaderList } from '../../model/types.js';

/** How much of a response body is kept (the excerpt shown; the verdict comes from the headers alone). */
export const BODY_EXCERPT_BYTES = 2048;

/** How long the body is read for its excerpt once the headers are in, at most: then the socket is closed. */
export const BODY_WAIT_MS = 1000;

/**
 * The most response header bytes read. Chrome refuses an answer with more than 256 KiB of headers
 * (net::ERR_RESPONSE_HEADERS_TOO_BIG), Firefox one with more than 384 KiB; Node's default (16 KiB) would
 * refuse answers every browser reads.
 */
export const MAX_RESPONSE_HEADER_BYTES = 256 * 1024;

export interface SendResult {
  response?: RecordedResponse;
  error?: NetworkFailure;
  ms: number;
  predicted?: PredictedBy;
}

function pairs(raw: Buffer[] | string[] | null | undefined): HeaderList {
  const list: HeaderList = [];
  if (!raw) return list;
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([String(raw[i]), String(raw[i + 1])]);
  return list;
}

/** Turns a low-level error into one line a user can act on. */
export function describeNetworkError(error: unknown, url: string, timeoutMs: number): NetworkFailure {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? 'ENETWORK';
  const host = new URL(url).host;
  if (code === 'ECONNREFUSED') {
    return {
      code,
      message: `connection refused by ${host}: is the server running and listening on that port?`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      code: 'ENOTFOUND',
      message: `cannot resolve host ${new URL(url).hostname}: check the URL for typos`,
    };
  }
  if (code === 'TIMEOUT' || code === 'ETIMEDOUT') {
    return {
      code: 'TIMEOUT',
      message: `no answer from ${host} within ${timeoutMs} ms: is the server up? (raise it with --timeout)`,
    };
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      code: 'HEADERS_TOO_BIG',
      message: `${host} answered with more than ${MAX_RESPONSE_HEADER_BYTES / 1024} KB of response headers: Chrome refuses such an answer (net::ERR_RESPONSE_HEADERS_TOO_BIG), Firefox one over 384 KB, and fetch() fails with a network error; look for a header that grows without bound (Set-Cookie, a long Content-Security-Policy)`,
    };
  }
  if (code.startsWith('HPE_')) {
    return {
      code: 'NOT_HTTP',
      message: `${host} answered with something that is not HTTP/1.1 (${code}): is it speaking HTTP on that port?`,
    };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return {
      code: 'ECONNRESET',
      message: `${host} closed the connection without answering: is it speaking HTTP on that port?`,
    };
  }
  if (
    code === 'EPROTO' ||
    /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(`${code} ${err.message ?? ''}`)
  ) {
    return {
      code: 'TLS',
      message: `TLS error talking to ${host} (${code}): check the certificate or use http:// for a plain-HTTP server`,
    };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { code, message: `${host} is unreachable from this machine (${code})` };
  }
  return { code, message: `request to ${host} failed: ${err.message ?? code}` };
}

/** What goes on the wire besides the recorded lines: `Host` first, and the body's length, as browsers send them. */
function wireHeaders(request: RecordedRequest, url: URL): string[] {
  const lines: string[] = ['Host', url.host];
  for (const [name, value] of request.headers) lines.push(name, value);
  const length =
    request.body !== undefined
      ? Buffer.byteLength(request.body)
      : ['POST', 'PUT', 'PATCH'].includes(request.method.toUpperCase())
        ? 0
        : undefined;
  if (length !== undefined) lines.push('Content-Length', String(length));
  return lines;
}

/**
 * Sends one request exactly as given (header order, case and repeats kept), on its own connection, never
 * following redirects, and records the raw response header lines. node:http keeps both lists raw: a flat
 * array of request header lines is sent as is, and `rawHeaders` is the response's lines in order and case.
 */
export async function sendRaw(request: RecordedRequest, timeoutMs: number): Promise<SendResult> {
  const url = new URL(request.url);
  const started = performance.now();
  const send = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const options: RequestOptions = {
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    path: `${url.pathname}${url.search}`,
    method: request.method,
    // A flat array of lines: Node sends them in this order and case, repeats included.
    headers: wireHeaders(request, url) as unknown as RequestOptions['headers'],
    // A connection per request: some servers (uvicorn after an unhandled exception) drop a kept-alive
    // connection without saying so, and the next request on it would fail.
    agent: false,
    maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
  };
  return new Promise((resolve) => {
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    let answeredMs: number | undefined;
    const finish = (result: Omit<SendResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve({ ...result, ms: answeredMs ?? performance.now() - started });
    };
    const failed = (error: unknown) => finish({ error: describeNetworkError(error, request.url, timeoutMs) });
    let outgoing: ClientRequest;
    try {
      outgoing = send(options, (response) => {
        // The headers are in: the answer is decided. The body is read only for its excerpt, bounded in size
        // and time (a server may stream forever), then the connection is closed.
        answeredMs = performance.now() - started;
        clearTimeout(deadline);
        readExcerpt(response, Math.min(BODY_WAIT_MS, timeoutMs), (recorded) => {
          finish({ response: recorded });
          outgoing.destroy();
        });
      });
    } catch (error) {
      // Node refuses a header it cannot send (a control character in a value, a bad name) before connecting.
      failed(error);
      return;
    }
    // One deadline until the headers arrive: connecting, a silent server, and one that trickles its headers.
    deadline = setTimeout(
      () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      timeoutMs,
    );
    outgoing.on('error', failed);
    outgoing.end(request.body);
  });
}

/**
 * Keeps the status, the raw header lines and the first bytes of the body: done once the body ends, once
 * BODY_EXCERPT_BYTES are in, or after `waitMs`, whichever comes first.
 */
function readExcerpt(
  response: IncomingMessage,
  waitMs: number,
  done: (recorded: RecordedResponse) => void,
): void {
  const chunks: Buffer[] = [];
  let kept = 0;
  let over = false;
  const end = () => {
    if (over) return;
    over = true;
    clearTimeout(timer);
    done({
      status: response.statusCode ?? 0,
      statusText: response.statusMessage ?? '',
      headers: pairs(response.rawHeaders),
      bodyExcerpt: Buffer.concat(chunks).subarray(0, BODY_EXCERPT_BYTES).toString('utf8'),
    });
  };
  const timer = setTimeout(end, waitMs);
  response.on('data', (chunk: Buffer) => {
    if (kept < BODY_EXCERPT_BYTES) {
      chunks.push(chunk);
      kept += chunk.length;
    }
    if (kept >= BODY_EXCERPT_BYTES) end();
  });
  response.on('end', end);
  // The headers came, the body broke off: what arrived is still the server's answer.
  response.on('error', end);
  response.on('aborted', end);
  response.on('close', end);
}
