// Jaeger propagation: the `uber-trace-id` header, `{trace-id}:{span-id}:{parent-span-id}:{flags}`.
import { INVALID_SPAN_ID, INVALID_TRACE_ID, isValidSpanId, isValidTraceId, padSpanId, padTraceId } from '../model/ids.js';
import { isSampled, TRACE_FLAG_SAMPLED, type OutboundContext, type RemoteContext } from '../model/trace-context.js';
import { firstValue, type Getter, type Propagator, type Setter } from './types.js';
import { definePropagator } from './types.js';

export const JAEGER_HEADER = 'uber-trace-id';

const JAEGER_FLAG_SAMPLED = 0x01;
const JAEGER_FLAG_DEBUG = 0x02;

/**
 * 32 + 16 + 16 hex, a two-digit flags byte and three separators, each separator possibly URL-encoded
 * as `%3A`: anything longer is not a Jaeger header, and is refused before any decoding or regex.
 */
const MAX_HEADER_LENGTH = 32 + 16 + 16 + 2 + 3 * 3;
const HEX_RE = /^[0-9a-fA-F]+$/;

/** A hex ID of 1..max digits, lowercased and left-padded; undefined when not hex or too long. */
function hexId(value: string, max: number): string | undefined {
  if (value.length === 0 || value.length > max || !HEX_RE.test(value)) return undefined;
  return value.toLowerCase();
}

/**
 * Parses an `uber-trace-id` value. Clients that URL-encode header values send the colons as `%3A`.
 * The parent span ID is deprecated in Jaeger (`0` when absent) and not used, but must be well-formed.
 */
export function parseUberTraceId(header: string | undefined): RemoteContext | undefined {
  if (header === undefined) return undefined;
  let value = header.trim();
  if (value.length > MAX_HEADER_LENGTH) return undefined;
  if (value.includes('%')) value = value.replace(/%3a/gi, ':');
  const parts = value.split(':');
  if (parts.length !== 4) return undefined;
  const [traceHex, spanHex, parentHex, flagsText] = parts as [string, string, string, string];
  const trace = hexId(traceHex, 32);
  const span = hexId(spanHex, 16);
  if (trace === undefined || span === undefined || hexId(parentHex, 16) === undefined) return undefined;
  const traceId = padTraceId(trace);
  const spanId = padSpanId(span);
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  // One byte, written as one or two hex digits; decimal 0-9 reads the same, which is what clients send.
  if (flagsText.length === 0 || flagsText.length > 2 || !HEX_RE.test(flagsText)) return undefined;
  const flags = Number.parseInt(flagsText, 16);
  const sampled = (flags & (JAEGER_FLAG_SAMPLED | JAEGER_FLAG_DEBUG)) !== 0;
  return { traceId, parentSpanId: spanId, traceFlags: sampled ? TRACE_FLAG_SAMPLED : 0, format: 'jaeger' };
}

function extractJaeger<C>(carrier: C, getter: Getter<C>): RemoteContext | undefined {
  const value = firstValue(getter.get(carrier, JAEGER_HEADER));
  return typeof value === 'string' ? parseUberTraceId(value) : undefined;
}

function injectJaeger<C>(context: OutboundContext, carrier: C, setter: Setter<C>): void {
  if (!isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) return;
  // The parent field is deprecated; `0` is what Jaeger's own clients write.
  const flags = isSampled(context.traceFlags) ? '1' : '0';
  setter.set(carrier, JAEGER_HEADER, `${context.traceId}:${context.spanId}:0:${flags}`);
}

/** The Jaeger `uber-trace-id` format (baggage headers are not carried). */
export const jaeger: Propagator = definePropagator(extractJaeger, injectJaeger, [JAEGER_HEADER]);
