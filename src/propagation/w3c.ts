// W3C Trace Context: reads and writes the `traceparent` and `tracestate` headers (level 1, level-2 aware).
import { isValidSpanId, isValidTraceId, INVALID_SPAN_ID, INVALID_TRACE_ID } from '../model/ids.js';
import type { SpanId, TraceId } from '../model/ids.js';
import { formatTraceFlags, type OutboundContext, type RemoteContext } from '../model/trace-context.js';
import { definePropagator, type Getter, type Propagator, type Setter } from './types.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** The flag bits this version defines: 0x01 sampled, 0x02 random (level 2). Others are reserved and dropped. */
export const KNOWN_TRACE_FLAGS = 0x03;
/** The tracestate size the spec lets a vendor truncate to before passing it on. */
export const TRACESTATE_MAX_LENGTH = 512;
export const TRACESTATE_MAX_MEMBERS = 32;
/** Members longer than this are the first to go when a tracestate must shrink. */
const TRACESTATE_LONG_MEMBER = 128;

/** A version-00 traceparent is exactly this long; future versions are at least this long. */
const TRACEPARENT_LENGTH = 55;
// Applied only to a 55-character slice, so it cannot backtrack over a long input.
const TRACEPARENT_RE = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const SIMPLE_KEY_RE = /^[a-z][a-z0-9_\-*/]{0,255}$/;
const TENANT_KEY_RE = /^[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13}$/;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;

/** A parsed traceparent: the caller's trace, its span (our parent) and its flags. */
export interface Traceparent {
  version: number;
  traceId: TraceId;
  parentSpanId: SpanId;
  traceFlags: number;
}

/** Strips the optional whitespace (spaces and tabs only) HTTP allows around a field value. */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * The one traceparent value of a header, or undefined when it is absent or repeated. A repeated
 * header is ambiguous (which caller is the parent?), so the spec has us start a new trace instead.
 */
function singleTraceparent(value: string | readonly string[] | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const first: unknown = value[0];
  if (typeof first !== 'string') return undefined;
  for (let i = 1; i < value.length; i++) if (value[i] !== first) return undefined;
  return first;
}

/**
 * Parses a traceparent header value; undefined when it is absent, repeated or invalid. Version 00 must
 * be exactly 55 characters; a future version may carry more fields after a '-', which are ignored.
 */
export function parseTraceparent(header: string | readonly string[] | undefined): Traceparent | undefined {
  const raw = singleTraceparent(header);
  if (raw === undefined) return undefined;
  const value = trimOws(raw);
  if (value.length < TRACEPARENT_LENGTH || value.includes(',')) return undefined;
  const fields = value.length === TRACEPARENT_LENGTH ? value : value.slice(0, TRACEPARENT_LENGTH);
  if (!TRACEPARENT_RE.test(fields)) return undefined;
  const version = Number.parseInt(fields.slice(0, 2), 16);
  if (version === 0xff) return undefined;
  if (version === 0 && value.length !== TRACEPARENT_LENGTH) return undefined;
  if (value.length > TRACEPARENT_LENGTH && value.charCodeAt(TRACEPARENT_LENGTH) !== 0x2d) return undefined;
  const traceId = fields.slice(3, 35);
  const parentSpanId = fields.slice(36, 52);
  if (traceId === INVALID_TRACE_ID || parentSpanId === INVALID_SPAN_ID) return undefined;
  return { version, traceId, parentSpanId, traceFlags: Number.parseInt(fields.slice(53, 55), 16) & KNOWN_TRACE_FLAGS };
}

function isValidTracestateKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  return key.includes('@') ? TENANT_KEY_RE.test(key) : SIMPLE_KEY_RE.test(key);
}

/** value = 0*255(chr) nblk-chr; chr is printable ASCII or space, minus ',' and '='. */
function isValidTracestateValue(value: string): boolean {
  const length = value.length;
  if (length === 0 || length > MAX_VALUE_LENGTH || value.charCodeAt(length - 1) === 0x20) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x2c || code === 0x3d) return false;
  }
  return true;
}

/**
 * Splits a tracestate into its validated members, or undefined when any member breaks the grammar,
 * a key repeats, or there are more than 32 members: the spec discards the whole header then,
 * because a vendor cannot tell which half of a broken list is still its own.
 */
export function parseTracestateMembers(header: string | readonly string[] | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  // Several tracestate headers are one list, in order (RFC 9110 field combination).
  const value = typeof header === 'string' ? header : Array.isArray(header) ? header.join(',') : undefined;
  if (typeof value !== 'string') return undefined;
  const members: string[] = [];
  const keys = new Set<string>();
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(',', start);
    if (end === -1) end = value.length;
    const member = trimOws(value.slice(start, end));
    start = end + 1;
    if (member.length === 0) continue;
    if (members.length === TRACESTATE_MAX_MEMBERS) return undefined;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    if (!isValidTracestateKey(key) || !isValidTracestateValue(member.slice(eq + 1)) || keys.has(key)) return undefined;
    keys.add(key);
    members.push(member);
  }
  return members.length > 0 ? members : undefined;
}

/** A tracestate header value, validated and normalised (members joined by ','); undefined when absent or invalid. */
export function parseTracestate(header: string | readonly string[] | undefined): string | undefined {
  const members = parseTracestateMembers(header);
  return members === undefined ? undefined : members.join(',');
}

/**
 * Shrinks a member list to fit `limit` characters the way the spec recommends: members over 128
 * characters go first, rightmost first; then members from the right. Left-most members are the most
 * recent vendors', so they are the ones worth keeping.
 */
export function truncateTracestate(members: readonly string[], limit = TRACESTATE_MAX_LENGTH): string[] {
  const kept = [...members];
  let length = serialisedLength(kept);
  for (let i = kept.length - 1; i >= 0 && length > limit; i--) {
    const member = kept[i] as string;
    if (member.length > TRACESTATE_LONG_MEMBER) {
      kept.splice(i, 1);
      length = serialisedLength(kept);
    }
  }
  while (kept.length > 0 && length > limit) {
    kept.pop();
    length = serialisedLength(kept);
  }
  return kept;
}

function serialisedLength(members: readonly string[]): number {
  let length = Math.max(0, members.length - 1);
  for (const member of members) length += member.length;
  return length;
}

/** The traceparent value we send: always version 00, only the flag bits we understand. */
export function formatTraceparent(traceId: TraceId, spanId: SpanId, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${formatTraceFlags(traceFlags & KNOWN_TRACE_FLAGS)}`;
}

function extractW3c<C>(carrier: C, getter: Getter<C>): RemoteContext | undefined {
  const parent = parseTraceparent(getter.get(carrier, TRACEPARENT_HEADER));
  if (parent === undefined) return undefined;
  const context: RemoteContext = {
    traceId: parent.traceId,
    parentSpanId: parent.parentSpanId,
    traceFlags: parent.traceFlags,
    format: 'w3c',
  };
  const traceState = parseTracestate(getter.get(carrier, TRACESTATE_HEADER));
  if (traceState !== undefined) context.traceState = traceState;
  return context;
}

function injectW3c<C>(context: OutboundContext, carrier: C, setter: Setter<C>): void {
  if (!isValidTraceId(context.traceId) || !isValidSpanId(context.spanId)) return;
  setter.set(carrier, TRACEPARENT_HEADER, formatTraceparent(context.traceId, context.spanId, context.traceFlags));
  if (context.traceState === undefined) return;
  // Re-validated here: an outbound tracestate may have been set by code, not by extract.
  const members = parseTracestateMembers(context.traceState);
  if (members === undefined) return;
  const kept = truncateTracestate(members);
  if (kept.length > 0) setter.set(carrier, TRACESTATE_HEADER, kept.join(','));
}

export const w3c: Propagator = definePropagator(extractW3c, injectW3c, [TRACEPARENT_HEADER, TRACESTATE_HEADER]);
