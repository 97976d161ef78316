// `logstitch serve`: the indexer on the embedded store, until SIGINT or SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TailSampler, type TailSamplerConfig } from '../correlate/index.js';
import { openStore } from '../store/index.js';
import { ConfigError, defaultConfig, parseAge, parsePort, parseRedactMode, parseSize, type IndexerConfig } from '../server/config.js';
import { createIndexer } from '../server/indexer.js';

export const SERVE_USAGE = `Usage: logstitch serve [options]

Runs the indexer: receives logs and spans (POST /ingest, OTLP/HTTP /v1/logs and /v1/traces,
Zipkin /api/v2/spans), stores them, and answers the query API (/api/traces/:id, /api/search,
/api/services). Point OpenTelemetry SDKs at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318.

Options:
  --host HOST             Address to listen on (default 127.0.0.1)
  --port PORT             Port (default 4318, the OTLP/HTTP port; 0 picks a free one)
  --data DIR              Where the store keeps its files (default ./.logstitch, or $LOGSTITCH_DATA)
  --retention-age AGE     Drop records older than AGE, e.g. 7d, 12h (default: keep)
  --retention-size SIZE   Keep at most SIZE of data, dropping the oldest, e.g. 10GB (default: keep)
  --max-body SIZE         Largest request body (default 32MiB)
  --redact MODE           Redact passwords, tokens, cookies and card numbers in received records:
                          received (OTLP and Zipkin, whose SDKs never ran logstitch's redaction;
                          the default), all (also /ingest lines), off
  --redact-emails         Redaction also replaces e-mail addresses
  --tail-sampling         Keep only the traces worth keeping: hold each trace until it has been quiet,
                          then keep it when it has an error (span or error-level line), is slower than
                          5 s or than its service's p99, or falls in a 10% sample; drop the rest whole.
                          Metrics count everything. Held traces live in memory: a crash loses them.
  --store KIND            sqlite (embedded, in --data; the default) or clickhouse
  --clickhouse-url URL    ClickHouse's HTTP interface, e.g. http://127.0.0.1:8123 (with --store clickhouse)
  --clickhouse-database DB     Database for logstitch's tables (default logstitch; created when missing)
  --clickhouse-user USER       (default default; the password from $LOGSTITCH_CLICKHOUSE_PASSWORD)
  --clickhouse-cluster NAME    A cluster in the servers' remote_servers: local tables per shard and
                               Distributed tables over them, sharded by trace ID
  --clickhouse-nodes URL,URL   Every node's HTTP URL, for schema changes without ZooKeeper
  --tail-sampling-config FILE
                          The same, with settings and policies from a JSON file (see README "Tail sampling")
  -h, --help              Show this help

Environment:
  LOGSTITCH_INGEST_TOKEN  When set, ingest requests need "authorization: Bearer <token>"
  LOGSTITCH_QUERY_TOKEN   When set, query requests need "authorization: Bearer <token>"
  LOGSTITCH_LOG_LEVEL     The indexer's own log level (default info)
  LOGSTITCH_CLICKHOUSE_PASSWORD  ClickHouse password (kept out of the process list)
`;

export function serveConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): IndexerConfig | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      'retention-age': { type: 'string' },
      'retention-size': { type: 'string' },
      'max-body': { type: 'string' },
      redact: { type: 'string' },
      'tail-sampling': { type: 'boolean' },
      'tail-sampling-config': { type: 'string' },
      store: { type: 'string' },
      'clickhouse-url': { type: 'string' },
      'clickhouse-database': { type: 'string' },
      'clickhouse-user': { type: 'string' },
      'clickhouse-cluster': { type: 'string' },
      'clickhouse-nodes': { type: 'string' },
      'redact-emails': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return undefined;
  const config = defaultConfig(env);
  if (values.host !== undefined) config.host = values.host;
  if (values.port !== undefined) config.port = parsePort(values.port);
  if (values.data !== undefined) config.dataDir = values.data;
  if (values['retention-age'] !== undefined) config.retentionAgeUs = parseAge(values['retention-age'], '--retention-age');
  if (values['retention-size'] !== undefined) config.retentionBytes = parseSize(values['retention-size'], '--retention-size');
  if (values['max-body'] !== undefined) config.maxBodyBytes = parseSize(values['max-body'], '--max-body');
  if (values.redact !== undefined) config.redact = parseRedactMode(values.redact);
  if (values['redact-emails'] === true) config.redactEmails = true;
  if (values['tail-sampling'] === true) config.tailSampling = { enabled: true };
  if (values['tail-sampling-config'] !== undefined) config.tailSampling = readTailSampling(values['tail-sampling-config']);
  readStore(config, values, env);
  return config;
}

export async function serve(argv: string[]): Promise<number> {
  const config = serveConfig(argv);
  if (config === undefined) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  const store = await openStore(config.store === 'clickhouse' ? { kind: 'clickhouse', ...config.clickhouse! } : { dataDir: config.dataDir });
  const indexer = createIndexer({ config, store });
  await indexer.listen();
  const retention = startRetention(config, indexer.store);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(retention);
  await indexer.close();
  return 0;
}

function startRetention(config: IndexerConfig, store: import('../store/types.js').Store): NodeJS.Timeout | undefined {
  if (config.retentionAgeUs === undefined && config.retentionBytes === undefined) return undefined;
  const policy = { ...(config.retentionAgeUs !== undefined ? { maxAgeUs: config.retentionAgeUs } : {}), ...(config.retentionBytes !== undefined ? { maxBytes: config.retentionBytes } : {}) };
  const timer = setInterval(() => void store.applyRetention(policy).catch(() => {}), config.retentionIntervalMs);
  timer.unref();
  return timer;
}

/** --store and the --clickhouse-* options, checked together. */
function readStore(config: IndexerConfig, values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): void {
  const kind = (values.store as string | undefined) ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'clickhouse') throw new ConfigError(`--store must be sqlite or clickhouse, not ${JSON.stringify(kind)}`);
  const clickhouseFlags = Object.keys(values).filter((k) => k.startsWith('clickhouse-') && values[k] !== undefined);
  if (kind === 'sqlite') {
    if (clickhouseFlags.length > 0) throw new ConfigError(`--${clickhouseFlags[0]} needs --store clickhouse`);
    return;
  }
  const url = values['clickhouse-url'] as string | undefined;
  if (url === undefined) throw new ConfigError('--store clickhouse needs --clickhouse-url, e.g. http://127.0.0.1:8123');
  config.store = 'clickhouse';
  config.clickhouse = {
    url,
    ...(values['clickhouse-database'] !== undefined ? { database: values['clickhouse-database'] as string } : {}),
    ...(values['clickhouse-user'] !== undefined ? { username: values['clickhouse-user'] as string } : {}),
    ...(env.LOGSTITCH_CLICKHOUSE_PASSWORD ? { password: env.LOGSTITCH_CLICKHOUSE_PASSWORD } : {}),
    ...(values['clickhouse-cluster'] !== undefined ? { cluster: values['clickhouse-cluster'] as string } : {}),
    ...(values['clickhouse-nodes'] !== undefined ? { nodes: (values['clickhouse-nodes'] as string).split(',').map((n) => n.trim()).filter((n) => n !== '') } : {}),
  };
}

/** A tail-sampling config file: JSON with the TailSamplerConfig fields (enabled unless it says otherwise). */
function readTailSampling(path: string): TailSamplerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`--tail-sampling-config: cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--tail-sampling-config: ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`--tail-sampling-config: ${path} must hold a JSON object such as {"decisionWaitMs": 10000, "policies": [{"type": "error"}]}`);
  const config = { enabled: true, ...(parsed as TailSamplerConfig) };
  try {
    new TailSampler(config);
  } catch (error) {
    throw new ConfigError(`--tail-sampling-config: ${(error as Error).message}`);
  }
  return config;
}
