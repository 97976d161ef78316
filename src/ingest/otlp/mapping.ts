// OTLP log records and spans (in the neutral shape) mapped onto logstitch's LogRecord and Span.
import { MAX_LEGACY_ID_LENGTH } from '../../model/ids.js';
import type { AttributeValue, Attributes, LogRecord, Span, SpanKind, SpanStatus } from '../../model/records.js';
import { severityFromText } from '../../model/severity.js';
import { quote, type DecodeCollector } from '../decoded.js';
import { setAttribute, type OtlpEventIn, type OtlpGroup, type OtlpLinkIn, type OtlpLogIn, type OtlpSpanIn } from './shapes.js';

/** What every record of one (resource, scope) pair shares. */
export interface GroupContext {
  service: string | undefined;
  host: string | undefined;
  /** Resource attributes, then scope attributes over them (`service.name` and `host.name` live in fields). */
  attributes: Attributes;
}

/** Events and links kept per span; the rest are dropped (a span is a row, not an event log). */
export const MAX_SPAN_EVENTS = 32;
export const MAX_SPAN_LINKS = 32;
/** An exception event's stack trace is kept, up to this many characters. */
export const MAX_STACKTRACE_LENGTH = 4096;

const KINDS: readonly SpanKind[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];

export function groupContext(group: OtlpGroup<unknown>): GroupContext {
  const context: GroupContext = { service: undefined, host: undefined, attributes: {} };
  for (const [key, value] of Object.entries(group.resource)) {
    if (key === 'service.name' && typeof value === 'string') context.service = value;
    else if (key === 'host.name' && typeof value === 'string') context.host = value;
    else setAttribute(context.attributes, key, value);
  }
  for (const [key, value] of Object.entries(group.scope.attributes)) setAttribute(context.attributes, key, value);
  if (group.scope.name !== '') setAttribute(context.attributes, 'otel.scope.name', group.scope.name);
  if (group.scope.version !== '') setAttribute(context.attributes, 'otel.scope.version', group.scope.version);
  return context;
}

/** Nanoseconds → whole µs (floored); undefined when absent, zero, or beyond what a JS number holds exactly. */
export function microsFromNanos(nanos: bigint | undefined): number | undefined {
  if (nanos === undefined || nanos <= 0n) return undefined;
  const us = Number(nanos / 1000n);
  return Number.isSafeInteger(us) ? us : undefined;
}

const HEX_RE = /^[0-9a-f]*$/;
const ZERO_RE = /^0*$/;

/** Why a lowercase-hex ID of `bytes` bytes is unusable, or undefined when it is fine. */
export function idProblem(hex: string, bytes: number, field: string): string | undefined {
  if (hex.length !== bytes * 2) {
    const got = HEX_RE.test(hex) && hex.length % 2 === 0 ? `${hex.length / 2} bytes` : quote(hex);
    return `${field} must be ${bytes} bytes (${bytes * 2} hex digits), got ${got}`;
  }
  if (!HEX_RE.test(hex)) return `${field} must be hex, got ${quote(hex)}`;
  if (ZERO_RE.test(hex)) return `${field} is all zeros (invalid)`;
  return undefined;
}

/** The record's own attributes with the group's added where the record has none; reuses (and returns) `own`. */
function mergedAttributes(context: GroupContext, own: Attributes): Attributes {
  const shared = context.attributes;
  for (const key in shared) if (!Object.hasOwn(own, key)) setAttribute(own, key, shared[key] as AttributeValue);
  return own;
}

function setIfAbsent(attributes: Attributes, key: string, value: AttributeValue): void {
  if (!Object.hasOwn(attributes, key)) setAttribute(attributes, key, value);
}

// --- logs ---

function severityOf(log: OtlpLogIn, where: () => string, out: DecodeCollector): number {
  const n = log.severityNumber;
  if (n >= 1 && n <= 24) return n;
  if (n !== 0) out.note(where(), `severityNumber ${n} is not 1–24; ignored`);
  return log.severityText === '' ? 0 : severityFromText(log.severityText);
}

function bodyText(body: AttributeValue | undefined): string {
  if (body === undefined || body === null) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}

export function mapLog(context: GroupContext, log: OtlpLogIn, where: () => string, out: DecodeCollector, now: number): LogRecord {
  for (const problem of log.problems) out.note(where(), problem);
  const time = microsFromNanos(log.timeNanos) ?? microsFromNanos(log.observedNanos) ?? now;
  if (log.timeNanos !== undefined && log.timeNanos > 0n && microsFromNanos(log.timeNanos) === undefined) {
    out.note(where(), 'timeUnixNano is out of range; ignored');
  }
  const record: LogRecord = { time, observedTime: now, severityNumber: severityOf(log, where, out), body: bodyText(log.body) };
  if (log.severityText !== '') record.severityText = log.severityText;
  if (log.traceId !== '') {
    const problem = idProblem(log.traceId, 16, 'traceId');
    if (problem === undefined) record.traceId = log.traceId;
    else out.note(where(), `${problem}; the record is kept without it`);
  }
  if (record.traceId !== undefined) {
    record.traceFlags = log.flags & 0xff;
    if (log.spanId !== '') {
      const problem = idProblem(log.spanId, 8, 'spanId');
      if (problem === undefined) record.spanId = log.spanId;
      else out.note(where(), `${problem}; the record is kept without it`);
    }
  }
  if (context.service !== undefined) record.service = context.service;
  if (context.host !== undefined) record.host = context.host;
  const attributes = mergedAttributes(context, log.attributes);
  if (log.eventName !== '') setIfAbsent(attributes, 'event.name', log.eventName);
  if (Object.keys(attributes).length > 0) record.attributes = attributes;
  const alias = log.attributes.trace_alias;
  if (typeof alias === 'string' && record.traceId !== undefined) {
    const trimmed = alias.trim();
    if (trimmed !== '' && trimmed.length <= MAX_LEGACY_ID_LENGTH && trimmed !== record.traceId) out.alias(trimmed, record.traceId);
  }
  return record;
}

// --- spans ---

function statusOf(code: number): SpanStatus {
  return code === 2 ? 'error' : code === 1 ? 'ok' : 'unset';
}

/**
 * Events, compactly: the first `exception` event's type, message and (capped) stack trace become span
 * attributes, as the semantic conventions name them; every event is listed under `events` as
 * { name, time (µs), attributes } without stack traces.
 */
function addEvents(attributes: Attributes, events: OtlpEventIn[]): void {
  const exception = events.find((e) => e.name === 'exception');
  if (exception !== undefined) {
    for (const key of ['exception.type', 'exception.message', 'exception.stacktrace']) {
      let value = exception.attributes[key];
      if (value === undefined) continue;
      if (typeof value === 'string' && value.length > MAX_STACKTRACE_LENGTH) value = `${value.slice(0, MAX_STACKTRACE_LENGTH)}…`;
      setIfAbsent(attributes, key, value);
    }
  }
  if (events.length === 0) return;
  const list = events.slice(0, MAX_SPAN_EVENTS).map((event) => {
    const entry: Attributes = { name: event.name };
    const time = microsFromNanos(event.timeNanos);
    if (time !== undefined) entry.time = time;
    const own: Attributes = {};
    for (const [key, value] of Object.entries(event.attributes)) if (key !== 'exception.stacktrace') setAttribute(own, key, value);
    if (Object.keys(own).length > 0) entry.attributes = own;
    return entry;
  });
  setIfAbsent(attributes, 'events', list);
}

function addLinks(attributes: Attributes, links: OtlpLinkIn[]): void {
  const valid = links.filter((l) => idProblem(l.traceId, 16, '') === undefined && idProblem(l.spanId, 8, '') === undefined);
  if (valid.length === 0) return;
  const list = valid.slice(0, MAX_SPAN_LINKS).map((l): Attributes => ({ traceId: l.traceId, spanId: l.spanId }));
  setIfAbsent(attributes, 'links', list);
}

/** The span, or undefined (rejected, with the reason noted) when it has no usable trace ID, span ID or start. */
export function mapSpan(context: GroupContext, span: OtlpSpanIn, where: () => string, out: DecodeCollector): Span | undefined {
  const traceProblem = span.traceId === '' ? 'traceId is missing' : idProblem(span.traceId, 16, 'traceId');
  if (traceProblem !== undefined) return void out.reject(where(), traceProblem);
  const spanProblem = span.spanId === '' ? 'spanId is missing' : idProblem(span.spanId, 8, 'spanId');
  if (spanProblem !== undefined) return void out.reject(where(), spanProblem);
  const start = microsFromNanos(span.startNanos);
  if (start === undefined) return void out.reject(where(), 'startTimeUnixNano is missing, zero or out of range');
  const end = microsFromNanos(span.endNanos);
  const status = statusOf(span.statusCode);
  const result: Span = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? 'internal',
    start,
    duration: end !== undefined && end > start ? end - start : 0,
    status,
    origin: 'otlp',
  };
  if (span.parentSpanId !== '' && !ZERO_RE.test(span.parentSpanId)) {
    const problem = idProblem(span.parentSpanId, 8, 'parentSpanId');
    if (problem === undefined) result.parentSpanId = span.parentSpanId;
    else out.note(where(), `${problem}; the span is kept as a root`);
  }
  if (context.service !== undefined) result.service = context.service;
  const attributes = mergedAttributes(context, span.attributes);
  addEvents(attributes, span.events);
  addLinks(attributes, span.links);
  if (status === 'error') {
    const why = span.statusMessage !== '' ? span.statusMessage : attributes['exception.message'];
    if (typeof why === 'string' && why !== '') setIfAbsent(attributes, 'error', why);
  }
  if (Object.keys(attributes).length > 0) result.attributes = attributes;
  return result;
}
