// The HTTP API's answers as the UI reads them (the contract in the API notes); optional where a route may not give them yet.

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface LogRecord {
  id?: string | number;
  time: number;
  observedTime?: number;
  severityNumber: number;
  severityText?: string;
  body: string;
  traceId?: string;
  spanId?: string;
  traceFlags?: number;
  service?: string;
  host?: string;
  aliases?: string[];
  attributes?: { [key: string]: Json };
  parseError?: string;
}

export interface SearchPage {
  logs: LogRecord[];
  nextCursor?: string;
}

export interface ServiceSummary {
  service: string;
  logs: number;
  spans: number;
  errorLogs: number;
  firstSeen?: number;
  lastSeen?: number;
}

export type SpanOrigin = 'otlp' | 'zipkin' | 'span-end-line' | 'access-log' | 'log-extent';

/** A span as GET /api/traces/:id gives it: the store's fields always, the view's when the engine adds them. */
export interface ApiSpan {
  spanId: string;
  parentSpanId?: string;
  traceId: string;
  name: string;
  kind: string;
  service?: string;
  start: number;
  duration: number;
  status: string;
  origin?: SpanOrigin;
  derived?: boolean;
  rawStart?: number;
  skewUs?: number;
  /** The engine's own name for skewUs. */
  skew?: number;
  depth?: number;
  /** The parent the view hangs the span under (the engine's field), when it differs from the logged one. */
  viewParentSpanId?: string | null;
  /** Lines under this span in the whole trace; the answer's `logs` may carry only some of them. */
  logCount?: number;
  attributes?: { [key: string]: Json };
}

export interface ApiLog extends LogRecord {
  rawTime?: number;
  attachedBy?: string;
  /** The engine's name for the span a line is shown under. */
  attachedSpanId?: string | null;
}

export interface Gap {
  from: string;
  to: string;
  start: number;
  end: number;
  duration: number;
  kind: string;
  description: string;
  spanId?: string;
}

export interface ServiceHealth {
  service: string;
  requests?: number | null;
  errors?: number | null;
  errorRate?: number | null;
  p95?: number | null;
  window?: { from: number; to: number } | null;
}

export interface SkewEntry {
  service: string;
  offsetUs: number;
  samples?: number;
  source?: string;
}

export interface Stitch {
  alias: string;
  traceId: string;
  joinedBy?: { service?: string; time: number; body: string };
}

export interface TraceAnswer {
  traceId: string;
  traceIds?: string[];
  aliases?: string[];
  stitches?: Stitch[];
  start?: number;
  end?: number;
  duration?: number;
  summary?: string;
  spans: ApiSpan[];
  logs: ApiLog[];
  criticalPath?: Array<{ spanId: string; start: number; end: number }>;
  gaps?: Gap[];
  /** The contract gives a list; the engine builds a record keyed by service. Both are read. */
  services?: ServiceHealth[] | Record<string, Omit<ServiceHealth, 'service'>>;
  skew?: SkewEntry[] | Record<string, number>;
  /** Set when the answer left something out: lines (logsOmitted) or records past the store's limits (limitReached). */
  truncated?: boolean;
  /** The store's limits per trace cut records: those are in no page either. */
  limitReached?: boolean;
  /** Lines in the trace, carried in `logs` or not. */
  logCount?: number;
  /** Lines not carried: GET /api/traces/:id/logs pages them in. */
  logsOmitted?: number;
  /** With lines omitted: each span's first logsPerSpan lines are in `logs` (and every error line). */
  logsPerSpan?: number;
}

/** GET /api/traces/:id/logs: a page of the trace's (or one span's) lines in time order. */
export interface TraceLogsPage {
  traceId: string;
  spanId?: string;
  total: number;
  logs: ApiLog[];
  nextCursor?: string;
}

export interface MetricPoint {
  time: number;
  requests: number;
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface MetricTotals extends Omit<MetricPoint, 'time'> {
  service: string;
}

export interface ErrorMetrics {
  from: number;
  to: number;
  step: number;
  series: Array<{ service: string; points: MetricPoint[] }>;
  totals: MetricTotals[];
}

export interface Coverage {
  services: Array<{ service: string; lines: number; linesWithTrace: number; share: number }>;
  brokenHops: Array<{ from: string; to: string; count: number; example?: { clientTraceId: string; serverTraceId: string } }>;
  ambiguousAliases: Array<{ alias: string; traceIds: string[] }>;
}
