// The active trace context: read it, run code under one, and time spans.
export { ActiveContext, type ContextInit, type SpanLineWriter } from './active-context.js';
export { getActiveContext, getStoredContext, runUntraced, withContext } from './storage.js';
export { LiveSpan, beginSpan, runInSpan, startSpan, type BeginSpanOptions, type StartSpanOptions } from './span.js';
export { decideTraceFlags, sampledByRatio, checkRatio } from './sampling.js';
