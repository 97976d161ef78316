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

/** `obj[a.b]` or `obj.a.b`: ECS writes either. */
function dotted(obj: Record<string, unknown>, path: string): unknown {
  if (path in obj) return obj[path];
  const dot = path.indexOf('.');
  if (dot === -1) return undefined;
  const head = obj[path.slice(0, dot)];
  return typeof head === 'object' && head !== null ? (head as Record<string, unknown>)[path.slice(dot + 1)] : undefined;
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

function severityOf(obj: Record<string, unknown>): { number: number; text?: string } {
  const explicit = obj.severity_number ?? obj.severityNumber;
  for (const key of LEVEL_KEYS) {
    const value = dotted(obj, key);
    if (typeof value === 'number' && Number.isFinite(value)) {
      // pino's numbers (10–60); an OpenTelemetry SeverityNumber says so in its own field.
      return { number: typeof explicit === 'number' ? explicit : severityFromPinoLevel(value), text: String(value) };
    }
    if (typeof value === 'string' && value.length > 0) {
      return { number: typeof explicit === 'number' ? explicit : severityFromText(value), text: value };
    }
  }
  return { number: typeof explicit === 'number' ? explicit : Severity.UNSPECIFIED };
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

function attributesOf(obj: Record<string, unknown>): { attributes: Attributes | undefined; tooDeep: boolean } {
  let attributes: Attributes | undefined;
  let tooDeep = false;
  for (const key in obj) {
    if (CONSUMED.has(key)) continue;
    let value = obj[key] as AttributeValue | undefined;
    if (value === undefined) continue;
    if (typeof value === 'object' && value !== null && depthOf(value, MAX_ATTRIBUTE_DEPTH) >= MAX_ATTRIBUTE_DEPTH) {
      value = '[nested deeper than 32 levels]';
      tooDeep = true;
    }
    (attributes ??= {})[key] = value;
  }
  return { attributes, tooDeep };
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
  const severity = severityOf(obj);
  const message = MESSAGE_KEYS.map((k) => obj[k]).find((v) => v !== undefined);
  const log: LogRecord = {
    time: timeOf(obj) ?? observed,
    observedTime: observed,
    severityNumber: severity.number,
    body: typeof message === 'string' ? message : message === undefined ? '' : JSON.stringify(message),
  };
  if (severity.text !== undefined) log.severityText = severity.text;
  const traceId = dotted(obj, 'trace_id') ?? obj.traceId ?? dotted(obj, 'trace.id');
  const spanId = dotted(obj, 'span_id') ?? obj.spanId ?? dotted(obj, 'span.id');
  const warnings: string[] = [];
  if (isValidTraceId(traceId)) log.traceId = traceId;
  else if (traceId !== undefined) warnings.push('trace_id is not 32 lowercase hex; kept as an attribute');
  if (isValidSpanId(spanId)) log.spanId = spanId;
  const flags = obj.trace_flags ?? obj.traceFlags ?? obj.flags;
  if (typeof flags === 'string' && /^[0-9a-f]{2}$/i.test(flags)) log.traceFlags = Number.parseInt(flags, 16);
  else if (typeof flags === 'number') log.traceFlags = flags;
  const service = str(obj.service) ?? str(dotted(obj, 'service.name')) ?? (obj.v !== undefined ? str(obj.name) : undefined);
  if (service !== undefined) log.service = service;
  const host = str(obj.hostname) ?? str(dotted(obj, 'host.name')) ?? str(obj.host);
  if (host !== undefined) log.host = host;
  const { attributes, tooDeep } = attributesOf(obj);
  if (log.traceId === undefined && traceId !== undefined) (log.attributes ??= {}).trace_id = String(traceId);
  if (attributes !== undefined) log.attributes = { ...log.attributes, ...attributes };
  if (tooDeep) warnings.push('a field nested deeper than 32 levels was kept as text');
  const aliases: string[] = [];
  const alias = str(obj.trace_alias);
  if (alias !== undefined && log.traceId !== undefined) {
    aliases.push(alias);
    log.aliases = aliases;
  }
  const result: JsonLineResult = { log, aliases };
  if (obj[SPAN_END_KEY] !== undefined) {
    const span = spanFromSpanEndLine(obj);
    if ('error' in span) warnings.push(`span_end ignored: ${span.error}`);
    else result.span = span;
  }
  if (warnings.length > 0) result.warning = warnings.join('; ');
  return result;
}

/** A line that is not JSON (or not an object): kept whole as the body, flagged with why. */
export function rawLogRecord(line: string, observed: number, parseError: string): LogRecord {
  return { time: observed, observedTime: observed, severityNumber: Severity.UNSPECIFIED, body: line, parseError };
}
