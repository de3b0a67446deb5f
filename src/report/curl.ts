import type { RecordedRequest } from '../core/exchange.js';

const BOILERPLATE = ['user-agent', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'referer', 'accept'];

/** Quotes for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** A copy-paste curl command that sends what the browser sent (minus headers that do not change the answer). */
export function curlCommand(request: RecordedRequest): string {
  const parts = ['curl', '-i'];
  if (request.method !== 'GET' || request.body !== undefined) parts.push('-X', request.method);
  parts.push(shellQuote(request.url));
  for (const [name, value] of request.headers) {
    if (BOILERPLATE.includes(name.toLowerCase()) && !(name.toLowerCase() === 'accept' && value !== '*/*'))
      continue;
    parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (request.body !== undefined) parts.push('--data-raw', shellQuote(request.body));
  return parts.join(' ');
}
