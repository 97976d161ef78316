// Trace and span identifiers: validation, generation, and the mapping of legacy request IDs onto trace IDs.
import { createHash, randomFillSync } from 'node:crypto';

/** 32 lowercase hex characters, not all zero (W3C trace-id). */
export type TraceId = string;
/** 16 lowercase hex characters, not all zero (W3C parent-id / span ID). */
export type SpanId = string;

export const INVALID_TRACE_ID = '00000000000000000000000000000000';
export const INVALID_SPAN_ID = '0000000000000000';

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
const SPAN_ID_RE = /^[0-9a-f]{16}$/;
const HEX_RE = /^[0-9a-f]+$/;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX32_ANY_CASE_RE = /^[0-9a-fA-F]{32}$/;
/** Printable ASCII without spaces: what a sane legacy request ID header carries. */
const LEGACY_ID_RE = /^[\x21-\x7e]+$/;

/** The longest legacy request ID we accept; longer values are treated as absent. */
export const MAX_LEGACY_ID_LENGTH = 256;

export function isValidTraceId(value: unknown): value is TraceId {
  return typeof value === 'string' && TRACE_ID_RE.test(value) && value !== INVALID_TRACE_ID;
}

export function isValidSpanId(value: unknown): value is SpanId {
  return typeof value === 'string' && SPAN_ID_RE.test(value) && value !== INVALID_SPAN_ID;
}

export function isLowerHex(value: string): boolean {
  return HEX_RE.test(value);
}

// Random IDs come from a pooled buffer: one getrandom call serves 256 trace IDs.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

export function newTraceId(): TraceId {
  let id = randomHex(16);
  while (id === INVALID_TRACE_ID) id = randomHex(16);
  return id;
}

export function newSpanId(): SpanId {
  let id = randomHex(8);
  while (id === INVALID_SPAN_ID) id = randomHex(8);
  return id;
}

/** Left-pads a 64-bit (or shorter) hex ID to the 128-bit form, as B3 and Jaeger interop expects. */
export function padTraceId(hex: string): string {
  return hex.length >= 32 ? hex : hex.padStart(32, '0');
}

export function padSpanId(hex: string): string {
  return hex.length >= 16 ? hex : hex.padStart(16, '0');
}

/** How a legacy request ID became a trace ID. */
export interface LegacyTraceId {
  traceId: TraceId;
  /**
   * The original value when the trace ID cannot be read back from it (it was hashed), or when the
   * caller maps it onto another trace. Undefined when the ID is a UUID or 32-hex value, which map 1:1.
   */
  alias: string | undefined;
}

/**
 * Maps a legacy ID (X-Request-ID, X-Trace-ID, a Jira-style ticket number) onto a trace ID.
 * A UUID loses its dashes; a 32-hex value is lowercased; anything else is hashed (SHA-256, first
 * 128 bits) and kept as an alias. Returns undefined for values no legacy header would carry
 * (empty, over 256 characters, control characters or spaces inside).
 */
export function traceIdFromLegacy(raw: string): LegacyTraceId | undefined {
  const value = raw.trim();
  if (value.length === 0 || value.length > MAX_LEGACY_ID_LENGTH || !LEGACY_ID_RE.test(value)) return undefined;
  if (UUID_RE.test(value) || HEX32_ANY_CASE_RE.test(value)) {
    const id = value.replace(/-/g, '').toLowerCase();
    if (id !== INVALID_TRACE_ID) return { traceId: id, alias: undefined };
  }
  return { traceId: hashLegacyId(value), alias: value };
}

/** The deterministic trace ID of an opaque legacy ID; every component computes the same one. */
export function hashLegacyId(value: string): TraceId {
  const id = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32);
  return id === INVALID_TRACE_ID ? '00000000000000000000000000000001' : id;
}
