// OTLP/HTTP request bodies (`POST /v1/logs`, `POST /v1/traces`, JSON or protobuf) decoded into logstitch records.
//
// A body that cannot be read as a whole throws a LogstitchError (OTLP_BAD_JSON or OTLP_BAD_PROTOBUF: a 400);
// a record that cannot be used is counted in `rejected` with an error line, and the rest are kept (partial
// success). Mapping, in short:
// - times: ns → µs, floored; a log without timeUnixNano uses observedTimeUnixNano, then the time of decoding.
// - resource `service.name` → service, `host.name` → host; the other resource attributes, the scope's
//   attributes (plus `otel.scope.name` / `otel.scope.version`) and the record's own are merged, the record's winning.
// - logs: severityNumber 1–24 as given (else derived from severityText, else 0); body: a string as is, any
//   other value as JSON; a bad trace/span ID is dropped with an error line, the record kept; flags & 0xff →
//   traceFlags; an attribute `trace_alias` (string) on a record with a trace ID → an alias link.
// - spans: no usable traceId / spanId / start time → rejected; kind 2–5 → server, client, producer, consumer,
//   else internal; status 2 → error, 1 → ok, else unset; duration = end µs − start µs (≥ 0); an error
//   status's message (or the exception's) → attribute `error`; events and links kept compactly (mapping.ts).
import { LogstitchError } from '../../model/errors.js';
import type { LogRecord, Span } from '../../model/records.js';
import { nowMicros } from '../../model/time.js';
import { DecodeCollector, parseJsonBody, type Decoded } from '../decoded.js';
import { jsonLogRecord, jsonSpan, readJsonRequest } from './json.js';
import { groupContext, mapLog, mapSpan, type GroupContext } from './mapping.js';
import { readLogRecord, readProtobufRequest, readSpan } from './protobuf.js';
import { LOG_NAMES, SPAN_NAMES, type OtlpGroup, type OtlpLogIn, type OtlpNames, type OtlpSpanIn } from './shapes.js';
import type { WireReader } from './wire.js';

export type OtlpContentType = 'json' | 'protobuf';

interface Encoding<R> {
  names: OtlpNames;
  json: (value: unknown) => R;
  protobuf: (r: WireReader) => R;
}

const LOGS: Encoding<OtlpLogIn> = { names: LOG_NAMES, json: jsonLogRecord, protobuf: readLogRecord };
const TRACES: Encoding<OtlpSpanIn> = { names: SPAN_NAMES, json: jsonSpan, protobuf: readSpan };

function readGroups<R>(body: Buffer, contentType: OtlpContentType, encoding: Encoding<R>, out: DecodeCollector): OtlpGroup<R>[] {
  if (contentType === 'protobuf') return readProtobufRequest(body, encoding.names, encoding.protobuf, out);
  if (contentType === 'json') {
    const expected = `an OTLP/JSON export request: {"${encoding.names.resources}": [ … ]}`;
    return readJsonRequest(parseJsonBody(body, 'OTLP_BAD_JSON', expected), encoding.names, encoding.json, out);
  }
  throw new LogstitchError('OTLP_BAD_CONTENT_TYPE', `unsupported OTLP content type ${String(contentType)}: use json or protobuf`);
}

/** Calls `each` for every record with its context and a lazily built error path. */
function forEachRecord<R>(
  groups: OtlpGroup<R>[],
  names: OtlpNames,
  each: (context: GroupContext, record: R, where: () => string) => void,
): void {
  for (const group of groups) {
    const context = groupContext(group);
    const prefix = `${names.resources}[${group.resourceIndex}].${names.scopes}[${group.scopeIndex}].${names.records}`;
    for (const { index, record } of group.records) each(context, record, () => `${prefix}[${index}]`);
  }
}

/** Decodes an ExportLogsServiceRequest body. */
export function decodeOtlpLogs(body: Buffer, contentType: OtlpContentType): Decoded {
  const out = new DecodeCollector();
  const groups = readGroups(body, contentType, LOGS, out);
  const now = nowMicros();
  const logs: LogRecord[] = out.logs;
  forEachRecord(groups, LOG_NAMES, (context, record, where) => logs.push(mapLog(context, record, where, out, now)));
  return out.result();
}

/** Decodes an ExportTraceServiceRequest body. */
export function decodeOtlpTraces(body: Buffer, contentType: OtlpContentType): Decoded {
  const out = new DecodeCollector();
  const groups = readGroups(body, contentType, TRACES, out);
  const spans: Span[] = out.spans;
  forEachRecord(groups, SPAN_NAMES, (context, record, where) => {
    const span = mapSpan(context, record, where, out);
    if (span !== undefined) spans.push(span);
  });
  return out.result();
}
