// The trace answer made ready to draw: spans in waterfall order with their logs, whichever view fields the API gave.
import type { ApiLog, ApiSpan, Gap, ServiceHealth, SkewEntry, Stitch, TraceAnswer } from '../types.js';

export interface SpanRow {
  span: ApiSpan;
  depth: number;
  /** Skew-adjusted start (what the API calls `start`). */
  start: number;
  /** What the span's own clock read; equal to `start` when the API applied no correction. */
  rawStart: number;
  duration: number;
  derived: boolean;
  error: boolean;
  /** Critical-path segments inside this span. */
  critical: Array<{ start: number; end: number }>;
  /** The lines the answer carried for this span, in time order. */
  logs: ApiLog[];
  /** Lines under the span in the whole trace (more than `logs` when the answer left some out). */
  logTotal: number;
}

export interface TraceModel {
  traceId: string;
  traceIds: string[];
  aliases: string[];
  stitches: Stitch[];
  summary: string | undefined;
  rows: SpanRow[];
  /** Lines shown under no span (no span ID, or one that is not in the trace). */
  looseLogs: ApiLog[];
  /** Lines under no span in the whole trace. */
  looseTotal: number;
  /** Lines in the whole trace. */
  logCount: number;
  /** Lines the answer carried (fewer than logCount when it left some out). */
  logsLoaded: number;
  /** The first this many lines of each span were carried (Infinity: all of them); the rest are paged in. */
  logsPerSpan: number;
  gaps: Gap[];
  /** Undefined when the API gave no service figures (the panel says so). */
  services: ServiceHealth[] | undefined;
  /** Clock offsets the view applied, non-zero ones only; undefined when the API gave none. */
  skew: SkewEntry[] | undefined;
  /** True when raw and adjusted times differ anywhere, so the toggle means something. */
  skewed: boolean;
  /** True when the answer carries the view's raw times at all (the toggle can be offered). */
  hasRawTimes: boolean;
}

const DERIVED_ORIGINS = new Set(['span-end-line', 'access-log', 'log-extent']);

export function isDerived(span: ApiSpan): boolean {
  return span.derived ?? (span.origin !== undefined && DERIVED_ORIGINS.has(span.origin));
}

export function logRawTime(log: ApiLog): number {
  return log.rawTime ?? log.time;
}

/** The span a line is shown under: the view's attachment when given, else the span ID it was logged with. */
function attachedTo(log: ApiLog): string | undefined {
  if ('attachedSpanId' in log) return log.attachedSpanId ?? undefined;
  return log.spanId;
}

/**
 * Depth-first, children by start: the waterfall's order. Done here rather than trusted from the API so
 * the order is right whatever the route returns (the store's start order, or the view's).
 */
function displayOrder(spans: readonly ApiSpan[]): Array<{ span: ApiSpan; depth: number }> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string | undefined, ApiSpan[]>();
  for (const s of spans) {
    const declared = s.viewParentSpanId !== undefined ? s.viewParentSpanId ?? undefined : s.parentSpanId;
    const parent = declared !== undefined && declared !== s.spanId && byId.has(declared) ? declared : undefined;
    let list = children.get(parent);
    if (list === undefined) children.set(parent, (list = []));
    list.push(s);
  }
  for (const list of children.values()) list.sort((a, b) => a.start - b.start);
  const out: Array<{ span: ApiSpan; depth: number }> = [];
  const seen = new Set<string>();
  // An explicit stack: a 2,000-deep chain must not overflow the call stack.
  const stack: Array<{ span: ApiSpan; depth: number }> = [...(children.get(undefined) ?? [])].reverse().map((span) => ({ span, depth: 0 }));
  const drain = () => {
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (seen.has(item.span.spanId)) continue;
      seen.add(item.span.spanId);
      out.push(item);
      const kids = children.get(item.span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: item.depth + 1 });
    }
  };
  drain();
  // Spans caught in a parent cycle are never reached from a root: show them at the top level, not lose them.
  for (const s of spans) {
    if (!seen.has(s.spanId)) {
      stack.push({ span: s, depth: 0 });
      drain();
    }
  }
  return out;
}

function normalizeServices(services: TraceAnswer['services']): ServiceHealth[] | undefined {
  if (services === undefined) return undefined;
  const list = Array.isArray(services) ? services : Object.entries(services).map(([service, v]) => ({ service, ...v }));
  return list.slice().sort((a, b) => a.service.localeCompare(b.service));
}

function normalizeSkew(skew: TraceAnswer['skew']): SkewEntry[] | undefined {
  if (skew === undefined) return undefined;
  const list = Array.isArray(skew) ? skew : Object.entries(skew).map(([service, offsetUs]) => ({ service, offsetUs }));
  return list.filter((e) => e.offsetUs !== 0);
}

export function buildModel(answer: TraceAnswer): TraceModel {
  const critical = new Map<string, Array<{ start: number; end: number }>>();
  for (const seg of answer.criticalPath ?? []) {
    let list = critical.get(seg.spanId);
    if (list === undefined) critical.set(seg.spanId, (list = []));
    list.push({ start: seg.start, end: seg.end });
  }
  const rows: SpanRow[] = displayOrder(answer.spans).map(({ span, depth }) => ({
    span,
    depth,
    start: span.start,
    rawStart: span.rawStart ?? span.start,
    duration: span.duration,
    derived: isDerived(span),
    error: span.status === 'error',
    critical: critical.get(span.spanId) ?? [],
    logs: [],
    logTotal: 0,
  }));
  const rowOf = new Map(rows.map((r) => [r.span.spanId, r]));
  const looseLogs: ApiLog[] = [];
  for (const log of answer.logs) {
    const id = attachedTo(log);
    const row = id === undefined ? undefined : rowOf.get(id);
    if (row === undefined) looseLogs.push(log);
    else row.logs.push(log);
  }
  for (const row of rows) row.logTotal = Math.max(row.span.logCount ?? 0, row.logs.length);
  const logCount = Math.max(answer.logCount ?? 0, answer.logs.length);
  const underSpans = rows.reduce((n, r) => n + r.logTotal, 0);
  const hasRawTimes = answer.spans.some((s) => s.rawStart !== undefined) || answer.logs.some((l) => l.rawTime !== undefined);
  const skewed = rows.some((r) => r.rawStart !== r.start) || answer.logs.some((l) => logRawTime(l) !== l.time);
  return {
    traceId: answer.traceId,
    traceIds: answer.traceIds ?? [answer.traceId],
    aliases: answer.aliases ?? [],
    stitches: answer.stitches ?? [],
    summary: answer.summary,
    rows,
    looseLogs,
    looseTotal: Math.max(looseLogs.length, logCount - underSpans),
    logCount,
    logsLoaded: answer.logs.length,
    logsPerSpan: answer.logsOmitted !== undefined && answer.logsOmitted > 0 ? (answer.logsPerSpan ?? 0) : Infinity,
    gaps: answer.gaps ?? [],
    services: normalizeServices(answer.services),
    skew: normalizeSkew(answer.skew),
    skewed,
    hasRawTimes,
  };
}

/** The time span the waterfall covers in one clock mode: every span and every line fits. */
export function bounds(model: TraceModel, raw: boolean): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const r of model.rows) {
    const s = raw ? r.rawStart : r.start;
    if (s < start) start = s;
    if (s + r.duration > end) end = s + r.duration;
  }
  const visit = (log: ApiLog) => {
    const t = raw ? logRawTime(log) : log.time;
    if (t < start) start = t;
    if (t > end) end = t;
  };
  for (const r of model.rows) r.logs.forEach(visit);
  model.looseLogs.forEach(visit);
  if (!Number.isFinite(start)) return { start: 0, end: 1 };
  return { start, end: Math.max(end, start + 1) };
}
