// The trace context as it travels: what propagation formats read from and write to headers.
import type { SpanId, TraceId } from './ids.js';

export const TRACE_FLAG_SAMPLED = 0x01;

/** A legacy request ID header as it arrived, forwarded unchanged to the next hop. */
export interface RequestIdHeader {
  /** Lowercase header name, e.g. `x-trace-id`. */
  header: string;
  /** The value exactly as received (trimmed). */
  value: string;
}

/** The formats a context can arrive in. */
export type PropagationFormat = 'w3c' | 'b3' | 'b3multi' | 'jaeger' | 'request-id';

/** What extraction found in an inbound carrier: the caller's side of the hop. */
export interface RemoteContext {
  traceId: TraceId;
  /** The caller's span, which becomes the parent of the span we start. Absent for legacy request IDs. */
  parentSpanId?: SpanId;
  /** Trace flags the caller decided; undefined when the format carried no sampling decision. */
  traceFlags?: number;
  /** A validated W3C tracestate to forward (already normalised and within limits). */
  traceState?: string;
  /** The original legacy ID when it maps onto this trace through a hash or another format's ID. */
  alias?: string;
  /** The legacy request ID header to forward downstream. */
  requestId?: RequestIdHeader;
  /** Which format the trace ID came from. */
  format: PropagationFormat;
}

/** What injection writes into an outbound carrier: our side of the hop. */
export interface OutboundContext {
  traceId: TraceId;
  /** The span making the call; the callee records it as its parent. */
  spanId: SpanId;
  traceFlags: number;
  traceState?: string;
  requestId?: RequestIdHeader;
  parentSpanId?: SpanId;
}

export function isSampled(flags: number | undefined): boolean {
  return flags !== undefined && (flags & TRACE_FLAG_SAMPLED) === TRACE_FLAG_SAMPLED;
}

/** Two lowercase hex digits, as `trace_flags` is stamped and traceparent carries it. */
export function formatTraceFlags(flags: number): string {
  return (flags & 0xff).toString(16).padStart(2, '0');
}
