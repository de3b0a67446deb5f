/**
 * `watch`: the proxy, the book of entries it feeds, and the live page's routes under `/__cors-doctor/`
 * (the page, `exchanges.json`, the server-sent events that bring each new or changed entry, and
 * `report.html`, a snapshot of the entries as one self-contained page).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadInputError } from '../core/errors.js';
import { packageVersion } from '../package-root.js';
import { watchSnapshotHtml } from '../report/html/index.js';
import { maskSecrets } from '../report/mask.js';
import { type BookEvent, ExchangeBook } from './book.js';
import type { JudgedRecord, WatchEntry } from './entry.js';
import { livePage } from './live-page.js';
import { forward, forwardUpgrade, proxyTarget, refusal, refuse } from './proxy.js';

/** Where the live page and its data are served; never passed to the target. */
export const LIVE_PREFIX = '/__cors-doctor';

export interface WatchOptions {
  target: URL;
  port: number;
  host: string;
  maxExchanges: number;
  showSecrets: boolean;
  /** Adds what the source says to a final entry (`--project`). */
  enrich?: (entry: WatchEntry, judged: JudgedRecord) => Promise<WatchEntry>;
  /** Each final entry, as shown. */
  onEntry?: (entry: WatchEntry) => void;
  onUpgrade?: (method: string, path: string, status: number | 'failed') => void;
  pairWindowMs?: number;
  /** cors-doctor's version, named in the footer of `report.html` (default: the package's). */
  version?: string;
}

export interface WatchServer {
  /** `http://host:port` of the proxy. */
  url: string;
  port: number;
  book: ExchangeBook;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 15_000;

/**
 * How long a connection from the page stays open with no request on it: longer than browsers keep an idle
 * connection (Chrome 5 minutes, Firefox 115 s), so the client closes it first and never sends a request on
 * a connection the proxy is closing at that very moment. With Node's default of 5 s, a client busy at that
 * moment had its request reset (ECONNRESET) on a connection it had left idle for 5 s.
 */
export const CLIENT_KEEP_ALIVE_MS = 10 * 60_000;

/** Host names the live page answers to: loopback names and the address listened on (not a rebinding name). */
function liveHostAllowed(hostHeader: string | undefined, listenHost: string): boolean {
  if (!hostHeader) return false;
  const name = hostHeader
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return ['localhost', '127.0.0.1', '::1', listenHost.toLowerCase()].includes(name) || /^127\./.test(name);
}

/** The pages under the prefix: the live page, its data, and the snapshot as a report. */
export const LIVE_PAGES = {
  live: `${LIVE_PREFIX}/`,
  exchanges: `${LIVE_PREFIX}/exchanges.json`,
  events: `${LIVE_PREFIX}/events`,
  report: `${LIVE_PREFIX}/report.html`,
} as const;

const sse = (event: string, data: string) => `event: ${event}\ndata: ${data}\n\n`;

/** Starts the proxy; throws BadInputError when the port cannot be listened on. */
export async function startWatch(options: WatchOptions): Promise<WatchServer> {
  const target = proxyTarget(options.target);
  const version = options.version ?? packageVersion();
  const streams = new Set<ServerResponse>();
  let ownHost = `${options.host}:${options.port}`;
  const book = new ExchangeBook({
    max: options.maxExchanges,
    present: (entry) => (options.showSecrets ? entry : maskSecrets(entry)),
    ...(options.enrich && { enrich: options.enrich }),
    ...(options.pairWindowMs !== undefined && { pairWindowMs: options.pairWindowMs }),
  });
  book.subscribe((event: BookEvent) => {
    if (event.type === 'entry' && event.final) options.onEntry?.(event.entry);
    if (streams.size === 0) return;
    const text =
      event.type === 'entry' ? sse('entry', JSON.stringify(event.entry)) : sse('drop', String(event.id));
    for (const stream of streams) stream.write(text);
  });
  const hooks = {
    reserveId: () => book.reserveId(),
    recorded: book.record.bind(book),
    ...(options.onUpgrade && { upgraded: options.onUpgrade }),
  };

  const live = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (!liveHostAllowed(req.headers.host, options.host)) {
      refuse(res, 'the live page answers on the proxy’s own address only');
      return;
    }
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
      res.end();
      return;
    }
    const page = (html: string, policy: string) => {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        'Cache-Control': 'no-store',
        'Content-Security-Policy': policy,
      });
      res.end(html);
    };
    if (path === LIVE_PREFIX) {
      res.writeHead(301, { Location: LIVE_PAGES.live, 'Content-Length': 0 });
      res.end();
    } else if (path === LIVE_PAGES.live) {
      // Nothing but itself: inline style and script, the event stream from its own address.
      page(
        livePage(options.target.href, `http://${req.headers.host}`),
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'",
      );
    } else if (path === LIVE_PAGES.report) {
      // The page `--format html` writes: inline style and SVG, no script, nothing to load.
      page(
        watchSnapshotHtml(book.list(), options.target.href, version),
        "default-src 'none'; style-src 'unsafe-inline'",
      );
    } else if (path === LIVE_PAGES.exchanges) {
      json(200, book.list());
    } else if (path === LIVE_PAGES.events) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.write(`retry: 1000\n${sse('snapshot', JSON.stringify(book.list()))}`);
      streams.add(res);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      beat.unref();
      res.on('close', () => {
        clearInterval(beat);
        streams.delete(res);
      });
    } else {
      json(404, { error: `no such page: ${path}; the live page is ${LIVE_PAGES.live}` });
    }
  };

  const server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    const requestTarget = req.url ?? '/';
    const path = requestTarget.split('?')[0] as string;
    if (path === LIVE_PREFIX || path.startsWith(`${LIVE_PREFIX}/`)) {
      live(req, res, path);
      return;
    }
    const why = refusal(requestTarget, target);
    if (why) {
      refuse(res, why);
      return;
    }
    forward(req, res, target, ownHost, hooks);
  });
  server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
  server.on('upgrade', (req, socket, head) => {
    const why = refusal(req.url ?? '/', target);
    if (why || (req.url ?? '').startsWith(LIVE_PREFIX)) {
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why ?? 'no upgrade here'}\n`,
      );
      return;
    }
    forwardUpgrade(req, socket, head, target, hooks);
  });
  server.on('connect', (_req, socket) => {
    const text = `cors-doctor watch is not an open proxy: it passes requests to ${target.url.origin} only\n`;
    socket.end(
      `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${options.host}:${options.port}`;
      if (error.code === 'EADDRINUSE')
        reject(
          new BadInputError(
            `port ${options.port} is in use on ${options.host}: stop what listens there, or pick another with --port`,
          ),
        );
      else if (error.code === 'EACCES')
        reject(new BadInputError(`not allowed to listen on ${where}: pick a port above 1023 with --port`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new BadInputError(`--host ${options.host} is not an address of this machine`));
      else reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostInUrl}:${port}`;
  ownHost = `${hostInUrl}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    book,
    close() {
      closing ??= new Promise<void>((resolve) => {
        book.close();
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
