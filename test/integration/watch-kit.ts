// What the watch tests share: raw requests with their header lines as given, the proxy started for a target,
// and its entries read as exchanges.json serves them once they are settled.
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { WatchEntry } from '../../src/watch/entry.js';
import { startWatch, type WatchServer } from '../../src/watch/server.js';

export const ROOT = join(import.meta.dirname, '../..');

export interface RawAnswer {
  status: number;
  statusMessage: string;
  /** Raw header lines, `date` values blanked (the clock moves between two requests). */
  lines: string[];
  body: string;
}

/** One request on its own connection, header lines sent as given; the answer as raw lines. */
export function send(url: string, method: string, lines: string[], body?: string): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method,
        headers: lines as unknown as Record<string, string>,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = res.rawHeaders.map((v, i, all) =>
            i % 2 === 1 && /^date$/i.test(all[i - 1] ?? '') ? '<date>' : v,
          );
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            lines: raw,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const exchangesJson = async (watch: WatchServer): Promise<WatchEntry[]> => {
  const answer = await send(`${watch.url}/__cors-doctor/exchanges.json`, 'GET', [
    'Host',
    new URL(watch.url).host,
  ]);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as WatchEntry[];
};

/**
 * The entries after `afterId` as `exchanges.json` serves them, once there is one and none of them waits for
 * a request (woken by the book's events, not by polling).
 */
export async function settledAfter(watch: WatchServer, afterId: number): Promise<WatchEntry[]> {
  const settled = () => {
    const newer = watch.book.list().filter((e) => e.id > afterId);
    return newer.length > 0 && newer.every((e) => e.outcome !== 'pending');
  };
  if (!settled())
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no settled entry after #${afterId}: ${JSON.stringify(watch.book.list())}`));
      }, 8_000);
      const stop = watch.book.subscribe(() => {
        if (!settled()) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  return (await exchangesJson(watch)).filter((e) => e.id > afterId);
}

export const watchOf = (target: string, extra: Partial<Parameters<typeof startWatch>[0]> = {}) =>
  startWatch({
    target: new URL(target),
    port: 0,
    host: '127.0.0.1',
    maxExchanges: 500,
    showSecrets: false,
    ...extra,
  });
