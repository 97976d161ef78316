// Finds trace, span and legacy request IDs in a line's fields and message, and sets them on its record.
import { isValidSpanId, isValidTraceId, traceIdFromLegacy } from '../model/ids.js';
import type { LogRecord } from '../model/records.js';
import { parseTraceparent } from '../propagation/w3c.js';

export type IdKind = 'trace' | 'span' | 'traceparent' | 'request';

/** The IDs one line carries, gathered before any is applied so the strongest wins whatever the order. */
export interface FoundIds {
  traceparent?: string;
  traceId?: string;
  spanId?: string;
  requestIds?: string[];
}

// Field names as written, folded (lowercase, no `_`, `-`, `.`), with what they hold. Counters such as
// fastify's `reqId` ("req-1") are left out on purpose: every process restarts them, so hashing them
// would stitch unrelated requests into one trace.
const KNOWN_KEYS: Record<string, IdKind> = {
  traceid: 'trace',
  spanid: 'span',
  traceparent: 'traceparent',
  requestid: 'request',
  xrequestid: 'request',
  httprequestid: 'request',
  xtraceid: 'request',
  correlationid: 'request',
  xcorrelationid: 'request',
  xb3traceid: 'trace',
  xb3spanid: 'span',
};

/** The exact JSON field names checked for IDs, besides those logRecordFromJson reads itself. */
export const JSON_ID_FIELDS = ['traceparent', 'request_id', 'requestId', 'x_request_id', 'x-request-id', 'X-Request-ID', 'correlation_id', 'correlationId', 'http.request.id'];

// One pass over a message: `key=value`, `key: value`, `"key":"value"`, and a bare traceparent.
const MESSAGE_RE = /\b(traceparent|trace[_.-]?id|span[_.-]?id|x-request-id|request[_.-]?id|x-trace-id|correlation[_.-]?id)["']?\s{0,3}[=:]\s{0,3}["']?([^\s"',;)\]}>]{1,256})|\b00-([0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})\b/gi;
const MEMO_LIMIT = 1024;
const EMPTY_VALUES = new Set(['-', 'null', 'nil', 'none', 'undefined', 'n/a', '']);

function fold(key: string): string {
  return key.toLowerCase().replace(/[-_.]/g, '');
}

/** Classifies field names; `extra` are the configured traceFields, which hold trace or request IDs. */
export class IdKeys {
  private readonly extra: Set<string>;
  private readonly memo = new Map<string, IdKind | false>();

  constructor(extra: readonly string[] = []) {
    this.extra = new Set(extra.map(fold));
  }

  /** What a field holds; a dotted name (`trace.traceparent`, a syslog SD-ID and param) is also read by its last part. */
  kind(key: string): IdKind | undefined {
    // Field names repeat line after line; remember the answer for a bounded number of them.
    const known = this.memo.get(key);
    if (known !== undefined) return known === false ? undefined : known;
    const kind = this.classify(key);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, kind ?? false);
    return kind;
  }

  private classify(key: string): IdKind | undefined {
    const whole = this.kindOf(key);
    if (whole !== undefined) return whole;
    const dot = key.lastIndexOf('.');
    return dot > 0 && dot < key.length - 1 ? this.kindOf(key.slice(dot + 1)) : undefined;
  }

  private kindOf(key: string): IdKind | undefined {
    let folded = fold(key);
    // nginx writes request headers as $http_<name>, responses as $sent_http_<name>.
    if (folded.startsWith('sendhttp')) folded = folded.slice(8);
    else if (folded.startsWith('http') && folded.length > 4 && KNOWN_KEYS[folded] === undefined) folded = folded.slice(4);
    return KNOWN_KEYS[folded] ?? (this.extra.has(folded) || this.extra.has(fold(key)) ? 'request' : undefined);
  }
}

/** Adds one field's value to what was found, by the kind of field it came from. */
export function noteId(found: FoundIds, kind: IdKind, value: unknown): void {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string') return;
  const text = value.trim();
  if (EMPTY_VALUES.has(text.toLowerCase())) return;
  switch (kind) {
    case 'traceparent':
      found.traceparent ??= text;
      break;
    case 'trace':
      found.traceId ??= text;
      break;
    case 'span':
      found.spanId ??= text;
      break;
    case 'request':
      (found.requestIds ??= []).includes(text) || found.requestIds.push(text);
      break;
  }
}

/** Gathers the IDs a free-text message mentions. Only the first value of each kind counts. */
export function scanMessage(found: FoundIds, message: string): void {
  MESSAGE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = MESSAGE_RE.exec(message)) !== null && guard++ < 16) {
    if (m[3] !== undefined) {
      found.traceparent ??= `00-${m[3].toLowerCase()}`;
      continue;
    }
    const key = fold(m[1]!);
    const kind: IdKind = key === 'traceparent' ? 'traceparent' : key === 'spanid' ? 'span' : key === 'traceid' ? 'trace' : 'request';
    noteId(found, kind, m[2]);
  }
}

function addAlias(log: LogRecord, aliases: string[], alias: string): void {
  if (aliases.includes(alias)) return;
  aliases.push(alias);
  log.aliases = aliases;
}

/**
 * Sets what was found on the record, strongest first: a traceparent (trace and span), then a trace ID,
 * then request IDs. A request ID that is a UUID or 32 hex maps 1:1 onto a trace ID; any other is hashed
 * and kept as an alias. A request ID that maps elsewhere than the record's trace becomes an alias of it,
 * so the indexer joins the two.
 */
export function applyIds(log: LogRecord, aliases: string[], found: FoundIds): void {
  if (found.traceparent !== undefined && log.traceId === undefined) {
    const parent = parseTraceparent(found.traceparent.toLowerCase());
    if (parent !== undefined) {
      log.traceId = parent.traceId;
      log.spanId ??= parent.parentSpanId;
      log.traceFlags ??= parent.traceFlags;
    }
  }
  if (found.traceId !== undefined && log.traceId === undefined) {
    const lower = found.traceId.toLowerCase();
    // B3 and Jaeger may carry a 64-bit trace ID; the 128-bit form pads it.
    const padded = lower.length === 16 ? lower.padStart(32, '0') : lower;
    if (isValidTraceId(padded)) log.traceId = padded;
    else (found.requestIds ??= []).unshift(found.traceId);
  }
  if (found.spanId !== undefined && log.spanId === undefined && log.traceId !== undefined) {
    const lower = found.spanId.toLowerCase();
    if (isValidSpanId(lower)) log.spanId = lower;
  }
  if (found.requestIds === undefined) return;
  for (const raw of found.requestIds) {
    const mapped = traceIdFromLegacy(raw);
    if (mapped === undefined) continue;
    if (log.traceId === undefined) {
      log.traceId = mapped.traceId;
      if (mapped.alias !== undefined) addAlias(log, aliases, mapped.alias);
    } else if (mapped.traceId !== log.traceId) {
      addAlias(log, aliases, raw.trim());
    }
  }
}
