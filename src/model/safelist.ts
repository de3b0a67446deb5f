import { sortAndCombine } from './header-list.js';
import { isForbiddenMethod } from './method.js';
import { mimeTypeEssence } from './mime-type.js';
import { parseSingleRange } from './range-header.js';
import type { HeaderList } from './types.js';

/**
 * Whose rules decide which request headers are CORS-safelisted. Chromium safelists a few client-hint
 * headers the standard does not; otherwise all three follow the Fetch standard.
 */
export type SafelistRules = 'spec' | 'chrome' | 'firefox';

const FORBIDDEN_REQUEST_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'via',
]);

const METHOD_OVERRIDE_HEADERS = new Set(['x-http-method', 'x-http-method-override', 'x-method-override']);

/** A header `fetch()` silently drops from the page's request. */
export function isForbiddenRequestHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (FORBIDDEN_REQUEST_HEADERS.has(lower)) return true;
  if (lower.startsWith('proxy-') || lower.startsWith('sec-')) return true;
  if (METHOD_OVERRIDE_HEADERS.has(lower)) {
    return value.split(',').some((item) => isForbiddenMethod(item.trim()));
  }
  return false;
}

/** Bytes below 0x20 other than tab, the listed delimiters, and DEL. */
const CORS_UNSAFE_DELIMITERS = '"():<>?@[\\]{}';

function hasCorsUnsafeByte(value: string): boolean {
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || CORS_UNSAFE_DELIMITERS.includes(ch)) return true;
  }
  return false;
}
const LANGUAGE_VALUE = /^[0-9A-Za-z *,\-.;=]*$/;
const SAFELISTED_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
const DIGITS = /^[0-9]+$/;
const EFFECTIVE_CONNECTION_TYPES = ['slow-2g', '2g', '3g', '4g'];

/** Client hints that Chromium treats as CORS-safelisted request headers (value rules included). */
const CHROME_EXTRA_SAFELIST: Record<string, (value: string) => boolean> = {
  'device-memory': (v) => DECIMAL.test(v),
  dpr: (v) => DECIMAL.test(v),
  downlink: (v) => DECIMAL.test(v),
  width: (v) => DIGITS.test(v),
  'viewport-width': (v) => DIGITS.test(v),
  rtt: (v) => DIGITS.test(v),
  ect: (v) => EFFECTIVE_CONNECTION_TYPES.includes(v),
  'save-data': (v) => v === 'on',
};

/** The Fetch standard's "CORS-safelisted request-header", with Chromium's extra names when asked. */
export function isCorsSafelistedRequestHeader(
  name: string,
  value: string,
  rules: SafelistRules = 'spec',
): boolean {
  if (value.length > 128) return false;
  const lower = name.toLowerCase();
  switch (lower) {
    case 'accept':
      return !hasCorsUnsafeByte(value);
    case 'accept-language':
    case 'content-language':
      return LANGUAGE_VALUE.test(value);
    case 'content-type': {
      if (hasCorsUnsafeByte(value)) return false;
      const essence = mimeTypeEssence(value);
      return essence !== null && SAFELISTED_CONTENT_TYPES.includes(essence);
    }
    case 'range': {
      const range = parseSingleRange(value);
      return range !== null && range[0] !== null;
    }
    default: {
      const extra = rules === 'chrome' ? CHROME_EXTRA_SAFELIST[lower] : undefined;
      return extra?.(value) === true;
    }
  }
}

/** The most bytes of safelisted header values a request may carry before they all count as unsafe. */
export const SAFELIST_VALUE_SIZE_MAX = 1024;

/** A page's request headers as `fetch()` keeps them: forbidden ones dropped. */
export interface RequestHeaderSplit {
  /** Headers sent, lowercased, sorted and combined as the Headers object holds them. */
  sent: HeaderList;
  /** The same headers line by line, in the page's order. */
  lines: HeaderList;
  /** Names `fetch()` refused to set (forbidden request headers), as the page wrote them. */
  dropped: string[];
}

export function splitRequestHeaders(list: HeaderList): RequestHeaderSplit {
  const dropped: string[] = [];
  const kept: HeaderList = [];
  for (const [name, value] of list) {
    if (isForbiddenRequestHeader(name, value)) dropped.push(name);
    else kept.push([name, value]);
  }
  return { sent: sortAndCombine(kept), lines: kept, dropped };
}

/**
 * Fetch's "CORS-unsafe request-header names": lowercased, sorted, unique. Includes every safelisted
 * name when the safelisted values add up to more than 1024 bytes.
 */
export function corsUnsafeRequestHeaderNames(sent: HeaderList, rules: SafelistRules = 'spec'): string[] {
  const unsafe: string[] = [];
  const potentiallyUnsafe: string[] = [];
  let safelistValueSize = 0;
  for (const [name, value] of sent) {
    if (isCorsSafelistedRequestHeader(name, value, rules)) {
      potentiallyUnsafe.push(name.toLowerCase());
      safelistValueSize += value.length;
    } else {
      unsafe.push(name.toLowerCase());
    }
  }
  if (safelistValueSize > SAFELIST_VALUE_SIZE_MAX) unsafe.push(...potentiallyUnsafe);
  return [...new Set(unsafe)].sort();
}
