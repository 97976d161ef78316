// The records logstitch stores and joins: log records and spans, in microseconds and lowercase hex IDs.
import type { SpanId, TraceId } from './ids.js';
import type { SeverityNumber } from './severity.js';

export type SpanKind = 'server' | 'client' | 'internal' | 'producer' | 'consumer';
export const SPAN_KINDS: readonly SpanKind[] = ['server', 'client', 'internal', 'producer', 'consumer'];

export type SpanStatus = 'unset' | 'ok' | 'error';
export const SPAN_STATUSES: readonly SpanStatus[] = ['unset', 'ok', 'error'];

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface LogRecord {
  /** When the event happened, µs since the epoch. */
  time: number;
  /** When logstitch first saw it, µs since the epoch. */
  observedTime?: number;
  severityNumber: SeverityNumber;
  severityText?: string;
  body: string;
  traceId?: TraceId;
  spanId?: SpanId;
  traceFlags?: number;
  service?: string;
  host?: string;
  /** Legacy IDs this line carries besides its trace ID; the indexer stitches them. */
  aliases?: string[];
  attributes?: Attributes;
  /** Set when no parser understood the line: the line is kept raw, with the reason. */
  parseError?: string;
}

export interface Span {
  traceId: TraceId;
  spanId: SpanId;
  parentSpanId?: SpanId;
  name: string;
  kind: SpanKind;
  /** µs since the epoch. */
  start: number;
  /** µs. */
  duration: number;
  status: SpanStatus;
  service?: string;
  attributes?: Attributes;
  /** How the span reached us: exported by an SDK, or derived from log lines. */
  origin?: 'otlp' | 'zipkin' | 'span-end-line' | 'access-log' | 'log-extent';
}
