import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { HeaderList } from '../../model/types.js';
import type { NetworkFailure, PredictedBy, RecordedRequest, RecordedResponse } from '../types.js';

/** How much of a response body is kept. */
export const BODY_EXCERPT_BYTES = 2048;

export interface SendResult {
  response?: RecordedResponse;
  error?: NetworkFailure;
  ms: number;
  predicted?: PredictedBy;
}

function flatten(headers: HeaderList): string[] {
  return headers.flat();
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
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return {
      code: 'TIMEOUT',
      message: `no answer from ${host} within ${timeoutMs} ms: is the server up? (raise it with --timeout)`,
    };
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
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

/**
 * Sends one request exactly as given (header order, case and repeats kept), never following redirects,
 * and records the raw response header lines.
 */
export function sendRaw(
  dispatcher: Dispatcher,
  request: RecordedRequest,
  timeoutMs: number,
): Promise<SendResult> {
  const url = new URL(request.url);
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let status = 0;
    let statusText = '';
    let headers: HeaderList = [];
    const finish = (result: Omit<SendResult, 'ms'>) =>
      resolve({ ...result, ms: performance.now() - started });
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: flatten(request.headers),
        body: request.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        // A connection per request: some servers (uvicorn after an unhandled exception) drop a kept-alive
        // connection without saying so, and the next request on it would fail.
        reset: true,
      },
      {
        // Declaring onRequestStart selects undici's v7 handler API (raw header lines via the controller).
        onRequestStart() {},
        onResponseStart(controller, statusCode, _headers, statusMessage) {
          status = statusCode;
          statusText = statusMessage ?? '';
          headers = pairs((controller as unknown as { rawHeaders?: Buffer[] }).rawHeaders);
        },
        onResponseData(_controller, chunk) {
          if (kept < BODY_EXCERPT_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        },
        onResponseEnd() {
          const body = Buffer.concat(chunks).subarray(0, BODY_EXCERPT_BYTES).toString('utf8');
          finish({ response: { status, statusText, headers, bodyExcerpt: body } });
        },
        onResponseError(_controller, error) {
          if (status !== 0) {
            finish({
              response: { status, statusText, headers, bodyExcerpt: Buffer.concat(chunks).toString('utf8') },
            });
          } else {
            finish({ error: describeNetworkError(error, request.url, timeoutMs) });
          }
        },
      },
    );
  });
}
