// The bridge to a user's OpenTelemetry SDK: when it has an active span, that span is the active context.
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

type Api = typeof OtelApi;

// Optional: @opentelemetry/api is a peer dependency. Any copy works, because the API keeps its
// registrations on a global that every compatible copy reads.
function loadApi(): Api | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as Api;
  } catch {
    return undefined;
  }
}

const api = loadApi();
// Where API 1.x keeps the registered context manager. Reading it first lets the common case (no SDK)
// skip the API's own lookups; the API call below stays the authority when something is registered.
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');
const globals = globalThis as unknown as Record<symbol, { context?: unknown } | undefined>;

export type OtelSpan = OtelApi.Span;

/** True when an OpenTelemetry SDK has registered a context manager: only then can an SDK span be active. */
export function otelRegistered(): boolean {
  return api !== undefined && globals[GLOBAL_KEY]?.context !== undefined;
}

/** The OpenTelemetry span active right now, when an SDK registered a context manager and the span is valid. */
export function activeOtelSpan(): OtelSpan | undefined {
  if (api === undefined || globals[GLOBAL_KEY]?.context === undefined) return undefined;
  const span = api.trace.getActiveSpan();
  if (span === undefined || !api.trace.isSpanContextValid(span.spanContext())) return undefined;
  return span;
}

/** The parent span ID an SDK span records (SDK spans expose it; the API does not promise it). */
export function otelParentSpanId(span: OtelSpan): string | undefined {
  const s = span as unknown as { parentSpanContext?: { spanId?: string }; parentSpanId?: string };
  return s.parentSpanContext?.spanId ?? s.parentSpanId;
}

const KINDS = { internal: 0, server: 1, client: 2, producer: 3, consumer: 4 } as const;

/** Starts (without activating) a span with the SDK's tracer, as a child of the SDK's active span. */
export function startOtelSpan(name: string, kind: keyof typeof KINDS): OtelSpan {
  if (api === undefined) throw new Error('startOtelSpan: @opentelemetry/api is not installed');
  return api.trace.getTracer('logstitch').startSpan(name, { kind: KINDS[kind] });
}

/** Runs fn with span active in the SDK's context. */
export function runWithOtelSpan<T>(span: OtelSpan, fn: () => T): T {
  if (api === undefined) return fn();
  return api.context.with(api.trace.setSpan(api.context.active(), span), fn);
}

export function setOtelError(span: OtelSpan, message: string | undefined): void {
  if (api === undefined) return;
  span.setStatus(message === undefined ? { code: api.SpanStatusCode.ERROR } : { code: api.SpanStatusCode.ERROR, message });
}

/**
 * Runs fn with no SDK span active and the SDK told not to trace (the key @opentelemetry/core's
 * suppressTracing sets, which createContextKey makes equal by its description): our own traffic to
 * the indexer must not become spans of the application it observes.
 */
export function runWithoutOtel<T>(fn: () => T): T {
  if (api === undefined || globals[GLOBAL_KEY]?.context === undefined) return fn();
  const suppress = api.createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
  return api.context.with(api.ROOT_CONTEXT.setValue(suppress, true), fn);
}
