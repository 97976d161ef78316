// Spans derived from log lines: one per access-log line with a duration, one per service seen only in logs.
import { isValidSpanId } from '../model/ids.js';
import type { Attributes, Span } from '../model/records.js';
import { isErrorSeverity } from '../model/severity.js';
import { readAccessLog } from './access-log.js';
import { assignParents, type ParentOptions } from './derive-parents.js';
import { lineTable, type LineTable } from './line-table.js';
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

/** `table`: the lines read once (lineTable over the trace's lines and received spans), when the caller has it. */
export function deriveTrace(trace: TraceInput, options: DeriveOptions = {}, table: LineTable = lineTable(trace.logs, trace.spans)): Derivation {
  const byId = new Map<string, Span>();
  for (const s of trace.spans) byId.set(s.spanId, s);
  const { spans, sourceLine } = accessLogSpans(trace, byId, table);
  const covered = new Set<string | undefined>();
  for (const s of trace.spans) covered.add(s.service);
  for (const s of spans) covered.add(s.service);
  spans.push(...extentSpans(trace, byId, covered, table));
  assignParents(spans, trace.spans, options);
  return { spans, sourceLine };
}

/** A parent span ID line `i` logged, when it names a span in the trace that is not the line's own. */
function loggedParent(trace: TraceInput, table: LineTable, i: number, byId: ReadonlyMap<string, Span>): string | undefined {
  // The record is taken only for a line that has attributes (few): the rest is in the table.
  const attr = table.attributed[i] === 1 ? trace.logs.at(i)!.attributes?.parent_span_id : undefined;
  if (typeof attr === 'string' && isValidSpanId(attr) && byId.has(attr)) return attr;
  const own = table.named[i]! < 0 ? undefined : trace.spans[table.named[i]!];
  const service = table.service[i]! < 0 ? undefined : table.services[table.service[i]!];
  return own !== undefined && own.service !== service ? own.spanId : undefined;
}

function accessLogSpans(trace: TraceInput, byId: ReadonlyMap<string, Span>, table: LineTable): Derivation {
  const spans: DerivedSpan[] = [];
  const sourceLine = new Map<string, number>();
  const seen = new Map<string, number>();
  for (let index = 0; index < table.count; index++) {
    if (table.attributed[index] === 0) continue;
    const log = trace.logs.at(index)!;
    const request = readAccessLog(log);
    if (request === undefined) continue;
    const own = table.named[index]! < 0 ? undefined : trace.spans[table.named[index]!];
    if (own !== undefined && own.service === log.service && own.kind === 'server') continue;
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
    const parent = own !== undefined && own.service === log.service ? own.spanId : loggedParent(trace, table, index, byId);
    if (parent !== undefined) {
      span.parentSpanId = parent;
      span.parentBy = 'logged';
    }
    spans.push(span);
    sourceLine.set(span.spanId, index);
  }
  return { spans, sourceLine };
}

interface Extent {
  first: number;
  last: number;
  errors: boolean;
  parent?: string;
}

function extentSpans(trace: TraceInput, byId: ReadonlyMap<string, Span>, covered: ReadonlySet<string | undefined>, table: LineTable): DerivedSpan[] {
  // Per service index: undefined for services that have spans (most lines are theirs: one array read each).
  const extentOf: (Extent | undefined)[] = table.services.map((name) => (covered.has(name) ? undefined : { first: Infinity, last: -Infinity, errors: false }));
  const extents = new Map<string, Extent>();
  for (let i = 0; i < table.count; i++) {
    const s = table.service[i]!;
    const e = s < 0 ? undefined : extentOf[s];
    if (e === undefined) continue;
    const time = table.time[i]!;
    if (!extents.has(table.services[s]!)) extents.set(table.services[s]!, e);
    if (time < e.first) e.first = time;
    if (time > e.last) e.last = time;
    if (isErrorSeverity(table.severity[i]!)) e.errors = true;
    e.parent ??= loggedParent(trace, table, i, byId);
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
