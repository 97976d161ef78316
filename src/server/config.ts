// The indexer's configuration: defaults, environment variables, and checks with messages that say what to fix.
import { LogstitchError } from '../model/errors.js';
import type { TailSamplerConfig } from '../correlate/index.js';
import type { ClickHouseStoreOptions } from '../store/clickhouse/index.js';
import { REDACT_MODES, type RedactMode } from './intake.js';

export interface IndexerConfig {
  host: string;
  port: number;
  /** Where the store keeps its files. */
  dataDir: string;
  /** When set, POST /ingest, /v1/* and /api/v2/spans need `authorization: Bearer <token>`. */
  ingestToken?: string;
  /** When set, the query API (GET /api/*) needs `authorization: Bearer <token>`. */
  queryToken?: string;
  /** Largest request body accepted as sent (compressed or not). */
  maxBodyBytes: number;
  /** Largest body after gzip decompression: the guard against gzip bombs. */
  maxDecompressedBytes: number;
  /** Drop records older than this (µs); undefined keeps them. */
  retentionAgeUs?: number;
  /** Drop the oldest records beyond this many bytes; undefined keeps them. */
  retentionBytes?: number;
  /** How often retention runs, ms. */
  retentionIntervalMs: number;
  /** The indexer's own log level. */
  logLevel: string;
  /** Which received records are redacted before they are stored (OTLP and Zipkin by default). */
  redact: RedactMode;
  /** Redaction also replaces e-mail addresses. */
  redactEmails: boolean;
  /** Tail-based sampling; off unless `enabled`. */
  tailSampling: TailSamplerConfig;
  /** Where the data lives: the embedded SQLite store in dataDir (default) or ClickHouse. */
  store: 'sqlite' | 'clickhouse';
  clickhouse?: ClickHouseStoreOptions;
}

export const DEFAULT_PORT = 4318;

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const config: IndexerConfig = {
    host: '127.0.0.1',
    port: DEFAULT_PORT,
    dataDir: env.LOGSTITCH_DATA ?? './.logstitch',
    maxBodyBytes: 32 * 1024 * 1024,
    maxDecompressedBytes: 128 * 1024 * 1024,
    retentionIntervalMs: 60_000,
    logLevel: env.LOGSTITCH_LOG_LEVEL ?? 'info',
    redact: 'received',
    redactEmails: false,
    tailSampling: { enabled: false },
    store: 'sqlite',
  };
  if (env.LOGSTITCH_INGEST_TOKEN) config.ingestToken = env.LOGSTITCH_INGEST_TOKEN;
  if (env.LOGSTITCH_QUERY_TOKEN) config.queryToken = env.LOGSTITCH_QUERY_TOKEN;
  return config;
}

export class ConfigError extends LogstitchError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

const UNITS: Record<string, number> = { s: 1e6, m: 60e6, h: 3600e6, d: 86_400e6, w: 604_800e6 };

/** `30s`, `15m`, `12h`, `7d`, `2w` → µs. */
export function parseAge(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (m === null) throw new ConfigError(`${option} must be a duration such as 7d, 12h or 30m, not ${JSON.stringify(text)}`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

const SIZES: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** `500MB`, `10GiB`, `1048576` → bytes. */
export function parseSize(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m?.[2]?.toLowerCase() || 'b';
  if (m === null || SIZES[unit] === undefined) throw new ConfigError(`${option} must be a size such as 500MB or 10GiB, not ${JSON.stringify(text)}`);
  return Math.round(Number(m[1]) * SIZES[unit]);
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number (0–65535), not ${JSON.stringify(text)}`);
  return port;
}

export function parseRedactMode(text: string): RedactMode {
  if (!(REDACT_MODES as readonly string[]).includes(text)) throw new ConfigError(`--redact must be one of ${REDACT_MODES.join(', ')}, not ${JSON.stringify(text)}`);
  return text as RedactMode;
}
