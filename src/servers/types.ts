import type { HeaderList } from '../model/types.js';

/** A Starlette CORSMiddleware configuration with plain values (what the constructor receives). */
export interface StarletteCorsConfig {
  /** A list normally; a plain string (a raw env var) is a real-world bug Starlette accepts. null means None. */
  allow_origins: string[] | string | null;
  allow_origin_regex: string | null;
  allow_methods: string[] | string;
  allow_headers: string[] | string;
  allow_credentials: boolean;
  expose_headers: string[] | string;
  max_age: number | string;
  /** Starlette >= 0.51 only. */
  allow_private_network: boolean;
}

/** The request as it reaches the app. */
export interface ServerRequest {
  method: string;
  /** Absolute URL, e.g. http://localhost:8000/items. */
  url: string;
  headers: HeaderList;
}

/** What the app answers, as the model predicts it. */
export interface PredictedAnswer {
  status: number;
  headers: HeaderList;
  body?: string;
  /** Which layer produced the answer (`CORSMiddleware`, `require_token`, `ServerErrorMiddleware`, `router`). */
  answeredBy: string;
  /** Why, in one line (`preflight answered by CORSMiddleware: Disallowed CORS method`). */
  explanation: string;
}
