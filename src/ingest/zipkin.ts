// Zipkin v2 JSON bodies (`POST /api/v2/spans`: an array of spans) decoded into logstitch spans.
//
// Mapping: traceId (16 or 32 hex, any case) → lowercase, 64-bit IDs left-padded to 128 bits (deterministic,
// so no alias); id → spanId; parentId → parentSpanId (all zeros = root); kind CLIENT/SERVER/PRODUCER/CONSUMER
// → lowercase, absent → internal; timestamp and duration are already µs; localEndpoint.serviceName →
// service; tags → attributes; an `error` tag (any value) → status error, else unset; remoteEndpoint →
// `peer.service`, `network.peer.address`, `network.peer.port`; annotations → `annotations`: [{ time, value }]
// (at most MAX_ANNOTATIONS); `shared: true` → attribute `zipkin.shared`, and a shared server half gets its
// own span ID with the client span as its parent. A span without a usable traceId, id
// or timestamp is rejected; the others in the body are kept.
import { createHash } from 'node:crypto';
import { padTraceId } from '../model/ids.js';
import type { Attributes, Span, SpanKind } from '../model/records.js';
import { DecodeCollector, parseJsonBody, quote, type Decoded } from './decoded.js';
import { LogstitchError } from '../model/errors.js';

export const MAX_ANNOTATIONS = 32;

const KINDS: Record<string, SpanKind> = { CLIENT: 'client', SERVER: 'server', PRODUCER: 'producer', CONSUMER: 'consumer' };
const HEX_RE = /^[0-9a-f]+$/;
const ZERO_RE = /^0+$/;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A lowercase hex ID of one of the allowed lengths, or the reason it is not. */
function readId(value: unknown, field: string, lengths: readonly number[]): { id: string } | { problem: string } {
  if (value === undefined || value === null || value === '') return { problem: `${field} is missing` };
  if (typeof value !== 'string') return { problem: `${field} must be a hex string` };
  const hex = value.toLowerCase();
  const digits = lengths.join(' or ');
  if (!lengths.includes(hex.length) || !HEX_RE.test(hex)) return { problem: `${field} must be ${digits} hex digits, got ${quote(value)}` };
  if (ZERO_RE.test(hex)) return { problem: `${field} is all zeros (invalid)` };
  return { id: hex };
}

function micros(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? Math.floor(value) : undefined;
}

function addRemoteEndpoint(attributes: Attributes, endpoint: unknown): void {
  if (!isObject(endpoint)) return;
  const set = (key: string, value: string | number): void => {
    if (!Object.hasOwn(attributes, key)) attributes[key] = value;
  };
  if (typeof endpoint.serviceName === 'string' && endpoint.serviceName !== '') set('peer.service', endpoint.serviceName);
  const address = typeof endpoint.ipv4 === 'string' ? endpoint.ipv4 : endpoint.ipv6;
  if (typeof address === 'string' && address !== '') set('network.peer.address', address);
  if (typeof endpoint.port === 'number' && Number.isInteger(endpoint.port)) set('network.peer.port', endpoint.port);
}

/** Copies tags; values that are not strings, numbers or booleans are dropped (Zipkin's tags are strings). */
function addTags(attributes: Attributes, tags: unknown, where: string, out: DecodeCollector): void {
  if (tags === undefined || tags === null) return;
  if (!isObject(tags)) return out.note(where, 'tags must be an object; ignored');
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      if (key === '__proto__') Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
      else attributes[key] = value;
    } else out.note(where, `tags[${quote(key)}] is not a string; ignored`);
  }
}

function addAnnotations(attributes: Attributes, annotations: unknown): void {
  if (!Array.isArray(annotations) || annotations.length === 0) return;
  const list: Attributes[] = [];
  for (const a of annotations) {
    if (list.length >= MAX_ANNOTATIONS) break;
    if (!isObject(a) || typeof a.value !== 'string') continue;
    const time = micros(a.timestamp);
    list.push(time === undefined ? { value: a.value } : { time, value: a.value });
  }
  if (list.length > 0 && !Object.hasOwn(attributes, 'annotations')) attributes.annotations = list;
}

function mapZipkinSpan(value: unknown, where: string, out: DecodeCollector): Span | undefined {
  if (!isObject(value)) return void out.reject(where, 'must be a span object');
  const trace = readId(value.traceId, 'traceId', [16, 32]);
  if ('problem' in trace) return void out.reject(where, trace.problem);
  const id = readId(value.id, 'id', [16]);
  if ('problem' in id) return void out.reject(where, id.problem);
  const start = micros(value.timestamp);
  if (start === undefined || start === 0) return void out.reject(where, 'timestamp (µs since the epoch) is missing or invalid');
  if (value.name !== undefined && value.name !== null && typeof value.name !== 'string') return void out.reject(where, 'name must be a string');
  const kind = typeof value.kind === 'string' ? KINDS[value.kind.toUpperCase()] : undefined;
  if (value.kind !== undefined && value.kind !== null && kind === undefined) out.note(where, `kind ${quote(String(value.kind))} is unknown; read as internal`);
  const attributes: Attributes = {};
  addTags(attributes, value.tags, where, out);
  const span: Span = {
    traceId: padTraceId(trace.id),
    spanId: id.id,
    name: typeof value.name === 'string' ? value.name : '',
    kind: kind ?? 'internal',
    start,
    duration: micros(value.duration) ?? 0,
    status: Object.hasOwn(attributes, 'error') ? 'error' : 'unset',
    origin: 'zipkin',
  };
  if (value.parentId !== undefined && value.parentId !== null && value.parentId !== '' && !(typeof value.parentId === 'string' && ZERO_RE.test(value.parentId))) {
    const parent = readId(value.parentId, 'parentId', [16]);
    if ('id' in parent) span.parentSpanId = parent.id;
    else out.note(where, `${parent.problem}; the span is kept as a root`);
  }
  const local = value.localEndpoint;
  if (isObject(local) && typeof local.serviceName === 'string' && local.serviceName !== '') span.service = local.serviceName;
  addRemoteEndpoint(attributes, value.remoteEndpoint);
  addAnnotations(attributes, value.annotations);
  if (value.shared === true && !Object.hasOwn(attributes, 'zipkin.shared')) attributes['zipkin.shared'] = true;
  if (value.shared === true && span.kind === 'server') splitSharedServerSpan(span, attributes);
  if (Object.keys(attributes).length > 0) span.attributes = attributes;
  return span;
}

/**
 * Zipkin's "shared" spans: a server reports its half under the client's span ID. Stored under one ID the
 * two halves would be one span, and the time between the call leaving and arriving would vanish; so the
 * server half gets an ID of its own (the same one every time it is sent) and the client span as parent.
 */
function splitSharedServerSpan(span: Span, attributes: Attributes): void {
  attributes['zipkin.shared_span_id'] = span.spanId;
  span.parentSpanId = span.spanId;
  span.spanId = createHash('sha256').update(`${span.traceId}/${span.spanId}/server`).digest('hex').slice(0, 16);
}

/** Decodes a Zipkin v2 JSON body; throws ZIPKIN_BAD_JSON when it is not a JSON array. */
export function decodeZipkinSpans(body: Buffer): Decoded {
  const expected = 'a Zipkin v2 JSON array of spans: [{"traceId": …, "id": …, "timestamp": …}, …]';
  const root = parseJsonBody(body, 'ZIPKIN_BAD_JSON', expected);
  if (!Array.isArray(root)) throw new LogstitchError('ZIPKIN_BAD_JSON', `the body is JSON but not an array: expected ${expected}`);
  const out = new DecodeCollector();
  root.forEach((value: unknown, index) => {
    const span = mapZipkinSpan(value, `spans[${index}]`, out);
    if (span !== undefined) out.spans.push(span);
  });
  return out.result();
}
