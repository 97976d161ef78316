// Spans derived from log lines: one per access-log line with a duration, one per service seen only in logs.
import { isValidSpanId } from '../model/ids.js';
import type { Attributes, LogRecord, Span } from '../model/records.js';
import { isErrorSeverity } from '../model/severity.js';
import { readAccessLog } from './access-log.js';
import { assignParents, type ParentOptions } from './derive-parents.js';
import { derivedSpanId } from './span-ids.js';
import type { DerivedSpan, TraceInput } from './types.js';

export type DeriveOptions = ParentOptions;

export interface Derivation {
  spans: DerivedSpan[];
  /** Index in `trace.logs` of the access-log line each access-log span was read from, by span ID. */
  sourceLine: Map<string, number>;
}

/**
 * Spans derived from a trace's log lines, marked `derived: true`, with deterministic IDs:
 * - each access-log line with a duration becomes a server span ending at the line's time (origin
 *   'access-log'), unless its span ID names a server span of its own service (it restates that span);
 * - each service that has log lines but no span at all (received or derived) gets one server span from
 *   its first line to its last (origin 'log-extent').
 * Parents: a logged parent span ID wins when it names a span in the trace; otherwise see assignParents.
 * Span-end lines are not read here: the indexer turns them into spans at ingest (origin 'span-end-line').
 */
export function deriveSpans(trace: TraceInput, options: DeriveOptions = {}): DerivedSpan[] {
  return deriveTrace(trace, options).spans;
}

export function deriveTrace(trace: TraceInput, options: DeriveOptions = {}): Derivation {
  const byId = new Map<string, Span>();
  for (const s of trace.spans) byId.set(s.spanId, s);
  const { spans, sourceLine } = accessLogSpans(trace, byId);
  const covered = new Set<string | undefined>();
  for (const s of trace.spans) covered.add(s.service);
  for (const s of spans) covered.add(s.service);
  spans.push(...extentSpans(trace, byId, covered));
  assignParents(spans, trace.spans, options);
  return { spans, sourceLine };
}

/** A parent span ID the line logged, when it names a span in the trace that is not the line's own. */
function loggedParent(log: LogRecord, byId: ReadonlyMap<string, Span>): string | undefined {
  const attr = log.attributes?.parent_span_id;
  if (typeof attr === 'string' && isValidSpanId(attr) && byId.has(attr)) return attr;
  const own = log.spanId === undefined ? undefined : byId.get(log.spanId);
  return own !== undefined && own.service !== log.service ? own.spanId : undefined;
}

function accessLogSpans(trace: TraceInput, byId: ReadonlyMap<string, Span>): Derivation {
  const spans: DerivedSpan[] = [];
  const sourceLine = new Map<string, number>();
  const seen = new Map<string, number>();
  trace.logs.forEach((log, index) => {
    const request = readAccessLog(log);
    if (request === undefined) return;
    const own = log.spanId === undefined ? undefined : byId.get(log.spanId);
    if (own !== undefined && own.service === log.service && own.kind === 'server') return;
    const start = log.time - request.duration;
    const key = `${log.service ?? ''}\u0000${start}\u0000${request.duration}`;
    const ordinal = seen.get(key) ?? 0;
    seen.set(key, ordinal + 1);
    const attributes: Attributes = {};
    if (request.method !== undefined) attributes['http.method'] = request.method;
    if (request.target !== undefined) attributes['http.target'] = request.target;
    if (request.statusCode !== undefined) attributes['http.status_code'] = request.statusCode;
    const failed = (request.statusCode !== undefined && request.statusCode >= 500) || isErrorSeverity(log.severityNumber);
    const span: DerivedSpan = {
      traceId: trace.traceId,
      spanId: derivedSpanId(trace.traceId, log.service, 'access-log', start, request.duration, ordinal),
      name: request.method !== undefined && request.target !== undefined ? `${request.method} ${request.target}` : (request.method ?? request.target ?? 'request'),
      kind: 'server',
      start,
      duration: request.duration,
      status: failed ? 'error' : 'unset',
      attributes,
      origin: 'access-log',
      derived: true,
      parentBy: 'none',
    };
    if (log.service !== undefined) span.service = log.service;
    const parent = own !== undefined && own.service === log.service ? own.spanId : loggedParent(log, byId);
    if (parent !== undefined) {
      span.parentSpanId = parent;
      span.parentBy = 'logged';
    }
    spans.push(span);
    sourceLine.set(span.spanId, index);
  });
  return { spans, sourceLine };
}

interface Extent {
  first: number;
  last: number;
  errors: boolean;
  parent?: string;
}

function extentSpans(trace: TraceInput, byId: ReadonlyMap<string, Span>, covered: ReadonlySet<string | undefined>): DerivedSpan[] {
  const extents = new Map<string, Extent>();
  for (const log of trace.logs) {
    const service = log.service;
    if (service === undefined || covered.has(service)) continue;
    let e = extents.get(service);
    if (e === undefined) {
      e = { first: log.time, last: log.time, errors: false };
      extents.set(service, e);
    }
    if (log.time < e.first) e.first = log.time;
    if (log.time > e.last) e.last = log.time;
    if (isErrorSeverity(log.severityNumber)) e.errors = true;
    e.parent ??= loggedParent(log, byId);
  }
  const spans: DerivedSpan[] = [];
  for (const [service, e] of extents) {
    const span: DerivedSpan = {
      traceId: trace.traceId,
      spanId: derivedSpanId(trace.traceId, service, 'log-extent'),
      name: `${service} (from its logs)`,
      kind: 'server',
      start: e.first,
      duration: e.last - e.first,
      status: e.errors ? 'error' : 'unset',
      service,
      origin: 'log-extent',
      derived: true,
      parentBy: 'none',
    };
    if (e.parent !== undefined) {
      span.parentSpanId = e.parent;
      span.parentBy = 'logged';
    }
    spans.push(span);
  }
  return spans;
}
