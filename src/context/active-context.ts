// The active trace context: the span a piece of code runs under, with what its log lines are stamped with.
import type { SpanId, TraceId } from '../model/ids.js';
import type { SpanKind } from '../model/records.js';
import type { SpanEndFields, SpanEndLine } from '../model/span-end.js';
import { formatTraceFlags, type OutboundContext, type RequestIdHeader } from '../model/trace-context.js';
import { otelRegistered } from './otel.js';

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
  /**
   * Whether an OpenTelemetry SDK was registered when this context began. Without one, no SDK span can
   * become active inside it, so reading the context skips the SDK lookup (the hot path of stamping).
   */
  readonly otel: boolean;
  private json: string | undefined;
  private lastService: string | undefined;
  private lastStamp: string | undefined;

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
    this.otel = otelRegistered();
  }

  /**
   * The stamped fields as a JSON fragment, `,"trace_id":"…","span_id":"…","trace_flags":"01"` (and
   * `trace_alias`), built once per context so that a logger can splice it into each line it writes.
   */
  get stampJson(): string {
    if (this.json === undefined) {
      const alias = this.alias === undefined ? '' : `,"trace_alias":${JSON.stringify(this.alias)}`;
      this.json = `,"trace_id":"${this.traceId}","span_id":"${this.spanId}","trace_flags":"${this.flags}"${alias}`;
    }
    return this.json;
  }

  /** stampJson followed by a `,"service":…` fragment; the last pair is kept, as loggers repeat theirs. */
  stampWith(serviceJson: string): string {
    if (this.lastService !== serviceJson || this.lastStamp === undefined) {
      this.lastService = serviceJson;
      this.lastStamp = this.stampJson + serviceJson;
    }
    return this.lastStamp;
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
