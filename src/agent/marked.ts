// A LogRecord in logstitch's marked line shape (`{"@logstitch":1, …}`), which the indexer reads back
// field for field without guessing; a span-end line keeps its `span_end` object, from which the indexer
// derives the span.
import type { LogRecord, Span } from '../model/records.js';
import { RECORD_MARKER } from '../model/json-record.js';
import { SPAN_END_KEY, type SpanEndFields } from '../model/span-end.js';

/** The `span_end` object that reads back (spanFromSpanEndLine) into `span`. */
export function spanEndOf(span: Span): SpanEndFields {
  const fields: SpanEndFields = { name: span.name, kind: span.kind, start_us: span.start, duration_us: span.duration, status: span.status };
  if (span.parentSpanId !== undefined) fields.parent_span_id = span.parentSpanId;
  const http: Record<string, string | number> = {};
  const timings: Record<string, number> = {};
  for (const [key, value] of Object.entries(span.attributes ?? {})) {
    if (key.startsWith('http.') && (typeof value === 'string' || typeof value === 'number')) http[key.slice(5)] = value;
    else if (key.startsWith('timings.') && typeof value === 'number') timings[key.slice(8)] = value;
    else if (key === 'error' && typeof value === 'string') fields.error = value;
  }
  if (Object.keys(http).length > 0) fields.http = http;
  if (Object.keys(timings).length > 0) fields.timings = timings;
  return fields;
}

/** One NDJSON line (no newline) for `POST /ingest`. */
export function markedLine(log: LogRecord, span: Span | undefined): string {
  return JSON.stringify({
    [RECORD_MARKER]: 1,
    time: log.time,
    observedTime: log.observedTime,
    severityNumber: log.severityNumber,
    severityText: log.severityText,
    body: log.body,
    traceId: log.traceId,
    spanId: log.spanId,
    traceFlags: log.traceFlags,
    service: log.service,
    host: log.host,
    aliases: log.aliases,
    attributes: log.attributes,
    parseError: log.parseError,
    [SPAN_END_KEY]: span === undefined || span.traceId !== log.traceId || span.spanId !== log.spanId ? undefined : spanEndOf(span),
  });
}
