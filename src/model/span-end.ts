// The span-end line: one log line written when a span ends, so spans ride the log stream.
//
// Shape (a JSON log line; the logger adds its own level, time and msg):
//   { "trace_id": "<32 hex>", "span_id": "<16 hex>", "trace_flags": "01", "service": "checkout",
//     "span_end": { "name": "GET /checkout", "kind": "server", "start_us": 1732406400000000,
//                   "duration_us": 12345, "status": "ok", "parent_span_id": "<16 hex>",
//                   "http": { "method": "GET", "route": "/checkout", "status_code": 200 } } }
import { isValidSpanId, isValidTraceId } from './ids.js';
import { SPAN_KINDS, SPAN_STATUSES, type Span, type SpanKind, type SpanStatus } from './records.js';

export const SPAN_END_KEY = 'span_end';

export interface SpanEndHttp {
  method?: string;
  /** The route template (`/orders/:id`) when the framework knows it. */
  route?: string;
  /** The request path without its query string. */
  target?: string;
  status_code?: number;
  /** Client spans: the URL called, without query string or credentials. */
  url?: string;
}

/** Offsets from the span's start, in µs, of the moments a client span passes through. */
export interface SpanEndTimings {
  /** The request (headers and body) was handed to the socket. */
  sent_us?: number;
  /** The response headers arrived. */
  headers_us?: number;
  /** The response body was fully received. */
  body_us?: number;
}

export interface SpanEndFields {
  name: string;
  kind: SpanKind;
  start_us: number;
  duration_us: number;
  status: SpanStatus;
  parent_span_id?: string;
  http?: SpanEndHttp;
  timings?: SpanEndTimings;
  /** Why the span failed, when it did (an error message, never a stack). */
  error?: string;
}

/** The fields every stamped line carries (the names OpenTelemetry's pino and winston instrumentations use). */
export interface StampedFields {
  trace_id: string;
  span_id: string;
  trace_flags: string;
  service?: string;
  trace_alias?: string;
}

export interface SpanEndLine extends StampedFields {
  [SPAN_END_KEY]: SpanEndFields;
}

export function isSpanEndLine(value: unknown): value is { [SPAN_END_KEY]: unknown } {
  return typeof value === 'object' && value !== null && SPAN_END_KEY in value;
}

/** A short human message for the span-end line: `GET /checkout 200 in 12.3 ms`. */
export function spanEndMessage(fields: SpanEndFields, formatDuration: (us: number) => string): string {
  const code = fields.http?.status_code;
  const outcome = code !== undefined ? ` ${code}` : fields.status === 'error' ? ' failed' : '';
  return `${fields.kind} span ${fields.name}${outcome} in ${formatDuration(fields.duration_us)}`;
}

/**
 * Reads a span-end line back into a Span, or says what is wrong with it. The indexer and the agent
 * use this; the adapters write the shape above.
 */
export function spanFromSpanEndLine(line: Record<string, unknown>): Span | { error: string } {
  const fields = line[SPAN_END_KEY];
  if (typeof fields !== 'object' || fields === null) return { error: `${SPAN_END_KEY} is not an object` };
  const f = fields as Record<string, unknown>;
  const traceId = line.trace_id;
  const spanId = line.span_id;
  if (!isValidTraceId(traceId)) return { error: 'trace_id is not 32 lowercase hex' };
  if (!isValidSpanId(spanId)) return { error: 'span_id is not 16 lowercase hex' };
  if (typeof f.name !== 'string' || f.name.length === 0) return { error: `${SPAN_END_KEY}.name is missing` };
  if (!SPAN_KINDS.includes(f.kind as SpanKind)) return { error: `${SPAN_END_KEY}.kind must be one of ${SPAN_KINDS.join(', ')}` };
  if (!Number.isSafeInteger(f.start_us) || (f.start_us as number) < 0) return { error: `${SPAN_END_KEY}.start_us must be µs since the epoch` };
  if (!Number.isSafeInteger(f.duration_us) || (f.duration_us as number) < 0) return { error: `${SPAN_END_KEY}.duration_us must be a non-negative integer` };
  const status = (f.status ?? 'unset') as SpanStatus;
  if (!SPAN_STATUSES.includes(status)) return { error: `${SPAN_END_KEY}.status must be one of ${SPAN_STATUSES.join(', ')}` };
  const parent = f.parent_span_id;
  if (parent !== undefined && !isValidSpanId(parent)) return { error: `${SPAN_END_KEY}.parent_span_id is not 16 lowercase hex` };
  const span: Span = {
    traceId,
    spanId,
    name: f.name,
    kind: f.kind as SpanKind,
    start: f.start_us as number,
    duration: f.duration_us as number,
    status,
    origin: 'span-end-line',
  };
  if (parent !== undefined) span.parentSpanId = parent;
  if (typeof line.service === 'string') span.service = line.service;
  const attributes: Record<string, string | number> = {};
  const http = f.http;
  if (typeof http === 'object' && http !== null) {
    for (const [key, value] of Object.entries(http)) {
      if (typeof value === 'string' || typeof value === 'number') attributes[`http.${key}`] = value;
    }
  }
  const timings = f.timings;
  if (typeof timings === 'object' && timings !== null) {
    for (const [key, value] of Object.entries(timings)) {
      if (typeof value === 'number') attributes[`timings.${key}`] = value;
    }
  }
  if (typeof f.error === 'string') attributes.error = f.error;
  if (Object.keys(attributes).length > 0) span.attributes = attributes;
  return span;
}
