// The agent's configuration: its shape, its defaults, and reading it from YAML (or flags) with errors
// that name the bad key.
import { availableParallelism, hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import type { RedactOptions } from '../model/redact.js';
import { createLineParser, MultilineJoiner, type MultilineConfig, type ParserConfig } from '../parse/index.js';
import { severityFromText } from '../model/severity.js';
import { globToRegexSource } from './glob.js';
import {
  AgentConfigError, bool, checkKeys, duration, integer, isObj, object, oneOf, regexList, size, string, stringList, url, type Obj,
} from './config-values.js';

export { AgentConfigError } from './config-values.js';

export interface SourceConfig {
  name: string;
  include: string[];
  exclude: string[];
  /** Where to begin a file the agent has never seen, on its very first start with a data directory. */
  startAt: 'beginning' | 'end';
  service?: string;
  /** From `service_from_path: /var/log/{service}/*.log`: a path regex with a `service` group. */
  servicePath?: RegExp;
  parser: ParserConfig;
  /** Absent: one line, one record. */
  multiline?: MultilineConfig;
  /** Records whose body matches any of these are dropped. */
  drop: RegExp[];
  /** When non-empty, only records whose body matches one of these are kept. */
  keep: RegExp[];
  /** Records below this SeverityNumber are dropped (0 keeps all, including lines without a level). */
  minSeverity: number;
  attributes: Obj;
  readCompressed: boolean;
  fingerprintBytes: number;
  /** Longer lines are cut to this many bytes and flagged; at most 512 KiB, so a record fits the indexer's 1 MiB line limit. */
  maxLineBytes: number;
  /** How long an unterminated last line waits for its newline before it is shipped as it is. */
  partialLineTimeoutMs: number;
}

export interface SinkConfig {
  type: 'logstitch' | 'otlp';
  /** The indexer (or collector) base URL; `/ingest` or `/v1/logs` is appended. */
  url: string;
  token?: string;
  maxLines: number;
  maxBytes: number;
  timeoutMs: number;
  /** 'auto': gzip, except to a loopback address, where compressing costs more CPU than it saves (see sender.ts). */
  compression: 'auto' | 'gzip' | 'none';
  maxInFlightBytes: number;
  concurrency: number;
  requestTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

export interface AgentConfig {
  dataDir: string;
  host: string;
  sources: SourceConfig[];
  redact: RedactOptions | false;
  sink: SinkConfig;
  metricsPort?: number;
  globIntervalMs: number;
  pollIntervalMs: number;
  /** A file renamed out of the globs or deleted is read until it has been idle this long, then closed. */
  rotateWaitMs: number;
  checkpointTtlMs: number;
  /**
   * Threads that parse and encode records beside the main thread (0: the main thread does it). A thread
   * uses a second core and ~25 MB more memory; see src/agent/README.md.
   */
  parseThreads: number;
  logLevel: string;
}

const TOP_KEYS = ['data_dir', 'host', 'sources', 'redact', 'sink', 'metrics', 'tuning', 'log_level'] as const;
const SOURCE_KEYS = [
  'name', 'include', 'exclude', 'start_at', 'service', 'service_from_path', 'parser', 'multiline', 'drop', 'keep', 'min_level',
  'attributes', 'read_compressed', 'fingerprint_bytes', 'max_line_bytes', 'partial_line_timeout',
] as const;
const SINK_KEYS = ['type', 'url', 'token', 'batch', 'compression', 'max_in_flight_bytes', 'concurrency', 'request_timeout', 'backoff'] as const;
const TUNING_KEYS = ['glob_interval', 'poll_interval', 'rotate_wait', 'checkpoint_ttl', 'parse_threads'] as const;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export const DEFAULT_URL = 'http://127.0.0.1:4318';

/** `/var/log/{service}/*.log` → a regex whose `service` group names the service. */
export function servicePathRegex(pattern: string, where: string): RegExp {
  const parts = pattern.split('{service}');
  if (parts.length !== 2) throw new AgentConfigError(`${where}: must contain {service} once, as in /var/log/{service}/*.log`);
  return new RegExp(`^${globToRegexSource(parts[0]!)}(?<service>[^/]+)${globToRegexSource(parts[1]!)}$`);
}

const FORMATS = ['auto', 'json', 'logfmt', 'nginx', 'apache', 'syslog', 'logback', 'log4j', 'python', 'regex', 'raw'] as const;

/** `parser:` in the YAML (snake_case) → the parse stage's ParserConfig, checked by building a parser once. */
function readParser(value: unknown, where: string): ParserConfig {
  const o = object(value, where);
  checkKeys(o, ['format', 'log_format', 'pattern', 'time_format', 'zone', 'trace_fields'], where);
  const config: ParserConfig = { format: oneOf<(typeof FORMATS)[number]>(o.format, FORMATS, `${where}.format`, 'auto') };
  const logFormat = string(o.log_format, `${where}.log_format`);
  if (logFormat !== undefined) config.logFormat = logFormat;
  const pattern = string(o.pattern, `${where}.pattern`);
  if (pattern !== undefined) config.pattern = pattern;
  const timeFormat = string(o.time_format, `${where}.time_format`);
  if (timeFormat !== undefined) config.timeFormat = timeFormat;
  const zone = string(o.zone, `${where}.zone`);
  if (zone !== undefined) config.zone = zone;
  if (o.trace_fields !== undefined) config.traceFields = stringList(o.trace_fields, `${where}.trace_fields`);
  if (config.format === 'regex' && config.pattern === undefined) throw new AgentConfigError(`${where}.pattern: format regex needs a pattern with named groups, e.g. '^(?<time>\\S+) (?<level>\\w+) (?<msg>.*)$'`);
  try {
    createLineParser(config);
  } catch (error) {
    throw new AgentConfigError(`${where}: ${(error as Error).message}`);
  }
  return config;
}

/** `multiline: true`, or `multiline: { mode, start_pattern, max_lines, max_bytes }`. */
function readMultiline(value: unknown, where: string): MultilineConfig {
  if (value === true) return { mode: 'auto' };
  const o = object(value, where);
  checkKeys(o, ['mode', 'start_pattern', 'max_lines', 'max_bytes'], where);
  const config: MultilineConfig = { mode: oneOf(o.mode, ['auto', 'none'] as const, `${where}.mode`, 'auto') };
  const start = string(o.start_pattern, `${where}.start_pattern`);
  if (start !== undefined) config.startPattern = start;
  if (o.max_lines !== undefined) config.maxLines = integer(o.max_lines, `${where}.max_lines`, 500, 1, 100_000);
  if (o.max_bytes !== undefined) config.maxBytes = size(o.max_bytes, `${where}.max_bytes`, 1024 * 1024, 64);
  try {
    new MultilineJoiner(config);
  } catch (error) {
    throw new AgentConfigError(`${where}: ${(error as Error).message}`);
  }
  return config;
}

function readSource(raw: unknown, i: number): SourceConfig {
  const where = `sources[${i}]`;
  const o = object(raw, where);
  checkKeys(o, SOURCE_KEYS, where);
  const include = stringList(o.include, `${where}.include`);
  if (include.length === 0) throw new AgentConfigError(`${where}.include: at least one path or glob is needed (e.g. /var/log/app/*.log)`);
  const source: SourceConfig = {
    name: string(o.name, `${where}.name`) ?? `source-${i}`,
    parser: readParser(o.parser, `${where}.parser`),
    include,
    exclude: stringList(o.exclude, `${where}.exclude`),
    startAt: oneOf(o.start_at, ['beginning', 'end'], `${where}.start_at`, 'beginning'),
    drop: regexList(o.drop, `${where}.drop`),
    keep: regexList(o.keep, `${where}.keep`),
    minSeverity: o.min_level === undefined ? 0 : severityFromText(oneOf(o.min_level, LEVELS, `${where}.min_level`, 'trace')),
    attributes: object(o.attributes, `${where}.attributes`),
    readCompressed: bool(o.read_compressed, `${where}.read_compressed`, false),
    fingerprintBytes: integer(o.fingerprint_bytes, `${where}.fingerprint_bytes`, 1024, 16, 65536),
    maxLineBytes: size(o.max_line_bytes, `${where}.max_line_bytes`, 256 * 1024, 256),
    partialLineTimeoutMs: duration(o.partial_line_timeout, `${where}.partial_line_timeout`, 5000),
  };
  if (source.maxLineBytes > 512 * 1024) throw new AgentConfigError(`${where}.max_line_bytes: at most 512KiB (the indexer takes lines of up to 1 MiB, and a record adds to its line)`);
  const service = string(o.service, `${where}.service`);
  if (service !== undefined) source.service = service;
  const servicePath = string(o.service_from_path, `${where}.service_from_path`);
  if (servicePath !== undefined) source.servicePath = servicePathRegex(servicePath, `${where}.service_from_path`);
  if (o.multiline !== undefined && o.multiline !== false) source.multiline = readMultiline(o.multiline, `${where}.multiline`);
  return source;
}

function readSink(raw: unknown, env: NodeJS.ProcessEnv): SinkConfig {
  const o = object(raw, 'sink');
  checkKeys(o, SINK_KEYS, 'sink');
  const batch = object(o.batch, 'sink.batch');
  checkKeys(batch, ['max_lines', 'max_bytes', 'timeout'], 'sink.batch');
  const backoff = object(o.backoff, 'sink.backoff');
  checkKeys(backoff, ['initial', 'max'], 'sink.backoff');
  const sink: SinkConfig = {
    type: oneOf(o.type, ['logstitch', 'otlp'], 'sink.type', 'logstitch'),
    url: url(o.url, 'sink.url', env.LOGSTITCH_INDEXER_URL ?? DEFAULT_URL),
    maxLines: integer(batch.max_lines, 'sink.batch.max_lines', 5000, 1, 100_000),
    maxBytes: size(batch.max_bytes, 'sink.batch.max_bytes', 1024 * 1024, 1024),
    timeoutMs: duration(batch.timeout, 'sink.batch.timeout', 1000),
    compression: oneOf(o.compression, ['auto', 'gzip', 'none'], 'sink.compression', 'auto'),
    maxInFlightBytes: size(o.max_in_flight_bytes, 'sink.max_in_flight_bytes', 16 * 1024 * 1024, 1024),
    concurrency: integer(o.concurrency, 'sink.concurrency', 4, 1, 64),
    requestTimeoutMs: duration(o.request_timeout, 'sink.request_timeout', 30_000),
    backoffInitialMs: duration(backoff.initial, 'sink.backoff.initial', 200),
    backoffMaxMs: duration(backoff.max, 'sink.backoff.max', 30_000),
  };
  const token = string(o.token, 'sink.token') ?? (env.LOGSTITCH_INGEST_TOKEN || undefined);
  if (token !== undefined) sink.token = token;
  return sink;
}

function readRedact(value: unknown): RedactOptions | false {
  if (value === false) return false;
  if (value === undefined || value === null || value === true) return {};
  return object(value, 'redact') as RedactOptions;
}

/** Builds the configuration from a parsed YAML document (or an object built from flags). */
export function agentConfigFrom(doc: unknown, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  if (!isObj(doc)) throw new AgentConfigError('the configuration must be a mapping with at least `sources`');
  checkKeys(doc, TOP_KEYS, '');
  if (!Array.isArray(doc.sources) || doc.sources.length === 0) {
    throw new AgentConfigError('sources: at least one source is needed, e.g. sources: [{ include: [/var/log/app/*.log] }]');
  }
  const tuning = object(doc.tuning, 'tuning');
  checkKeys(tuning, TUNING_KEYS, 'tuning');
  const metrics = object(doc.metrics, 'metrics');
  checkKeys(metrics, ['port'], 'metrics');
  const config: AgentConfig = {
    dataDir: string(doc.data_dir, 'data_dir') ?? env.LOGSTITCH_AGENT_DATA ?? './.logstitch-agent',
    host: string(doc.host, 'host') ?? hostname(),
    sources: doc.sources.map(readSource),
    redact: readRedact(doc.redact),
    sink: readSink(doc.sink, env),
    globIntervalMs: duration(tuning.glob_interval, 'tuning.glob_interval', 1000),
    pollIntervalMs: duration(tuning.poll_interval, 'tuning.poll_interval', 250),
    rotateWaitMs: duration(tuning.rotate_wait, 'tuning.rotate_wait', 5000),
    checkpointTtlMs: duration(tuning.checkpoint_ttl, 'tuning.checkpoint_ttl', 7 * 86_400_000),
    parseThreads: parseThreads(tuning.parse_threads, availableParallelism()),
    logLevel: oneOf(doc.log_level, ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'log_level', 'info'),
  };
  if (metrics.port !== undefined) config.metricsPort = integer(metrics.port, 'metrics.port', 0, 0, 65535);
  return config;
}

/**
 * `tuning.parse_threads`: 0, 1, or `auto` (the default): a parsing thread when the machine has a second
 * core to run it on, none when it has one.
 */
export function parseThreads(value: unknown, cores: number): number {
  if (value === undefined || value === null || value === 'auto') return cores >= 2 ? 1 : 0;
  if (value === 0 || value === 1) return value;
  throw new AgentConfigError(`tuning.parse_threads: must be auto, 0 or 1, not ${JSON.stringify(value)}`);
}

/** Parses YAML text; a YAML syntax error is reported with its line. */
export function parseAgentYaml(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new AgentConfigError(`the configuration is not valid YAML: ${(error as Error).message}`);
  }
  if (!isObj(doc)) throw new AgentConfigError('the configuration must be a mapping with at least `sources`');
  return doc;
}

export function agentConfigFromYaml(text: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  return agentConfigFrom(parseAgentYaml(text), env);
}
