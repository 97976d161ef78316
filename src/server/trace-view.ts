// The correlation engine's trace view in the shape the API promises (README "The trace view"): spans in
// waterfall order, logs under the span they are shown with (all, or a bounded share and pages of the rest),
// services and clock offsets as lists.
import type { LinePage, TraceView, ViewSpan } from '../correlate/index.js';
import type { Attributes, Span } from '../model/records.js';
import type { StoredAliasLink, StoredLog } from '../store/types.js';

export interface ApiSpan {
  spanId: string;
  parentSpanId?: string;
  traceId: string;
  name: string;
  kind: Span['kind'];
  service?: string;
  /** Adjusted for clock skew; rawStart is what the span's clock read. */
  start: number;
  duration: number;
  rawStart: number;
  skewUs: number;
  status: Span['status'];
  origin?: Span['origin'];
  derived: boolean;
  depth: number;
  /** µs of this span on the critical path. */
  criticalTime: number;
  /** Lines under this span in the whole trace; `logs` may hold only some of them (see logsOmitted). */
  logCount: number;
  attributes?: Attributes;
}

/** A log line with the span it is shown under (its own spanId stays as logged). */
export type ApiLog = StoredLog & { rawTime: number; attachedSpanId?: string; attachedBy: string };

export interface ApiTraceView {
  traceId: string;
  traceIds: string[];
  /** Present (true) when anything was left out: lines (logsOmitted > 0, pages bring them) or limitReached. */
  truncated?: true;
  /** Present (true) when the store's limits per trace were reached: records or stitched traces past them are in no page either. */
  limitReached?: true;
  aliases: string[];
  stitches: Array<{ alias: string; traceId: string; joinedBy?: StoredAliasLink['joinedBy'] }>;
  start: number;
  end: number;
  duration: number;
  summary: string;
  spans: ApiSpan[];
  /** In time order: every line, or (logsOmitted > 0) each span's first logsPerSpan lines and every error line. */
  logs: ApiLog[];
  /** Lines in the trace, in `logs` or not. */
  logCount: number;
  /** Lines not in `logs`: GET /api/traces/:id/logs pages through them all. */
  logsOmitted: number;
  /** Present when lines were omitted: each span's first logsPerSpan lines are in `logs`. */
  logsPerSpan?: number;
  criticalPath: Array<{ spanId: string; start: number; end: number }>;
  gaps: Array<{ from: string; to: string; start: number; end: number; duration: number; kind: string; spanId: string; description: string }>;
  services: Array<{ service: string; spans: number; logs: number; errorLogs: number; selfTime: number; requests: number | null; errors: number | null; errorRate: number | null; p95: number | null; window: { from: number; to: number } | null }>;
  skew: Array<{ service: string; offsetUs: number; samples?: number; source: string }>;
}

/** A page of a trace's lines: GET /api/traces/:id/logs. */
export interface ApiTraceLogs {
  traceId: string;
  /** The span whose lines these are; absent for the whole trace's. */
  spanId?: string;
  /** Lines of the span (or trace) over all pages. */
  total: number;
  /** In time order (corrected), each as in the trace view. */
  logs: ApiLog[];
  /** Pass as cursor for the next page; absent on the last. */
  nextCursor?: string;
}

export function apiTraceLogs(traceId: string, spanId: string | undefined, page: LinePage<StoredLog>): ApiTraceLogs {
  return {
    traceId,
    ...(spanId !== undefined ? { spanId } : {}),
    total: page.total,
    logs: page.logs as ApiLog[],
    ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
  };
}

/** `limitReached`: the store's limits per trace cut records or stitched traces (beyond lines the view left out). */
export function apiTraceView(view: TraceView<StoredLog>, extra: { traceIds: string[]; links: StoredAliasLink[]; limitReached: boolean }): ApiTraceView {
  return {
    traceId: view.traceId,
    traceIds: extra.traceIds,
    ...(extra.limitReached || view.logsOmitted > 0 ? { truncated: true as const } : {}),
    ...(extra.limitReached ? { limitReached: true as const } : {}),
    aliases: view.aliases,
    stitches: extra.links.map((l) => ({ alias: l.alias, traceId: l.traceId, ...(l.joinedBy !== undefined ? { joinedBy: l.joinedBy } : {}) })),
    start: view.start,
    end: view.end,
    duration: view.duration,
    summary: view.summary,
    spans: waterfallOrder(view.spans).map(apiSpan),
    // The view's lines are already in the API's shape (see ViewLog): sent as they are, not copied.
    logs: view.logs as ApiLog[],
    logCount: view.logCount,
    logsOmitted: view.logsOmitted,
    ...(view.logsPerSpan !== undefined ? { logsPerSpan: view.logsPerSpan } : {}),
    criticalPath: view.criticalPath.map((s) => ({ spanId: s.spanId, start: s.start, end: s.end })),
    gaps: view.gaps.map((g) => ({ from: g.from, to: g.to, start: g.start, end: g.end, duration: g.duration, kind: g.kind, spanId: g.spanId, description: g.description })),
    services: Object.entries(view.services).map(([service, s]) => ({ service, ...s })),
    skew: Object.entries(view.skewSources).map(([service, o]) => ({ service, offsetUs: o.us, ...(o.samples !== undefined ? { samples: o.samples } : {}), source: o.source })),
  };
}

function apiSpan(s: ViewSpan): ApiSpan {
  const span: ApiSpan = {
    spanId: s.spanId,
    traceId: s.traceId,
    name: s.name,
    kind: s.kind,
    start: s.start,
    duration: s.duration,
    rawStart: s.rawStart,
    skewUs: s.skew,
    status: s.status,
    derived: s.derived,
    depth: s.depth,
    criticalTime: s.criticalTime,
    logCount: s.logCount,
  };
  const parent = s.viewParentSpanId ?? s.parentSpanId;
  if (parent !== undefined && parent !== null) span.parentSpanId = parent;
  if (s.service !== undefined) span.service = s.service;
  if (s.origin !== undefined) span.origin = s.origin;
  if (s.attributes !== undefined) span.attributes = s.attributes;
  return span;
}

/** Depth first from the roots, children by start: each span right under its parent, as a waterfall reads. */
function waterfallOrder(spans: readonly ViewSpan[]): ViewSpan[] {
  const ids = new Set<string>();
  for (const s of spans) ids.add(s.spanId);
  const children = new Map<string | null, ViewSpan[]>();
  for (const s of spans) {
    const parent = s.viewParentSpanId !== null && ids.has(s.viewParentSpanId) ? s.viewParentSpanId : null;
    const list = children.get(parent);
    if (list === undefined) children.set(parent, [s]);
    else list.push(s);
  }
  // Latest start first, so that the stack pops the earliest; reversed before the (stable) sort, so that of
  // spans starting together the first given pops first.
  const later = (a: ViewSpan, b: ViewSpan) => b.start - a.start;
  for (const list of children.values()) list.reverse().sort(later);
  const out: ViewSpan[] = [];
  const placed = new Set<string>();
  const stack = [...(children.get(null) ?? [])];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (placed.has(s.spanId)) continue;
    placed.add(s.spanId);
    out.push(s);
    const under = children.get(s.spanId);
    if (under !== undefined) for (const c of under) stack.push(c);
  }
  // A cycle in parent links would leave spans unplaced: they go last rather than missing.
  if (out.length < spans.length) for (const s of spans) if (!placed.has(s.spanId)) out.push(s);
  return out;
}
