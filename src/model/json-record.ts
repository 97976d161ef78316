// One JSON log line, as pino, winston, bunyan, ECS or OpenTelemetry-style loggers write it, → a LogRecord.
import { isValidSpanId, isValidTraceId } from './ids.js';
import type { Attributes, AttributeValue, LogRecord, Span } from './records.js';
import { severityFromPinoLevel, severityFromText, Severity } from './severity.js';
import { SPAN_END_KEY, spanFromSpanEndLine } from './span-end.js';
import { microsFromEpoch, microsFromIso } from './time.js';

/**
 * A line in logstitch's own record shape, as the agent ships what it parsed: the LogRecord fields as
 * they are, marked with `"@logstitch": 1`, so nothing is guessed twice.
 */
export const RECORD_MARKER = '@logstitch';

export interface JsonLineResult {
  log: LogRecord;
  /** The span a span-end line describes. */
  span?: Span;
  /** Legacy IDs the line joins to its trace (`trace_alias`). */
  aliases: string[];
  /** Why part of the line was not understood (the line itself is kept). */
  warning?: string;
}

/** Nesting deeper than this is kept as text: deeper JSON is a sign of abuse, and serialising it recurses. */
export const MAX_ATTRIBUTE_DEPTH = 32;

// Fields that become LogRecord fields rather than attributes, by the loggers that write them.
const MESSAGE_KEYS = ['msg', 'message', 'body'];
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts', 'timeUnixNano', 'time_unix_nano'];
// levelOf reads the level keys in this order.
const LEVEL_KEYS = ['level', 'severity', 'severity_text', 'severityText', 'levelname', 'log.level', 'lvl'];
const CONSUMED = new Set([
  ...MESSAGE_KEYS, ...TIME_KEYS, ...LEVEL_KEYS,
  'severity_number', 'severityNumber', 'trace_id', 'traceId', 'trace.id', 'span_id', 'spanId', 'span.id',
  'trace_flags', 'traceFlags', 'flags', 'trace_alias', 'service', 'service.name', 'hostname', 'host.name', 'host',
  SPAN_END_KEY, RECORD_MARKER, 'v',
]);

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `obj['a.b']` or `obj.a.b` (ECS writes either); `head` and `tail` are the path split at its dot. */
function dotted(obj: Record<string, unknown>, path: string, head: string, tail: string): unknown {
  const flat = obj[path];
  if (flat !== undefined) return flat;
  const nested = obj[head];
  return typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>)[tail] : undefined;
}

function timeOf(obj: Record<string, unknown>): number | undefined {
  for (const key of TIME_KEYS) {
    const value = obj[key];
    if (typeof value === 'number' && Number.isFinite(value)) return microsFromEpoch(value);
    if (typeof value === 'string') {
      const iso = microsFromIso(value);
      if (iso !== undefined) return iso;
      if (/^\d{9,19}$/.test(value)) return key === 'timeUnixNano' || key === 'time_unix_nano' ? Math.floor(Number(value) / 1000) : microsFromEpoch(Number(value));
    }
  }
  return undefined;
}

/** The value of two hex digits (`01`, `Ff`), read by hand: every line has flags, and a regex cost more than the rest of them. */
function hexByte(text: string): number | undefined {
  if (text.length !== 2) return undefined;
  const high = hexDigit(text.charCodeAt(0));
  const low = hexDigit(text.charCodeAt(1));
  return high === -1 || low === -1 ? undefined : high * 16 + low;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** A level field's value when it names a level: a finite number or a non-empty string. */
function levelValue(value: unknown): number | string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The first of LEVEL_KEYS that names a level, looked up without a loop or a path split: every line asks. */
function levelOf(obj: Record<string, unknown>): number | string | undefined {
  return levelValue(obj.level) ?? levelValue(obj.severity) ?? levelValue(obj.severity_text) ?? levelValue(obj.severityText)
    ?? levelValue(obj.levelname) ?? levelValue(dotted(obj, 'log.level', 'log', 'level')) ?? levelValue(obj.lvl);
}

function depthOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit <= 0) return 1;
  let max = 0;
  for (const key in value) {
    const d = depthOf((value as Record<string, unknown>)[key], limit - 1);
    if (d > max) max = d;
    if (max >= limit) break;
  }
  return max + 1;
}

/** The fields no LogRecord field took, added to `attributes`; returns whether one was too deep to keep. */
function addAttributes(obj: Record<string, unknown>, attributes: Attributes): boolean {
  let tooDeep = false;
  for (const key in obj) {
    // `__proto__` (JSON may carry one) would set the attributes' prototype, not add a field.
    if (CONSUMED.has(key) || key === '__proto__') continue;
    let value = obj[key] as AttributeValue | undefined;
    if (value === undefined) continue;
    if (typeof value === 'object' && value !== null && depthOf(value, MAX_ATTRIBUTE_DEPTH) >= MAX_ATTRIBUTE_DEPTH) {
      value = '[nested deeper than 32 levels]';
      tooDeep = true;
    }
    attributes[key] = value;
  }
  return tooDeep;
}

function fromMarked(obj: Record<string, unknown>): JsonLineResult {
  const log: LogRecord = {
    time: typeof obj.time === 'number' ? obj.time : Date.now() * 1000,
    severityNumber: typeof obj.severityNumber === 'number' ? obj.severityNumber : 0,
    body: typeof obj.body === 'string' ? obj.body : '',
  };
  if (typeof obj.observedTime === 'number') log.observedTime = obj.observedTime;
  if (typeof obj.severityText === 'string') log.severityText = obj.severityText;
  if (isValidTraceId(obj.traceId)) log.traceId = obj.traceId;
  if (isValidSpanId(obj.spanId)) log.spanId = obj.spanId;
  if (typeof obj.traceFlags === 'number') log.traceFlags = obj.traceFlags;
  if (typeof obj.service === 'string') log.service = obj.service;
  if (typeof obj.host === 'string') log.host = obj.host;
  if (typeof obj.parseError === 'string') log.parseError = obj.parseError;
  if (typeof obj.attributes === 'object' && obj.attributes !== null) log.attributes = obj.attributes as Attributes;
  const aliases = Array.isArray(obj.aliases) ? obj.aliases.filter((a): a is string => typeof a === 'string') : [];
  if (aliases.length > 0) log.aliases = aliases;
  // A span-end line the agent parsed keeps its span_end object, so the indexer derives the span as it
  // does from the line itself.
  if (obj[SPAN_END_KEY] === undefined) return { log, aliases };
  const span = spanFromSpanEndLine({ trace_id: log.traceId, span_id: log.spanId, service: log.service, [SPAN_END_KEY]: obj[SPAN_END_KEY] });
  if ('error' in span) return { log, aliases, warning: `span-end line not understood: ${span.error}` };
  return { log, span, aliases };
}

/**
 * Reads a parsed JSON log line. Never throws: what cannot be read becomes a warning, and the line is
 * kept. `observed` is the time to use when the line carries none (µs).
 */
export function logRecordFromJson(obj: Record<string, unknown>, observed: number): JsonLineResult {
  if (obj[RECORD_MARKER] === 1) return fromMarked(obj);
  // The hot path of /ingest and the agent: nothing is allocated but what it returns.
  const level = levelOf(obj);
  const explicit = obj.severity_number ?? obj.severityNumber;
  let message = obj.msg;
  if (message === undefined) message = obj.message;
  if (message === undefined) message = obj.body;
  const log: LogRecord = {
    time: timeOf(obj) ?? observed,
    observedTime: observed,
    // pino's numbers (10–60); an OpenTelemetry SeverityNumber says so in its own field.
    severityNumber: typeof explicit === 'number' ? explicit
      : typeof level === 'number' ? severityFromPinoLevel(level)
        : level !== undefined ? severityFromText(level) : Severity.UNSPECIFIED,
    body: typeof message === 'string' ? message : message === undefined ? '' : JSON.stringify(message),
  };
  if (level !== undefined) log.severityText = String(level);
  const traceId = obj.trace_id ?? obj.traceId ?? dotted(obj, 'trace.id', 'trace', 'id');
  const spanId = obj.span_id ?? obj.spanId ?? dotted(obj, 'span.id', 'span', 'id');
  let warning: string | undefined;
  if (isValidTraceId(traceId)) log.traceId = traceId;
  else if (traceId !== undefined) warning = 'trace_id is not 32 lowercase hex; kept as an attribute';
  if (isValidSpanId(spanId)) log.spanId = spanId;
  const flags = obj.trace_flags ?? obj.traceFlags ?? obj.flags;
  if (typeof flags === 'string') {
    const byte = hexByte(flags);
    if (byte !== undefined) log.traceFlags = byte;
  } else if (typeof flags === 'number') log.traceFlags = flags;
  const service = str(obj.service) ?? str(dotted(obj, 'service.name', 'service', 'name')) ?? (obj.v !== undefined ? str(obj.name) : undefined);
  if (service !== undefined) log.service = service;
  const host = str(obj.hostname) ?? str(dotted(obj, 'host.name', 'host', 'name')) ?? str(obj.host);
  if (host !== undefined) log.host = host;
  const attributes: Attributes = log.traceId === undefined && traceId !== undefined ? { trace_id: String(traceId) } : {};
  if (addAttributes(obj, attributes)) warning = joined(warning, 'a field nested deeper than 32 levels was kept as text');
  if (hasKeys(attributes)) log.attributes = attributes;
  const aliases: string[] = [];
  const alias = str(obj.trace_alias);
  if (alias !== undefined && log.traceId !== undefined) {
    aliases.push(alias);
    log.aliases = aliases;
  }
  const result: JsonLineResult = { log, aliases };
  if (obj[SPAN_END_KEY] !== undefined) {
    const span = spanFromSpanEndLine(obj);
    if ('error' in span) warning = joined(warning, `span_end ignored: ${span.error}`);
    else result.span = span;
  }
  if (warning !== undefined) result.warning = warning;
  return result;
}

function hasKeys(attributes: Attributes): boolean {
  for (const _ in attributes) return true;
  return false;
}

function joined(warning: string | undefined, more: string): string {
  return warning === undefined ? more : `${warning}; ${more}`;
}

/** A line that is not JSON (or not an object): kept whole as the body, flagged with why. */
export function rawLogRecord(line: string, observed: number, parseError: string): LogRecord {
  return { time: observed, observedTime: observed, severityNumber: Severity.UNSPECIFIED, body: line, parseError };
}
