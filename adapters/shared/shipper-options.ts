// The shipper's options: what a user may set, the defaults, and the two environment variables that fill gaps.
import { LogstitchError } from '../../src/model/index.js';
import type { WarningSink } from './warnings.js';

export const DEFAULT_INDEXER_URL = 'http://127.0.0.1:4318';
export const INDEXER_URL_ENV = 'LOGSTITCH_INDEXER_URL';
export const INGEST_TOKEN_ENV = 'LOGSTITCH_INGEST_TOKEN';

export interface ShipperOptions {
  /** The indexer; `/ingest` is appended unless the path already ends with it. Default: $LOGSTITCH_INDEXER_URL, else http://127.0.0.1:4318. */
  url?: string;
  /** Sent as `authorization: Bearer <token>`. Default: $LOGSTITCH_INGEST_TOKEN. */
  token?: string;
  /** Lines per batch at most. Default 1000. */
  batchSize?: number;
  /** Bytes per batch at most (before gzip); a single longer line still goes alone. Default 1 MiB. */
  batchBytes?: number;
  /** The longest a line waits for its batch to fill. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Bytes of queued lines kept while the indexer is slow or away; beyond it the oldest are dropped. Default 32 MiB. */
  maxBufferBytes?: number;
  /** Longer lines are cut and flagged (see line-limit.ts). Default 1 MiB, at least 1 KiB. */
  maxLineBytes?: number;
  /** Batches bigger than this are gzipped. Default 16 KiB; 0 gzips all, Infinity none. */
  gzipThreshold?: number;
  /** A request without a complete answer after this long is abandoned and retried. Default 10 s. */
  timeoutMs?: number;
  /** First retry waits up to this long (full jitter, doubling per attempt). Default 200 ms. */
  backoffBaseMs?: number;
  /** No retry waits longer than this, unless the indexer's Retry-After asks for it. Default 30 s. */
  backoffMaxMs?: number;
  /** At most one warning of each kind per interval on stderr. Default 30 s. */
  warnIntervalMs?: number;
  /** Where warnings go. Default: a line on stderr. */
  onWarning?: WarningSink;
  /** Send what is queued when the event loop empties ('beforeExit'), so a script's last lines arrive. Default true. */
  flushOnExit?: boolean;
  /** The environment the defaults are read from. Default: process.env. */
  env?: Record<string, string | undefined>;
}

export interface ResolvedShipperOptions {
  url: URL;
  token: string | undefined;
  batchSize: number;
  batchBytes: number;
  flushIntervalMs: number;
  maxBufferBytes: number;
  maxLineBytes: number;
  gzipThreshold: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  warnIntervalMs: number;
  onWarning: WarningSink | undefined;
  flushOnExit: boolean;
}

export class ShipperConfigError extends LogstitchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOGSTITCH_SHIPPER_CONFIG', message, options);
  }
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** Fills defaults and checks every value; throws ShipperConfigError naming the option that is wrong. */
export function resolveShipperOptions(options: ShipperOptions = {}): ResolvedShipperOptions {
  const env = options.env ?? process.env;
  const count = (name: keyof ShipperOptions, fallback: number, min = 1): number => {
    const value = options[name] ?? fallback;
    if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
      throw new ShipperConfigError(`logstitch shipper option ${name} must be a number ≥ ${min}, got ${String(value)}`);
    }
    return value;
  };
  return {
    url: ingestUrl(options.url ?? (env[INDEXER_URL_ENV] || DEFAULT_INDEXER_URL)),
    token: options.token ?? (env[INGEST_TOKEN_ENV] || undefined),
    batchSize: count('batchSize', 1000),
    batchBytes: count('batchBytes', MIB),
    flushIntervalMs: count('flushIntervalMs', 1000),
    maxBufferBytes: count('maxBufferBytes', 32 * MIB),
    maxLineBytes: count('maxLineBytes', MIB, KIB),
    gzipThreshold: count('gzipThreshold', 16 * KIB, 0),
    timeoutMs: count('timeoutMs', 10_000),
    backoffBaseMs: count('backoffBaseMs', 200),
    backoffMaxMs: count('backoffMaxMs', 30_000),
    warnIntervalMs: count('warnIntervalMs', 30_000, 0),
    onWarning: options.onWarning,
    flushOnExit: options.flushOnExit ?? true,
  };
}

/** The indexer's ingest endpoint for a base URL: used as is when its path ends with /ingest, else /ingest appended. */
export function ingestUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch (error) {
    throw new ShipperConfigError(`logstitch indexer URL ${JSON.stringify(base)} is not a URL; use e.g. ${DEFAULT_INDEXER_URL}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ShipperConfigError(`logstitch indexer URL ${JSON.stringify(base)} must start with http:// or https://`);
  }
  if (!url.pathname.endsWith('/ingest')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/ingest`;
  return url;
}

/** The URL as warnings show it: no credentials, no query string. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
