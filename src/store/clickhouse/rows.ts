// Rows as ClickHouse returns them (64-bit integers as text), turned back into records and spans.
import type { Span } from '../../model/records.js';
import { SPAN_KINDS, SPAN_STATUSES } from '../../model/records.js';
import { SPAN_ORIGINS } from '../checks.js';
import type { StoredLog } from '../types.js';
import { HAS, SPAN_HAS, type Extras } from './encode.js';

/** The log columns a record is rebuilt from; `akey` is the attempt key as text (it exceeds 2^53). */
export const LOG_COLUMNS = 'time, toString(attempt) AS akey, row, service, host, severity, severity_text, observed, trace_flags, presence, trace_id, span_id, body, extras';

export interface LogRow {
  time: string;
  akey: string;
  row: number;
  service: string;
  host: string;
  severity: number;
  severity_text: string;
  observed: string;
  trace_flags: number;
  presence: number;
  trace_id: string;
  span_id: string;
  body: string;
  extras: string;
}

/** A stored log's ID: the append that wrote it and its row there. */
export const logId = (attempt: string, row: number): string => `${attempt}:${row}`;

export function storedLog(r: LogRow): StoredLog {
  const log: StoredLog = { id: logId(r.akey, Number(r.row)), time: Number(r.time), severityNumber: Number(r.severity), body: r.body };
  const has = Number(r.presence);
  if ((has & HAS.observed) !== 0) log.observedTime = Number(r.observed);
  if ((has & HAS.severityText) !== 0) log.severityText = r.severity_text;
  if ((has & HAS.trace) !== 0) log.traceId = r.trace_id;
  if ((has & HAS.span) !== 0) log.spanId = r.span_id;
  if ((has & HAS.traceFlags) !== 0) log.traceFlags = Number(r.trace_flags);
  if ((has & HAS.service) !== 0) log.service = r.service;
  if ((has & HAS.host) !== 0) log.host = r.host;
  if (r.extras !== '') {
    const extras = JSON.parse(r.extras) as Extras;
    if (extras.f !== undefined) log.traceFlags = extras.f;
    if (extras.al !== undefined) log.aliases = extras.al;
    if (extras.a !== undefined) log.attributes = extras.a;
    if (extras.pe !== undefined) log.parseError = extras.pe;
  }
  return log;
}

export const SPAN_COLUMNS = 'trace_id, span_id, toString(attempt) AS akey, seq, stored, rank, presence, parent, name, kind, start, duration, status, service, origin, attributes';

export interface SpanRow {
  trace_id: string;
  span_id: string;
  akey: string;
  seq: number;
  stored: string;
  rank: number;
  presence: number;
  parent: string;
  name: string;
  kind: number;
  start: string;
  duration: number;
  status: number;
  service: string;
  origin: number;
  attributes: string;
}

/** Whether copy `a` of a span wins over copy `b`: higher rank, then the first stored. */
export function beats(a: SpanRow, b: SpanRow): boolean {
  if (a.rank !== b.rank) return Number(a.rank) > Number(b.rank);
  const sa = Number(a.stored);
  const sb = Number(b.stored);
  if (sa !== sb) return sa < sb;
  if (a.akey !== b.akey) return BigInt(a.akey) < BigInt(b.akey);
  return Number(a.seq) < Number(b.seq);
}

export function spanOf(r: SpanRow): Span {
  const span: Span = {
    traceId: r.trace_id,
    spanId: r.span_id,
    name: r.name,
    kind: SPAN_KINDS[Number(r.kind)] ?? 'internal',
    start: Number(r.start),
    duration: Number(r.duration),
    status: SPAN_STATUSES[Number(r.status)] ?? 'unset',
  };
  const has = Number(r.presence);
  if ((has & SPAN_HAS.parent) !== 0) span.parentSpanId = r.parent;
  if ((has & SPAN_HAS.service) !== 0) span.service = r.service;
  if ((has & SPAN_HAS.attributes) !== 0) span.attributes = JSON.parse(r.attributes) as Span['attributes'] & object;
  const origin = SPAN_ORIGINS[Number(r.origin)];
  if (origin !== undefined) span.origin = origin;
  return span;
}
