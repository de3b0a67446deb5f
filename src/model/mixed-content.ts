// Mixed content: an https page may not fetch a plain-http URL unless its host is loopback.
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** An https page calling a plain-http URL that is not loopback: blocked before any CORS check. */
export function isMixedContent(origin: string, url: string): boolean {
  if (!origin.startsWith('https:')) return false;
  const target = new URL(url);
  return (
    target.protocol === 'http:' &&
    !LOOPBACK.includes(target.hostname) &&
    !target.hostname.endsWith('.localhost')
  );
}
