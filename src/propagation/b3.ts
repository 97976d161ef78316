// B3 (Zipkin) propagation: the single `b3` header and the multi-header `X-B3-*` form.
import { INVALID_SPAN_ID, INVALID_TRACE_ID, isValidSpanId, isValidTraceId, padTraceId } from '../model/ids.js';
import { isSampled, TRACE_FLAG_SAMPLED, type OutboundContext, type RemoteContext } from '../model/trace-context.js';
import { firstValue, type Getter, type Propagator, type Setter } from './types.js';
import { definePropagator } from './types.js';

export const B3_SINGLE_HEADER = 'b3';
export const B3_TRACE_ID_HEADER = 'x-b3-traceid';
export const B3_SPAN_ID_HEADER = 'x-b3-spanid';
export const B3_PARENT_SPAN_ID_HEADER = 'x-b3-parentspanid';
export const B3_SAMPLED_HEADER = 'x-b3-sampled';
export const B3_FLAGS_HEADER = 'x-b3-flags';

// B3 IDs are lowercase hex; a trace ID is 64 or 128 bits. Tested only on inputs already length-checked.
const TRACE_ID_RE = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
const SPAN_ID_RE = /^[0-9a-f]{16}$/;
/** trace(32) + span(16) + sampling(1) + parent(16) + three dashes: nothing longer can be valid. */
const MAX_SINGLE_LENGTH = 68;

/** The 128-bit trace ID of a B3 trace ID, or undefined when it is not 16/32 lowercase hex or is all zero. */
function b3TraceId(value: string | undefined): string | undefined {
  if (value === undefined || (value.length !== 16 && value.length !== 32) || !TRACE_ID_RE.test(value)) return undefined;
  const traceId = padTraceId(value);
  return traceId === INVALID_TRACE_ID ? undefined : traceId;
}

function b3SpanId(value: string | undefined): string | undefined {
  if (value === undefined || value.length !== 16 || !SPAN_ID_RE.test(value) || value === INVALID_SPAN_ID) return undefined;
  return value;
}

/** Trace flags of a sampling state: '1' and 'd' (debug implies sampled) sample, '0' does not. */
function flagsOfSamplingState(state: string): number | undefined {
  if (state === '1' || state === 'd') return TRACE_FLAG_SAMPLED;
  if (state === '0') return 0;
  return undefined;
}

/** Parses `{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]`; the bare `0|1|d` form carries no context. */
export function parseB3Single(header: string | undefined): RemoteContext | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value.length > MAX_SINGLE_LENGTH) return undefined;
  const parts = value.split('-');
  if (parts.length < 2 || parts.length > 4) return undefined;
  const traceId = b3TraceId(parts[0]);
  const spanId = b3SpanId(parts[1]);
  if (traceId === undefined || spanId === undefined) return undefined;
  let traceFlags: number | undefined;
  if (parts.length >= 3) {
    traceFlags = flagsOfSamplingState(parts[2] as string);
    if (traceFlags === undefined) return undefined;
  }
  // The caller's parent is not ours to use, but a malformed one means a malformed header.
  if (parts.length === 4 && b3SpanId(parts[3]) === undefined) return undefined;
  const context: RemoteContext = { traceId, parentSpanId: spanId, format: 'b3' };
  if (traceFlags !== undefined) context.traceFlags = traceFlags;
  return context;
}

/** Trace flags from X-B3-Flags / X-B3-Sampled; debug (`X-B3-Flags: 1`) wins and implies sampled. */
function multiHeaderFlags(sampled: string | undefined, debug: string | undefined): number | undefined {
  if (debug === '1') return TRACE_FLAG_SAMPLED;
  if (sampled === undefined) return undefined;
  const state = sampled.toLowerCase();
  if (state === '1' || state === 'true') return TRACE_FLAG_SAMPLED;
  if (state === '0' || state === 'false') return 0;
  // An unreadable decision is no decision: the caller's own sampler decides.
  return undefined;
}

function readHeader<C>(carrier: C, getter: Getter<C>, key: string): string | undefined {
  const value = firstValue(getter.get(carrier, key));
  return typeof value === 'string' ? value.trim() : undefined;
}

function extractSingle<C>(carrier: C, getter: Getter<C>): RemoteContext | undefined {
  return parseB3Single(readHeader(carrier, getter, B3_SINGLE_HEADER));
}

function extractMulti<C>(carrier: C, getter: Getter<C>): RemoteContext | undefined {
  const traceId = b3TraceId(readHeader(carrier, getter, B3_TRACE_ID_HEADER));
  const spanId = b3SpanId(readHeader(carrier, getter, B3_SPAN_ID_HEADER));
  if (traceId === undefined || spanId === undefined) return undefined;
  const parent = readHeader(carrier, getter, B3_PARENT_SPAN_ID_HEADER);
  if (parent !== undefined && parent !== '' && b3SpanId(parent) === undefined) return undefined;
  const context: RemoteContext = { traceId, parentSpanId: spanId, format: 'b3multi' };
  const traceFlags = multiHeaderFlags(readHeader(carrier, getter, B3_SAMPLED_HEADER), readHeader(carrier, getter, B3_FLAGS_HEADER));
  if (traceFlags !== undefined) context.traceFlags = traceFlags;
  return context;
}

function canInject(context: OutboundContext): boolean {
  return isValidTraceId(context.traceId) && isValidSpanId(context.spanId);
}

function injectSingle<C>(context: OutboundContext, carrier: C, setter: Setter<C>): void {
  if (!canInject(context)) return;
  const sampled = isSampled(context.traceFlags) ? '1' : '0';
  const parent = isValidSpanId(context.parentSpanId) ? `-${context.parentSpanId}` : '';
  setter.set(carrier, B3_SINGLE_HEADER, `${context.traceId}-${context.spanId}-${sampled}${parent}`);
}

function injectMulti<C>(context: OutboundContext, carrier: C, setter: Setter<C>): void {
  if (!canInject(context)) return;
  setter.set(carrier, B3_TRACE_ID_HEADER, context.traceId);
  setter.set(carrier, B3_SPAN_ID_HEADER, context.spanId);
  if (isValidSpanId(context.parentSpanId)) setter.set(carrier, B3_PARENT_SPAN_ID_HEADER, context.parentSpanId);
  setter.set(carrier, B3_SAMPLED_HEADER, isSampled(context.traceFlags) ? '1' : '0');
}

const SINGLE_FIELDS = [B3_SINGLE_HEADER];
const MULTI_FIELDS = [B3_TRACE_ID_HEADER, B3_SPAN_ID_HEADER, B3_PARENT_SPAN_ID_HEADER, B3_SAMPLED_HEADER, B3_FLAGS_HEADER];

/** The single `b3` header only. */
export const b3Single: Propagator = definePropagator(extractSingle, injectSingle, SINGLE_FIELDS);

/** The `X-B3-*` headers only. */
export const b3Multi: Propagator = definePropagator(extractMulti, injectMulti, MULTI_FIELDS);

/** Reads either form (single first, as Zipkin's own propagators do) and writes the single header. */
export const b3: Propagator = definePropagator(
  (carrier, getter) => extractSingle(carrier, getter) ?? extractMulti(carrier, getter),
  injectSingle,
  [...SINGLE_FIELDS, ...MULTI_FIELDS],
);
