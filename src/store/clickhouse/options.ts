// The ClickHouse store's options, checked: where the server is, who we are, and how the data is laid out.
import type { ClickHouseClientConfigOptions } from '@clickhouse/client';
import { StoreError } from '../errors.js';

/** What @clickhouse/client's experimental `connection` hook takes in place of HTTP (such as chDB's). */
export type ClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>;

export interface ClickHouseStoreOptions {
  /** The HTTP interface of the node this indexer talks to, e.g. `http://127.0.0.1:8123`. */
  url: string;
  /**
   * For tests: each client of the store talks through a connection this makes, through @clickhouse/client's
   * `connection` hook, instead of HTTP — such as chDB's in-process ClickHouse engine. One node only (no
   * cluster); `url` then only names the engine in messages (e.g. `chdb:///tmp/data`). Insert bodies go as
   * text (JSONCompactEachRow, never RowBinary), since chDB's connection hands a body to the engine as a string.
   */
  connection?: () => ClientConnection;
  /** The database logstitch keeps its tables in (created when missing). Default `logstitch`. */
  database?: string;
  /** Default `default`. */
  username?: string;
  password?: string;
  /**
   * A cluster named in the servers' `remote_servers`: each shard gets local tables and every node gets
   * `Distributed` tables over them, sharded by trace ID. Without it, plain tables on the one server.
   */
  cluster?: string;
  /**
   * The HTTP URLs of every node of the cluster: schema changes and retention run on each of them. Without
   * it, DDL is sent once with `ON CLUSTER`, which needs ZooKeeper (or Keeper) configured in ClickHouse.
   */
  nodes?: string[];
  /** How long a batch ID is remembered for idempotent retries, µs (default 7 days). Pruned by applyRetention. */
  batchIdTtlUs?: number;
  /** Appends queued before append() waits for one to finish (default 64): bounds memory under load. */
  maxPendingAppends?: number;
  /** Log records written by one round of inserts at most (default 200,000): appends queued meanwhile share it. */
  maxGroupLogs?: number;
  /** How long one request to ClickHouse may take, ms (default 120,000). */
  requestTimeoutMs?: number;
  /**
   * How long reads reuse the set of appends in progress, ms (default 1000): what other indexers commit
   * becomes visible here within this time (this store's own commits at once).
   */
  visibilityMaxAgeMs?: number;
  /** An append still marked in progress this long after it began is taken for dead (µs, default 6 h): applyRetention deletes its rows. */
  abandonedAfterUs?: number;
}

/** The options with defaults filled in, as the store uses them. */
export interface ResolvedOptions {
  /** The server's URL, or what names the connection in messages. */
  url: string;
  connection: (() => ClientConnection) | undefined;
  database: string;
  username: string;
  password: string;
  cluster: string | undefined;
  nodes: string[];
  batchIdTtlUs: number;
  maxPendingAppends: number;
  maxGroupLogs: number;
  requestTimeoutMs: number;
  visibilityMaxAgeMs: number;
  abandonedAfterUs: number;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const WEEK_US = 7 * 24 * 3600 * 1_000_000;

function bad(message: string): StoreError {
  return new StoreError('STORE_BAD_CONFIG', message);
}

function httpUrl(value: unknown, option: string): string {
  let parsed: URL;
  try {
    parsed = new URL(String(value));
  } catch {
    throw bad(`${option} must be the URL of ClickHouse's HTTP interface, such as http://127.0.0.1:8123 (got ${JSON.stringify(value)})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad(`${option} must start with http:// or https:// (got ${JSON.stringify(value)})`);
  return parsed.href.replace(/\/+$/, '');
}

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw bad(`${option} must be a whole number ≥ 1 (got ${String(value)})`);
  return value;
}

export function resolveOptions(options: ClickHouseStoreOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw bad('the ClickHouse store needs options: at least a url, the HTTP interface of a ClickHouse server, such as http://127.0.0.1:8123');
  const connection = options.connection;
  if (connection !== undefined && typeof connection !== 'function') throw bad('connection must be a function that returns a new @clickhouse/client connection');
  if (options.url === undefined || options.url === '') {
    throw bad('the ClickHouse store needs a url: the HTTP interface of a ClickHouse server, such as http://127.0.0.1:8123');
  }
  if (connection !== undefined && (options.cluster !== undefined || options.nodes !== undefined)) throw bad('a store on a connection of its own is one node: leave cluster and nodes out');
  const url = connection === undefined ? httpUrl(options.url, 'url') : String(options.url);
  const database = options.database ?? 'logstitch';
  if (!NAME_RE.test(database)) throw bad(`database must be letters, digits and underscores, starting with a letter (got ${JSON.stringify(database)})`);
  const cluster = options.cluster === undefined || options.cluster === '' ? undefined : options.cluster;
  if (cluster !== undefined && !NAME_RE.test(cluster)) throw bad(`cluster must name a cluster of remote_servers: letters, digits and underscores (got ${JSON.stringify(cluster)})`);
  const nodes = (options.nodes ?? []).map((node, i) => httpUrl(node, `nodes[${i}]`));
  if (nodes.length > 0 && cluster === undefined) throw bad('nodes only has a meaning with a cluster: name the cluster too, or leave nodes out');
  return {
    url,
    connection,
    database,
    username: options.username ?? 'default',
    password: options.password ?? '',
    cluster,
    nodes,
    batchIdTtlUs: positive(options.batchIdTtlUs, WEEK_US, 'batchIdTtlUs'),
    maxPendingAppends: positive(options.maxPendingAppends, 64, 'maxPendingAppends'),
    maxGroupLogs: positive(options.maxGroupLogs, 200_000, 'maxGroupLogs'),
    requestTimeoutMs: positive(options.requestTimeoutMs, 120_000, 'requestTimeoutMs'),
    visibilityMaxAgeMs: options.visibilityMaxAgeMs === 0 ? 0 : positive(options.visibilityMaxAgeMs, 1000, 'visibilityMaxAgeMs'),
    abandonedAfterUs: positive(options.abandonedAfterUs, 6 * 3600 * 1_000_000, 'abandonedAfterUs'),
  };
}
