// The active trace context: the span a piece of code runs under, with what its log lines are stamped with.
import type { SpanId, TraceId } from '../model/ids.js';
import type { SpanKind } from '../model/records.js';
import type { SpanEndFields, SpanEndLine } from '../model/span-end.js';
import { formatTraceFlags, type OutboundContext, type RequestIdHeader } from '../model/trace-context.js';

/** Where span-end lines go: the logger of the service that owns the span. */
export interface SpanLineWriter {
  writeSpanEnd(line: SpanEndLine, level: 'info' | 'warn' | 'error', message: string): void;
}

export interface ContextInit {
  traceId: TraceId;
  spanId: SpanId;
  traceFlags: number;
  parentSpanId?: SpanId | undefined;
  traceState?: string | undefined;
  alias?: string | undefined;
  requestId?: RequestIdHeader | undefined;
  service?: string | undefined;
  writer?: SpanLineWriter | undefined;
}

/**
 * Immutable once built. The stamped strings are computed here, once per context, so that stamping a
 * log line costs property reads and nothing else.
 */
export class ActiveContext implements OutboundContext {
  readonly traceId: TraceId;
  readonly spanId: SpanId;
  readonly traceFlags: number;
  /** `trace_flags` as stamped: two lowercase hex digits. */
  readonly flags: string;
  readonly parentSpanId: SpanId | undefined;
  readonly traceState: string | undefined;
  /** A legacy ID joined to this trace; stamped as `trace_alias`. */
  readonly alias: string | undefined;
  readonly requestId: RequestIdHeader | undefined;
  /** The service that owns the span (set by the HTTP adapter). */
  readonly service: string | undefined;
  /** The logger that writes span-end lines for spans started under this context. */
  readonly writer: SpanLineWriter | undefined;

  constructor(init: ContextInit) {
    this.traceId = init.traceId;
    this.spanId = init.spanId;
    this.traceFlags = init.traceFlags;
    this.flags = formatTraceFlags(init.traceFlags);
    this.parentSpanId = init.parentSpanId;
    this.traceState = init.traceState;
    this.alias = init.alias;
    this.requestId = init.requestId;
    this.service = init.service;
    this.writer = init.writer;
  }

  /** A child context: same trace, a new span under this one. */
  child(spanId: SpanId, overrides: Partial<Pick<ContextInit, 'service' | 'writer'>> = {}): ActiveContext {
    return new ActiveContext({
      traceId: this.traceId,
      spanId,
      traceFlags: this.traceFlags,
      parentSpanId: this.spanId,
      traceState: this.traceState,
      alias: this.alias,
      requestId: this.requestId,
      service: overrides.service ?? this.service,
      writer: overrides.writer ?? this.writer,
    });
  }
}

/** What a finished span reports, before it becomes a span-end line. */
export interface FinishedSpan {
  context: ActiveContext;
  fields: SpanEndFields;
  kind: SpanKind;
}
