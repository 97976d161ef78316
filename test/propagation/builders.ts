// Fixture builders for propagation tests: headers are composed from parts so each case shows what differs.
import type { OutboundContext } from '../../src/model/trace-context.js';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const SPAN_ID = '00f067aa0ba902b7';
export const OTHER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const OTHER_SPAN_ID = 'b7ad6b7169203331';

export interface TraceparentParts {
  version?: string;
  traceId?: string;
  spanId?: string;
  flags?: string;
  /** Appended verbatim after the flags (future-version fields, junk). */
  suffix?: string;
  separator?: string;
}

/** `00-<trace>-<span>-<flags>` from parts, defaulting to a valid sampled header. */
export function traceparent(parts: TraceparentParts = {}): string {
  const sep = parts.separator ?? '-';
  const { version = '00', traceId = TRACE_ID, spanId = SPAN_ID, flags = '01', suffix = '' } = parts;
  return [version, traceId, spanId, flags].join(sep) + suffix;
}

/** `count` tracestate members `k<i>=v<i>…` with unique keys, each value padded to `valueLength`. */
export function tracestateMembers(count: number, valueLength = 2): string[] {
  const members: string[] = [];
  for (let i = 0; i < count; i++) {
    const value = `v${i}`.padEnd(valueLength, 'x');
    members.push(`k${i}=${value}`);
  }
  return members;
}

/** A member whose serialised form (`key=value`) is exactly `length` characters. */
export function memberOfLength(key: string, length: number): string {
  return `${key}=${'x'.repeat(length - key.length - 1)}`;
}

/** A plain header object, as node's IncomingHttpHeaders looks (lowercase keys). */
export function nodeHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const lower: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) lower[key.toLowerCase()] = value;
  return lower;
}

/** An outbound context with the sampled flag, overridable field by field. */
export function outbound(overrides: Partial<OutboundContext> = {}): OutboundContext {
  return { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, ...overrides };
}
