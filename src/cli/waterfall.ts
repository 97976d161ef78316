// A trace view drawn for a terminal: summary, one bar per span on a shared time axis (critical path in
// bold, derived spans hatched), the gaps, and the log lines grouped under their spans.
import type { StoredLog } from '../store/types.js';
import { fit, formatDuration, formatTime, levelLabel, printable, type Paint } from './format.js';

/** The parts of GET /api/traces/:id the terminal shows (README "Querying" has the whole shape). */
export interface TraceViewReply {
  traceId: string;
  aliases: string[];
  start?: number;
  end?: number;
  duration?: number;
  summary?: string;
  spans: Array<{
    spanId: string;
    parentSpanId?: string;
    name: string;
    kind: string;
    service?: string;
    start: number;
    duration: number;
    status: string;
    origin?: string;
    derived?: boolean;
    rawStart?: number;
    depth?: number;
  }>;
  logs: Array<StoredLog & { rawTime?: number; attachedSpanId?: string }>;
  /** Lines in the trace; `logs` holds fewer when logsOmitted > 0 (GET /api/traces/:id/logs has them). */
  logCount?: number;
  logsOmitted?: number;
  /** The indexer's limits per trace cut records: they are in no page either. */
  limitReached?: boolean;
  criticalPath?: Array<{ spanId: string; start: number; end: number }>;
  gaps?: Array<{ from: string; to: string; start: number; end: number; duration: number; kind: string; description: string }>;
  skew?: Array<{ service: string; offsetUs: number; samples: number; source: string }>;
  services?: Array<{ service: string; requests: number; errors: number; errorRate: number; p95: number | null }>;
}

/** A page of GET /api/traces/:id/logs. */
export interface TraceLogsReply {
  logs: TraceViewReply['logs'];
  total: number;
  nextCursor?: string;
}

export interface RenderOptions {
  width: number;
  raw: boolean;
  logs: boolean;
  paint: Paint;
}

type ViewSpan = TraceViewReply['spans'][number];

export function renderTrace(view: TraceViewReply, o: RenderOptions): string {
  const p = o.paint;
  const startOf = (s: ViewSpan) => (o.raw ? (s.rawStart ?? s.start) : s.start);
  const timeOf = (l: TraceViewReply['logs'][number]) => (o.raw ? (l.rawTime ?? l.time) : l.time);
  // A loop, not Math.min(...times): a trace's 50,000 lines would overflow the argument list.
  let t0 = Infinity;
  let t1 = -Infinity;
  const cover = (t: number) => {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
  };
  for (const s of view.spans) cover(startOf(s)), cover(startOf(s) + s.duration);
  for (const l of view.logs) cover(timeOf(l));
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  const total = Math.max(1, t1 - t0);
  const col = (t: number) => Math.min(o.width - 1, Math.max(0, Math.floor(((t - t0) / total) * o.width)));
  const out: string[] = [];

  const lineCount = view.logCount ?? view.logs.length;
  const shown = o.logs && view.logs.length < lineCount ? ` (${view.logs.length} shown)` : '';
  out.push(`${p.bold(`Trace ${view.traceId}`)}  ${formatDuration(view.duration ?? total)}, ${view.spans.length} spans, ${lineCount} lines${shown}`);
  if (view.limitReached === true) out.push(p.yellow(`the trace is larger than the indexer reads for one view: records past its limit are not shown (logstitch search trace:${view.traceId} finds them)`));
  if (view.aliases.length > 0) out.push(p.dim(`aliases: ${view.aliases.map(printable).join(', ')}`));
  if (view.summary !== undefined) out.push(p.yellow(printable(view.summary)));
  const skewed = (view.skew ?? []).filter((s) => s.offsetUs !== 0);
  if (skewed.length > 0) {
    const list = skewed.map((s) => `${s.service} ${s.offsetUs < 0 ? '-' : '+'}${formatDuration(Math.abs(s.offsetUs))}`).join(', ');
    out.push(p.dim(o.raw ? `raw clocks (adjustment not applied: ${list})` : `clock skew adjusted: ${list}`));
  }
  out.push('');

  const critical = new Map<string, Array<{ start: number; end: number }>>();
  for (const seg of view.criticalPath ?? []) critical.set(seg.spanId, [...(critical.get(seg.spanId) ?? []), seg]);
  const label = (s: ViewSpan) => `${'  '.repeat(Math.min(s.depth ?? 0, 8))}${s.name}`;
  for (const s of view.spans) {
    const from = col(startOf(s));
    const to = Math.max(from + 1, col(startOf(s) + s.duration) + 1);
    const cells = Array.from({ length: o.width }, (_, i) => (i >= from && i < to ? (s.derived === true ? '▒' : '█') : ' '));
    const bar = cells.join('');
    const onPath = critical.has(s.spanId);
    const service = s.service ?? '?';
    const drawn = p.keyed(service, onPath ? p.bold(bar) : bar);
    const status = s.status === 'error' ? p.red(' ✗') : '';
    out.push(`${p.keyed(service, fit(service, 12))} ${fit(printable(label(s)), 30)} ${formatDuration(s.duration).padStart(9)} │${drawn}│${onPath ? p.bold(' ◆') : ''}${status}`);
  }
  out.push(p.dim(`${' '.repeat(53)}└ ${formatTime(t0)} … +${formatDuration(total)}; █ received, ▒ derived from logs, ◆ on the critical path`));

  if ((view.gaps ?? []).length > 0) {
    out.push('', p.bold('Gaps (on the critical path, in no server span)'));
    for (const g of view.gaps!) out.push(`  ${p.red(formatDuration(g.duration).padStart(9))}  ${printable(g.from)} → ${printable(g.to)}: ${printable(g.description)}`);
  }
  if ((view.services ?? []).length > 0) {
    out.push('', p.bold('Services around this time'));
    for (const s of view.services!) out.push(`  ${p.keyed(s.service, fit(s.service, 14))} error rate ${(s.errorRate * 100).toFixed(1)}% (${s.errors}/${s.requests})  p95 ${s.p95 === null ? '-' : formatDuration(s.p95)}`);
  }
  if (o.logs && view.logs.length > 0) out.push('', p.bold('Logs'), ...logLines(view, timeOf, p));
  return `${out.join('\n')}\n`;
}

/** Log lines in span order (each span's lines under its name), then those under no span. */
function logLines(view: TraceViewReply, timeOf: (l: TraceViewReply['logs'][number]) => number, p: Paint): string[] {
  const bySpan = new Map<string, TraceViewReply['logs']>();
  const loose: TraceViewReply['logs'] = [];
  const spanIds = new Set(view.spans.map((s) => s.spanId));
  for (const log of view.logs) {
    const under = log.attachedSpanId ?? log.spanId;
    if (under === undefined || !spanIds.has(under)) {
      loose.push(log);
      continue;
    }
    const list = bySpan.get(under);
    if (list === undefined) bySpan.set(under, [log]);
    else list.push(log);
  }
  const line = (log: TraceViewReply['logs'][number], indent: string) =>
    `${indent}${p.dim(formatTime(timeOf(log)).slice(11))} ${levelLabel(log.severityNumber, p)} ${p.keyed(log.service ?? '?', fit(log.service ?? '-', 12))} ${printable(log.body)}`;
  const out: string[] = [];
  for (const s of view.spans) {
    const logs = bySpan.get(s.spanId);
    if (logs === undefined) continue;
    out.push(p.dim(`  ${s.service ?? '?'} · ${printable(s.name)}`));
    for (const log of logs) out.push(line(log, '    '));
  }
  if (loose.length > 0) {
    out.push(p.dim('  (under no span)'));
    for (const log of loose) out.push(line(log, '    '));
  }
  return out;
}
