// The data the correlation engine reads and writes: trace input, derived spans, clock keys.
import type { LineList } from '../model/line-list.js';
import type { LogRecord, Span } from '../model/records.js';

/**
 * One trace as the store returns it (the same shape as `TraceResult` in src/store/types.ts, which
 * correlate may not import): logs in time order, spans in start order, each span ID once. The logs may
 * be a store's columns (see LineList): read them through the line table, and take a record (`at`) only
 * for a line that is sent or whose attributes are needed.
 */
export interface TraceInput<L extends LogRecord = LogRecord> {
  traceId: string;
  aliases?: readonly string[];
  logs: LineList<L>;
  spans: readonly Span[];
}

/** Origins of spans that were read from log lines rather than exported by an SDK. */
export type DerivedOrigin = 'span-end-line' | 'access-log' | 'log-extent';

/** How a derived span got its parent: a logged span ID, or a guess from timing. */
export type ParentSource = 'logged' | 'open-client' | 'nearest-client' | 'root' | 'none';

/** A span this engine derived from log lines (access-log lines, or a service's first-to-last line). */
export interface DerivedSpan extends Span {
  origin: 'access-log' | 'log-extent';
  derived: true;
  parentBy: ParentSource;
}

/** Whose clock a timestamp was read from: the service's, or the host's when hosts are known. */
export type ClockBy = 'service' | 'host';

/** The service name used where a record names none. */
export const UNKNOWN_SERVICE = 'unknown';

export function isDerivedOrigin(origin: Span['origin']): boolean {
  return origin === 'span-end-line' || origin === 'access-log' || origin === 'log-extent';
}

function hostAttribute(span: Span): string | undefined {
  const a = span.attributes;
  if (a === undefined) return undefined;
  const host = a['host.name'] ?? a.host;
  return typeof host === 'string' && host.length > 0 ? host : undefined;
}

/** The clock a span's times were read from. */
export function spanClock(span: Span, by: ClockBy = 'service'): string {
  if (by === 'host') {
    const host = hostAttribute(span);
    if (host !== undefined) return `host:${host}`;
  }
  return span.service ?? UNKNOWN_SERVICE;
}

/** The clock a log line's time was read from. */
export function logClock(log: LogRecord, by: ClockBy = 'service'): string {
  if (by === 'host' && log.host !== undefined && log.host.length > 0) return `host:${log.host}`;
  return log.service ?? UNKNOWN_SERVICE;
}

export function spanEnd(span: Span): number {
  return span.start + span.duration;
}

/** Learned clock offsets between clocks: what derivation and skew correction read from a SkewLearner. */
export interface OffsetSource {
  /** µs to add to `child`'s timestamps to read them on `parent`'s clock, with the observations behind it. */
  relative(child: string, parent: string): { us: number; samples: number } | undefined;
}
