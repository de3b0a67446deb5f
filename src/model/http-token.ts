/** RFC 9110 `token`: one or more tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isHttpToken(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * Splits a comma-separated list header (`Access-Control-Allow-Methods`, `-Headers`, `-Expose-Headers`)
 * the way Chromium and Firefox do: on `,`, each item trimmed, empty items skipped.
 */
export function splitListHeader(value: string | null): string[] {
  if (value === null) return [];
  return value
    .split(',')
    .map((item) => item.replace(/^[\t ]+|[\t ]+$/g, ''))
    .filter((item) => item.length > 0);
}

/** The first item of a list header that is not a token, or undefined when every item is one. */
export function firstInvalidToken(items: string[]): string | undefined {
  return items.find((item) => !isHttpToken(item));
}
