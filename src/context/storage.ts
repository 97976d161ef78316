// Where the active context lives: AsyncLocalStorage, deferring to an OpenTelemetry SDK's active span.
import { AsyncLocalStorage } from 'node:async_hooks';
import { isValidSpanId, isValidTraceId } from '../model/ids.js';
import { ActiveContext, type ContextInit } from './active-context.js';
import { activeOtelSpan, otelParentSpanId, runWithoutOtel, type OtelSpan } from './otel.js';

const storage = new AsyncLocalStorage<ActiveContext>();

// One mirror per OpenTelemetry span object, so stamping inside an SDK span allocates nothing per call.
const mirrors = new WeakMap<OtelSpan, ActiveContext>();

/**
 * The context log lines are stamped with right now, or undefined outside any trace. When an
 * OpenTelemetry SDK has an active valid span, that span decides the IDs, so that our stamps equal
 * OpenTelemetry's; what only we know (a legacy alias, the service's span writer) is carried over.
 */
export function getActiveContext(): ActiveContext | undefined {
  const store = storage.getStore();
  if (store !== undefined && !store.otel) return store;
  const span = activeOtelSpan();
  if (span === undefined) return store;
  const spanContext = span.spanContext();
  if (store !== undefined && store.spanId === spanContext.spanId && store.traceId === spanContext.traceId) return store;
  const cached = mirrors.get(span);
  if (cached !== undefined && (store === undefined || cached.writer === store.writer)) return cached;
  const sameTrace = store !== undefined && store.traceId === spanContext.traceId;
  const mirror = new ActiveContext({
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    traceFlags: spanContext.traceFlags,
    parentSpanId: otelParentSpanId(span),
    traceState: spanContext.traceState?.serialize() || undefined,
    alias: sameTrace ? store.alias : undefined,
    requestId: sameTrace ? store.requestId : undefined,
    service: store?.service,
    writer: store?.writer,
  });
  mirrors.set(span, mirror);
  return mirror;
}

/** The context our own storage holds, ignoring OpenTelemetry (for the adapters' bookkeeping). */
export function getStoredContext(): ActiveContext | undefined {
  return storage.getStore();
}

/** Runs fn with ctx active; everything fn starts (timers, promises, callbacks) sees it too. */
export function withContext<T>(ctx: ActiveContext | ContextInit, fn: () => T): T {
  const active = ctx instanceof ActiveContext ? ctx : toActiveContext(ctx);
  return storage.run(active, fn);
}

function toActiveContext(init: ContextInit): ActiveContext {
  if (!isValidTraceId(init.traceId)) throw new TypeError(`withContext: traceId must be 32 lowercase hex, not all zero (got ${JSON.stringify(init.traceId)})`);
  if (!isValidSpanId(init.spanId)) throw new TypeError(`withContext: spanId must be 16 lowercase hex, not all zero (got ${JSON.stringify(init.spanId)})`);
  return new ActiveContext(init);
}

/**
 * Runs fn outside any trace: nothing it starts is stamped or traced, by us or by an OpenTelemetry SDK.
 * The transports send their batches this way, so that shipping logs never produces more logs.
 */
export function runUntraced<T>(fn: () => T): T {
  return storage.exit(() => runWithoutOtel(fn));
}
