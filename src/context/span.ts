// Spans we time ourselves: begin, run code under, end, and report as a span-end line.
import { newSpanId, newTraceId } from '../model/ids.js';
import type { SpanKind, SpanStatus } from '../model/records.js';
import { SPAN_END_KEY, spanEndMessage, type SpanEndFields, type SpanEndHttp, type SpanEndLine, type SpanEndTimings } from '../model/span-end.js';
import { formatDuration, monotonicMicros, nowMicros } from '../model/time.js';
import type { RemoteContext } from '../model/trace-context.js';
import { ActiveContext, type SpanLineWriter } from './active-context.js';
import { activeOtelSpan, otelParentSpanId, runWithOtelSpan, setOtelError, startOtelSpan, type OtelSpan } from './otel.js';
import { decideTraceFlags } from './sampling.js';
import { getActiveContext, withContext } from './storage.js';

export interface BeginSpanOptions {
  kind?: SpanKind;
  /** The service that owns the span; defaults to the active context's. */
  service?: string;
  /** Where the span-end line goes; defaults to the active context's writer. No writer, no line. */
  writer?: SpanLineWriter;
  /** The caller's context, extracted from inbound headers (server spans). */
  remote?: RemoteContext;
  /** Ignore the active context: start a new trace, or (server spans) start from `remote` alone. */
  root?: boolean;
  /** Head sampling ratio for traces that start here or arrive without a decision. Default 1. */
  sampleRatio?: number;
}

export class LiveSpan {
  readonly context: ActiveContext;
  name: string;
  readonly kind: SpanKind;
  /** µs since the epoch. */
  readonly start: number;
  status: SpanStatus = 'unset';
  error: string | undefined;
  http: SpanEndHttp | undefined;
  timings: SpanEndTimings | undefined;
  private readonly startMono = monotonicMicros();
  private finished: SpanEndFields | undefined;
  /** An SDK span we started and must end, or one we adopted (ended by its owner). */
  readonly otelSpan: OtelSpan | undefined;
  private readonly ownsOtelSpan: boolean;

  constructor(context: ActiveContext, name: string, kind: SpanKind, otelSpan?: OtelSpan, ownsOtelSpan = false) {
    this.context = context;
    this.name = name;
    this.kind = kind;
    this.start = nowMicros();
    this.otelSpan = otelSpan;
    this.ownsOtelSpan = ownsOtelSpan;
  }

  /** µs since the span began. */
  elapsed(): number {
    return monotonicMicros() - this.startMono;
  }

  setError(error: unknown): void {
    this.status = 'error';
    this.error = errorMessage(error);
  }

  get ended(): boolean {
    return this.finished !== undefined;
  }

  /** Ends the span once (later calls return the first result) and writes its span-end line. */
  end(): SpanEndFields {
    if (this.finished !== undefined) return this.finished;
    const fields: SpanEndFields = {
      name: this.name,
      kind: this.kind,
      start_us: this.start,
      duration_us: Math.max(0, this.elapsed()),
      status: this.status,
    };
    if (this.context.parentSpanId !== undefined) fields.parent_span_id = this.context.parentSpanId;
    if (this.http !== undefined) fields.http = this.http;
    if (this.timings !== undefined) fields.timings = this.timings;
    if (this.error !== undefined) fields.error = this.error;
    this.finished = fields;
    if (this.otelSpan !== undefined && this.ownsOtelSpan) {
      if (this.status === 'error') setOtelError(this.otelSpan, this.error);
      this.otelSpan.end();
    }
    writeSpanEnd(this, fields);
    return fields;
  }
}

/**
 * Writes the span-end line through the context's writer, with the span active (in the SDK's context
 * too), so that a logger stamping from the active context stamps this span; never throws.
 */
function writeSpanEnd(span: LiveSpan, fields: SpanEndFields): void {
  const ctx = span.context;
  const writer = ctx.writer;
  if (writer === undefined) return;
  const line: SpanEndLine = { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: ctx.flags, [SPAN_END_KEY]: fields };
  if (ctx.service !== undefined) line.service = ctx.service;
  if (ctx.alias !== undefined) line.trace_alias = ctx.alias;
  const code = fields.http?.status_code;
  const level = fields.status === 'error' ? 'error' : code !== undefined && code >= 400 ? 'warn' : 'info';
  try {
    runInSpan(span, () => writer.writeSpanEnd(line, level, spanEndMessage(fields, formatDuration)));
  } catch {
    // A broken logger must not break the request it reports on.
  }
}

/**
 * Begins a span without making it active. Server spans start from the remote context when there is
 * one; other spans become children of the active context, or roots when there is none. When an
 * OpenTelemetry SDK has an active span, a server span adopts it and other spans are started with the
 * SDK's tracer, so that both see one tree.
 */
export function beginSpan(name: string, options: BeginSpanOptions = {}): LiveSpan {
  const kind = options.kind ?? 'internal';
  const parent = options.root === true ? undefined : getActiveContext();
  const service = options.service ?? parent?.service;
  const writer = options.writer ?? parent?.writer;
  // A root ignores our stored parent, but a server span still adopts the SDK's span for its request.
  const otelActive = options.root !== true || kind === 'server' ? activeOtelSpan() : undefined;
  if (otelActive !== undefined) return beginUnderOtel(name, kind, otelActive, options, service, writer, parent);
  const remote = options.remote;
  const ratio = options.sampleRatio ?? 1;
  let ctx: ActiveContext;
  if (remote !== undefined) {
    ctx = new ActiveContext({
      traceId: remote.traceId,
      spanId: newSpanId(),
      traceFlags: decideTraceFlags(remote.traceId, remote.traceFlags, ratio),
      parentSpanId: remote.parentSpanId,
      traceState: remote.traceState,
      alias: remote.alias,
      requestId: remote.requestId,
      service,
      writer,
    });
  } else if (parent !== undefined) {
    ctx = parent.child(newSpanId(), { service, writer });
  } else {
    const traceId = newTraceId();
    ctx = new ActiveContext({ traceId, spanId: newSpanId(), traceFlags: decideTraceFlags(traceId, undefined, ratio), service, writer });
  }
  return new LiveSpan(ctx, name, kind);
}

function beginUnderOtel(
  name: string,
  kind: SpanKind,
  active: OtelSpan,
  options: BeginSpanOptions,
  service: string | undefined,
  writer: SpanLineWriter | undefined,
  parent: ActiveContext | undefined,
): LiveSpan {
  // A server span under an SDK span is the SDK's own server span (its http instrumentation made it
  // from the same headers): adopt it rather than nest a second one, keeping what only we extracted.
  const adopt = kind === 'server';
  const otelSpan = adopt ? active : startOtelSpan(name, kind);
  const sc = otelSpan.spanContext();
  const remote = options.remote;
  const ctx = new ActiveContext({
    traceId: sc.traceId,
    spanId: sc.spanId,
    traceFlags: sc.traceFlags,
    parentSpanId: adopt ? otelParentSpanId(otelSpan) : parent?.spanId ?? active.spanContext().spanId,
    traceState: sc.traceState?.serialize() || undefined,
    alias: remote?.alias ?? (remote !== undefined && remote.traceId !== sc.traceId ? remote.requestId?.value : undefined) ?? parent?.alias,
    requestId: remote?.requestId ?? parent?.requestId,
    service,
    writer,
  });
  return new LiveSpan(ctx, name, kind, otelSpan, !adopt);
}

/** Runs fn with the span active (in our storage and, when it has one, in the SDK's context). */
export function runInSpan<T>(span: LiveSpan, fn: () => T): T {
  const otelSpan = span.otelSpan;
  if (otelSpan === undefined) return withContext(span.context, fn);
  return withContext(span.context, () => runWithOtelSpan(otelSpan, fn));
}

export interface StartSpanOptions extends Omit<BeginSpanOptions, 'remote'> {}

/**
 * Runs fn inside a new span and ends the span when fn returns, or when the promise it returns settles.
 * A throw or rejection marks the span as an error and is passed on unchanged.
 */
export function startSpan<T>(name: string, fn: (span: LiveSpan) => T): T;
export function startSpan<T>(name: string, options: StartSpanOptions, fn: (span: LiveSpan) => T): T;
export function startSpan<T>(name: string, a: StartSpanOptions | ((span: LiveSpan) => T), b?: (span: LiveSpan) => T): T {
  const options = typeof a === 'function' ? {} : a;
  const fn = typeof a === 'function' ? a : b;
  if (fn === undefined) throw new TypeError('startSpan(name, [options], fn): fn is required');
  const span = beginSpan(name, options);
  let result: T;
  try {
    result = runInSpan(span, () => fn(span));
  } catch (error) {
    span.setError(error);
    span.end();
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.setError(error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 1000);
  if (typeof error === 'string') return error.slice(0, 1000);
  return 'error';
}
