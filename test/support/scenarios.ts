import type { CredentialsMode, HeaderList, Scenario } from '../../src/model/types.js';

export const ORIGIN = 'http://localhost:3000';
export const URL = 'http://localhost:8000/items';

interface Build {
  method?: string;
  headers?: HeaderList;
  credentials?: CredentialsMode;
  preflight?: { status?: number; headers: HeaderList };
  response?: { status?: number; headers: HeaderList };
}

/** A scenario from the page at ORIGIN to URL with the given request and answers. */
export function scenario(b: Build): Scenario {
  return {
    origin: ORIGIN,
    request: {
      url: URL,
      method: b.method ?? 'GET',
      headers: b.headers ?? [],
      credentials: b.credentials ?? 'omit',
    },
    ...(b.preflight && { preflight: { status: b.preflight.status ?? 200, headers: b.preflight.headers } }),
    response: { status: b.response?.status ?? 200, headers: b.response?.headers ?? [] },
  };
}

export const acao = (value: string): [string, string] => ['Access-Control-Allow-Origin', value];
export const acac = (value: string): [string, string] => ['Access-Control-Allow-Credentials', value];
export const acam = (value: string): [string, string] => ['Access-Control-Allow-Methods', value];
export const acah = (value: string): [string, string] => ['Access-Control-Allow-Headers', value];
