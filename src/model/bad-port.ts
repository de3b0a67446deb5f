/**
 * Ports browsers never connect to over http(s): the Fetch standard's "bad port" list, which Chromium
 * (net::ERR_UNSAFE_PORT) and Firefox (NS_ERROR_PORT_ACCESS_NOT_ALLOWED) both enforce. The request fails as
 * a network error before anything is sent, while curl reaches the server on that port.
 */
export const BAD_PORTS: ReadonlySet<number> = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The port of an http(s) URL that browsers refuse to connect to, if it has one. */
export function badPortOf(url: string): number | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  // The default port (80, 443) is never written in a parsed URL and is never a bad port.
  if (parsed.port === '') return undefined;
  const port = Number(parsed.port);
  return BAD_PORTS.has(port) ? port : undefined;
}
