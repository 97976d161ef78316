// The trace view: spans (received and derived, skew-corrected), logs under their spans, critical path, gaps, summary.
import type { LogRecord, Span } from '../model/records.js';
import { isErrorSeverity } from '../model/severity.js';
import { attachLogs, type AttachedBy } from './attach.js';
import { criticalPath, type PathSegment } from './critical-path.js';
import { deriveTrace } from './derive.js';
import { analyzePath, type Gap } from './gaps.js';
import { traceClockOffsets, type ClockOffset, type SkewOptions } from './skew-apply.js';
import { summarize } from './summary.js';
import { buildSpanTree, remapTree } from './tree.js';
import { withFields } from './with-fields.js';
import { isDerivedOrigin, logClock, spanClock, UNKNOWN_SERVICE, type ParentSource, type TraceInput } from './types.js';

/** A service's figures over a window, as the lead's metrics store answers them. */
export interface ServiceStats {
  requests: number;
  errors: number;
  errorRate: number;
  /** µs; null when there were no requests. */
  p95: number | null;
}

export interface TraceViewOptions extends SkewOptions {
  /** The service's figures around the trace: called once per service in the trace. */
  serviceStats?: (service: string, from: number, to: number) => ServiceStats | undefined;
  /** How far before and after the trace the figures reach (µs). Default 15 minutes. */
  statsWindowUs?: number;
}

export interface ViewSpan extends Span {
  /** Corrected for clock skew; `rawStart` is what the span's clock read. */
  start: number;
  rawStart: number;
  end: number;
  skew: number;
  derived: boolean;
  /** How a derived span's parent was found. */
  parentBy?: ParentSource;
  /** The parent in this view: the logged one, else the root for spans whose parent is missing. */
  viewParentSpanId: string | null;
  /** True when the span's own parent is not in the trace (it hangs under the root here). */
  orphan: boolean;
  depth: number;
  /** µs of this span on the critical path (its own time, or a gap inside it). */
  criticalTime: number;
}

/** A line of the trace, as the store returns it (StoredLog) or without an ID. */
export type InputLog = LogRecord & { id?: string };

/**
 * A line as the view shows it: the LogRecord's fields and the store's `id` (fields beyond those are not
 * copied), with its corrected time and the span it sits under. Already the API's shape (keys in its
 * order, nothing extra), so the server sends these objects as they are; the offset applied is
 * `time - rawTime`.
 */
export type ViewLog<L extends InputLog = InputLog> = L & {
  /** Corrected for clock skew; `rawTime` is what the line said. */
  time: number;
  rawTime: number;
  attachedBy: AttachedBy;
  /** Absent only when the trace has no span at all to attach to. */
  attachedSpanId?: string;
};

export interface ServiceView {
  spans: number;
  logs: number;
  errorLogs: number;
  /** µs of the critical path spent in this service's own spans. */
  selfTime: number;
  errorRate: number | null;
  p95: number | null;
  requests: number | null;
  errors: number | null;
  window: { from: number; to: number } | null;
}

export interface TraceView<L extends InputLog = InputLog> {
  traceId: string;
  aliases: string[];
  rootSpanId: string | null;
  start: number;
  end: number;
  duration: number;
  spans: ViewSpan[];
  logs: ViewLog<L>[];
  criticalPath: PathSegment[];
  gaps: Gap[];
  summary: string;
  services: Record<string, ServiceView>;
  /** µs added to each clock's times (clock = service, or `host:NAME` when correcting by host). */
  skew: Record<string, number>;
  skewSources: Record<string, ClockOffset>;
}

const DEFAULT_WINDOW = 15 * 60 * 1_000_000;

/**
 * One literal of one shape for every line: 20,000 lines copied this way cost a few ms, where a spread
 * plus new keys costs hundreds (V8 leaves the fast path). Keys left undefined vanish in JSON.
 */
function viewLog<L extends InputLog>(log: L, skew: number, spanId: string | undefined, by: AttachedBy): ViewLog<L> {
  const time = log.time;
  return {
    id: log.id,
    time: time + skew,
    rawTime: time,
    observedTime: log.observedTime,
    severityNumber: log.severityNumber,
    severityText: log.severityText,
    body: log.body,
    traceId: log.traceId,
    spanId: log.spanId,
    traceFlags: log.traceFlags,
    service: log.service,
    host: log.host,
    aliases: log.aliases,
    attributes: log.attributes,
    parseError: log.parseError,
    attachedBy: by,
    attachedSpanId: spanId,
  } as ViewLog<L>;
}

function isSorted<T>(items: readonly T[], key: (t: T) => number): boolean {
  for (let i = 1; i < items.length; i++) if (key(items[i]!) < key(items[i - 1]!)) return false;
  return true;
}

export function buildTraceView<L extends InputLog>(trace: TraceInput<L>, options: TraceViewOptions = {}): TraceView<L> {
  const clockBy = options.clockBy ?? 'service';
  const derivation = deriveTrace(trace, options);
  const all: Span[] = [...trace.spans, ...derivation.spans];
  const tree = buildSpanTree(all);
  const attachments = attachLogs(trace.logs, all, tree.root, derivation.sourceLine);
  const offsets = traceClockOffsets(tree, options);
  const shiftOf = (clock: string): ClockOffset => {
    let o = offsets.get(clock);
    if (o === undefined) offsets.set(clock, (o = { us: 0, source: 'none' }));
    return o;
  };

  const viewSpans = new Map<string, ViewSpan>();
  for (const s of all) {
    const skew = shiftOf(spanClock(s, clockBy)).us;
    const start = s.start + skew;
    const parentBy = (s as { parentBy?: ParentSource }).parentBy;
    const v = withFields(s, {
      rawStart: s.start,
      end: start + s.duration,
      skew,
      derived: isDerivedOrigin(s.origin),
      viewParentSpanId: tree.parent.get(s.spanId) ?? null,
      orphan: tree.orphans.has(s.spanId),
      depth: tree.depth.get(s.spanId) ?? 0,
      criticalTime: 0,
    }) as ViewSpan;
    v.start = start;
    if (parentBy !== undefined) v.parentBy = parentBy;
    viewSpans.set(s.spanId, v);
  }
  const shifted = remapTree(tree, (s) => viewSpans.get(s.spanId)!);
  const path = criticalPath([...viewSpans.values()], shifted);
  for (const seg of path) viewSpans.get(seg.spanId)!.criticalTime += seg.end - seg.start;
  const analysis = analyzePath(path, shifted);

  // One offset lookup per clock, not per line.
  const shiftByClock = new Map<string, number>();
  const logs = trace.logs.map((log, i) => {
    const clock = logClock(log, clockBy);
    let skew = shiftByClock.get(clock);
    if (skew === undefined) shiftByClock.set(clock, (skew = shiftOf(clock).us));
    return viewLog(log, skew, attachments.spanId[i], attachments.by[i]!);
  });
  if (!isSorted(logs, (l) => l.time)) logs.sort((a, b) => a.time - b.time);
  const spans = [...viewSpans.values()].sort((a, b) => a.start - b.start || a.depth - b.depth);

  const root = shifted.root as ViewSpan | undefined;
  let start = root?.start ?? Infinity;
  let end = root?.end ?? -Infinity;
  for (const s of spans) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  if (logs.length > 0) {
    start = Math.min(start, logs[0]!.time);
    end = Math.max(end, logs[logs.length - 1]!.time);
  }
  if (!Number.isFinite(start)) start = end = 0;

  const skew: Record<string, number> = {};
  const skewSources: Record<string, ClockOffset> = {};
  for (const [clock, o] of offsets) {
    skew[clock] = o.us;
    skewSources[clock] = o;
  }
  return {
    traceId: trace.traceId,
    aliases: [...(trace.aliases ?? [])],
    rootSpanId: root?.spanId ?? null,
    start,
    end,
    duration: end - start,
    spans,
    logs,
    criticalPath: path,
    gaps: analysis.gaps,
    summary: summarize(analysis),
    services: serviceViews(spans, logs, analysis.selfTime, start, end, options),
    skew,
    skewSources,
  };
}

function serviceViews(spans: readonly ViewSpan[], logs: readonly ViewLog<InputLog>[], selfTime: Record<string, number>, start: number, end: number, options: TraceViewOptions): Record<string, ServiceView> {
  const services: Record<string, ServiceView> = {};
  const entry = (name: string): ServiceView =>
    (services[name] ??= { spans: 0, logs: 0, errorLogs: 0, selfTime: selfTime[name] ?? 0, errorRate: null, p95: null, requests: null, errors: null, window: null });
  for (const s of spans) entry(s.service ?? UNKNOWN_SERVICE).spans++;
  for (const l of logs) {
    const e = entry(l.service ?? UNKNOWN_SERVICE);
    e.logs++;
    if (isErrorSeverity(l.severityNumber)) e.errorLogs++;
  }
  if (options.serviceStats !== undefined) {
    const reach = options.statsWindowUs ?? DEFAULT_WINDOW;
    const window = { from: start - reach, to: end + reach };
    for (const [name, e] of Object.entries(services)) {
      if (name === UNKNOWN_SERVICE) continue;
      const stats = options.serviceStats(name, window.from, window.to);
      if (stats === undefined) continue;
      Object.assign(e, { errorRate: stats.errorRate, p95: stats.p95, requests: stats.requests, errors: stats.errors, window });
    }
  }
  return services;
}
