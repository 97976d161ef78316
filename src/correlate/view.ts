// The trace view: spans (received and derived, skew-corrected), logs under their spans, critical path, gaps, summary.
import type { LineList } from '../model/line-list.js';
import type { Span } from '../model/records.js';
import { isErrorSeverity } from '../model/severity.js';
import { attachLineIndexes } from './attach.js';
import { criticalPath, type PathSegment } from './critical-path.js';
import { deriveTrace } from './derive.js';
import { analyzePath, type Gap } from './gaps.js';
import { lineTable, type LineTable } from './line-table.js';
import { traceClockOffsets, type ClockOffset, type SkewOptions } from './skew-apply.js';
import { summarize } from './summary.js';
import { buildSpanTree, remapTree, type SpanTree } from './tree.js';
import { TraceLines, type InputLog, type ViewLog } from './view-lines.js';
import { withFields } from './with-fields.js';
import { isDerivedOrigin, logClock, spanClock, UNKNOWN_SERVICE, type ClockBy, type ParentSource, type TraceInput } from './types.js';

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
  /** At most this many lines in `logs` (which ones: TraceLines.select); every line when absent. */
  logLimit?: number;
  /** When given, the ms each phase took is added to it (for Server-Timing and benchmarks). */
  timings?: Record<string, number>;
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
  /** Lines under this span in the whole trace (`logs` may hold fewer: see TraceView.logsOmitted). */
  logCount: number;
}

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
  /** In corrected time order: every line, or with `logLimit` the share TraceLines.select chooses. */
  logs: ViewLog<L>[];
  /** Lines in the trace, whether in `logs` or not. */
  logCount: number;
  /** Lines left out of `logs` (by `logLimit`); 0 when it holds them all. */
  logsOmitted: number;
  /** With lines left out: each span's first `logsPerSpan` lines are in `logs`, besides every error line. */
  logsPerSpan?: number;
  criticalPath: PathSegment[];
  gaps: Gap[];
  summary: string;
  services: Record<string, ServiceView>;
  /** µs added to each clock's times (clock = service, or `host:NAME` when correcting by host). */
  skew: Record<string, number>;
  skewSources: Record<string, ClockOffset>;
}

const DEFAULT_WINDOW = 15 * 60 * 1_000_000;

/** The view and its lines, from which pages of the lines left out of the view are cut. */
export interface TraceAnalysis<L extends InputLog = InputLog> {
  view: TraceView<L>;
  lines: TraceLines<L>;
}

/** The trace view (see analyzeTrace); plain JSON. */
export function buildTraceView<L extends InputLog>(trace: TraceInput<L>, options: TraceViewOptions = {}): TraceView<L> {
  return analyzeTrace(trace, options).view;
}

/**
 * The trace view and its lines. Lines stay in typed arrays (corrected time, span, how attached) and
 * become objects only when they go into `logs` — all of them, or the `logLimit` share — or into a page.
 */
export function analyzeTrace<L extends InputLog>(trace: TraceInput<L>, options: TraceViewOptions = {}): TraceAnalysis<L> {
  const clockBy = options.clockBy ?? 'service';
  const phase = phaseClock(options.timings);
  const table = lineTable(trace.logs, trace.spans);
  phase('read-lines');
  const derivation = deriveTrace(trace, options, table);
  const all: Span[] = [...trace.spans, ...derivation.spans];
  phase('derive');
  const tree = buildSpanTree(all);
  const offsets = traceClockOffsets(tree, options);
  const shiftOf = (clock: string): ClockOffset => {
    let o = offsets.get(clock);
    if (o === undefined) offsets.set(clock, (o = { us: 0, source: 'none' }));
    return o;
  };
  phase('tree');
  // The table's span indexes are into trace.spans, which `all` begins with.
  const attached = attachLineIndexes(trace.logs, all, tree.root, derivation.sourceLine, table);
  phase('attach');
  const { times, clock } = lineTimes(trace.logs, table, (name) => shiftOf(name).us, clockBy);
  const lines = new TraceLines(trace.logs, { times, span: attached.span, by: attached.by, spanIds: all.map((s) => s.spanId), clock, severity: table.severity });
  phase('lines');

  const viewSpans = viewSpansOf(all, tree, lines.countsBySpan(), (s) => shiftOf(spanClock(s, clockBy)).us);
  const shifted = remapTree(tree, (s) => viewSpans.get(s.spanId)!);
  phase('spans');
  const path = criticalPath([...viewSpans.values()], shifted);
  for (const seg of path) viewSpans.get(seg.spanId)!.criticalTime += seg.end - seg.start;
  phase('critical-path');
  const analysis = analyzePath(path, shifted);
  const summary = summarize(analysis);
  phase('gaps');
  const spans = [...viewSpans.values()].sort((a, b) => a.start - b.start || a.depth - b.depth);

  const root = shifted.root as ViewSpan | undefined;
  const { start, end } = extent(spans, times);
  const services = serviceViews(spans, table, analysis.selfTime, start, end, options);
  phase('services');

  const chosen = options.logLimit === undefined ? { logs: lines.all(), omitted: 0, perSpan: 0 } : lines.select(options.logLimit);
  phase('select');
  const view: TraceView<L> = {
    traceId: trace.traceId,
    aliases: [...(trace.aliases ?? [])],
    rootSpanId: root?.spanId ?? null,
    start,
    end,
    duration: end - start,
    spans,
    logs: chosen.logs,
    logCount: lines.count,
    logsOmitted: chosen.omitted,
    ...(chosen.omitted > 0 ? { logsPerSpan: chosen.perSpan } : {}),
    criticalPath: path,
    gaps: analysis.gaps,
    summary,
    services,
    skew: Object.fromEntries([...offsets].map(([clock, o]) => [clock, o.us])),
    skewSources: Object.fromEntries(offsets),
  };
  return { view, lines };
}

/** From the first span or line to the last, on the corrected clocks; 0–0 for an empty trace. */
function extent(spans: readonly ViewSpan[], times: Float64Array): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const s of spans) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t < start) start = t;
    if (t > end) end = t;
  }
  return Number.isFinite(start) ? { start, end } : { start: 0, end: 0 };
}

/** A function that adds the ms since its last call to `timings[phase]`; does nothing without timings. */
function phaseClock(timings: Record<string, number> | undefined): (phase: string) => void {
  if (timings === undefined) return () => undefined;
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    timings[phase] = (timings[phase] ?? 0) + (now - last);
    last = now;
  };
}

/** Every span as the view shows it (skew applied, place in the tree, lines under it), by span ID. */
function viewSpansOf(all: readonly Span[], tree: SpanTree, logCounts: Int32Array, shift: (s: Span) => number): Map<string, ViewSpan> {
  const viewSpans = new Map<string, ViewSpan>();
  all.forEach((s, index) => {
    const skew = shift(s);
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
      logCount: logCounts[index]!,
    }) as ViewSpan;
    v.start = start;
    if (parentBy !== undefined) v.parentBy = parentBy;
    viewSpans.set(s.spanId, v);
  });
  return viewSpans;
}

/**
 * Each line's time on the corrected clock, and which clock it was read from: one offset lookup per clock,
 * not per line (by service, the table's service numbers are the clocks).
 */
function lineTimes(logs: LineList<InputLog>, table: LineTable, shift: (clock: string) => number, clockBy: ClockBy): { times: Float64Array; clock: Int32Array } {
  const n = table.count;
  const times = new Float64Array(n);
  const clock = new Int32Array(n);
  if (clockBy === 'service') {
    const us = Float64Array.from([UNKNOWN_SERVICE, ...table.services], (name) => shift(name));
    for (let i = 0; i < n; i++) {
      const c = table.service[i]! + 1;
      times[i] = table.time[i]! + us[c]!;
      clock[i] = c;
    }
    return { times, clock };
  }
  const clocks = new Map<string, { index: number; us: number }>();
  for (let i = 0; i < n; i++) {
    const name = logClock(logs.at(i)!, clockBy);
    let c = clocks.get(name);
    if (c === undefined) clocks.set(name, (c = { index: clocks.size, us: shift(name) }));
    times[i] = table.time[i]! + c.us;
    clock[i] = c.index;
  }
  return { times, clock };
}

function serviceViews(spans: readonly ViewSpan[], table: LineTable, selfTime: Record<string, number>, start: number, end: number, options: TraceViewOptions): Record<string, ServiceView> {
  const services: Record<string, ServiceView> = {};
  const entry = (name: string): ServiceView =>
    (services[name] ??= { spans: 0, logs: 0, errorLogs: 0, selfTime: selfTime[name] ?? 0, errorRate: null, p95: null, requests: null, errors: null, window: null });
  for (const s of spans) entry(s.service ?? UNKNOWN_SERVICE).spans++;
  // Counted by the table's service numbers (slot 0: lines naming none), then named.
  const lines = new Int32Array(table.services.length + 1);
  const errors = new Int32Array(table.services.length + 1);
  for (let i = 0; i < table.count; i++) {
    const s = table.service[i]! + 1;
    lines[s]!++;
    if (isErrorSeverity(table.severity[i]!)) errors[s]!++;
  }
  [UNKNOWN_SERVICE, ...table.services].forEach((name, s) => {
    if (lines[s] === 0) return;
    const e = entry(name);
    e.logs += lines[s]!;
    e.errorLogs += errors[s]!;
  });
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
