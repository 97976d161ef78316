// The OTLP messages as both encodings read them: one neutral shape, so JSON and protobuf share one mapping.
import type { Attributes } from '../../model/records.js';

/** Container names as OTLP/JSON spells them, used in error paths for both encodings. */
export interface OtlpNames {
  resources: string;
  scopes: string;
  records: string;
}

export const LOG_NAMES: OtlpNames = { resources: 'resourceLogs', scopes: 'scopeLogs', records: 'logRecords' };
export const SPAN_NAMES: OtlpNames = { resources: 'resourceSpans', scopes: 'scopeSpans', records: 'spans' };

export interface OtlpScope {
  name: string;
  version: string;
  attributes: Attributes;
}

/** The records of one (resource, scope) pair, with the indices error lines need. */
export interface OtlpGroup<R> {
  resourceIndex: number;
  scopeIndex: number;
  resource: Attributes;
  scope: OtlpScope;
  records: Array<{ index: number; record: R }>;
}

/** IDs are lowercase hex ('' when absent); times are nanoseconds (undefined when absent or unreadable). */
export interface OtlpLogIn {
  timeNanos: bigint | undefined;
  observedNanos: bigint | undefined;
  severityNumber: number;
  severityText: string;
  /** undefined when the record has no body. */
  body: Attributes[string] | undefined;
  attributes: Attributes;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
  /** Things the reader noticed but that do not cost the record (a malformed time, an ID of the wrong type). */
  problems: string[];
}

export interface OtlpEventIn {
  timeNanos: bigint | undefined;
  name: string;
  attributes: Attributes;
}

export interface OtlpLinkIn {
  traceId: string;
  spanId: string;
}

export interface OtlpSpanIn {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** The SpanKind enum: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startNanos: bigint | undefined;
  endNanos: bigint | undefined;
  attributes: Attributes;
  events: OtlpEventIn[];
  links: OtlpLinkIn[];
  /** The StatusCode enum: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
}

/** A record the reader could not use; the message names the field. */
export class RecordError extends Error {}

/** AnyValue nesting deeper than this rejects the record (no producer needs it; a hostile body might try it). */
export const MAX_VALUE_DEPTH = 32;

export function emptyScope(): OtlpScope {
  return { name: '', version: '', attributes: {} };
}

/** Sets an attribute, keeping `__proto__` an ordinary key instead of a prototype. */
export function setAttribute(target: Attributes, key: string, value: Attributes[string]): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A double as JSON can carry it: NaN and ±Infinity become the strings proto3 JSON uses for them. */
export function jsonDouble(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}
