// OTLP/protobuf bodies (ExportLogsServiceRequest, ExportTraceServiceRequest) read into the neutral shapes.
// Field numbers are those of opentelemetry-proto (common/v1, resource/v1, logs/v1, trace/v1).
import type { AttributeValue, Attributes } from '../../model/records.js';
import { LogstitchError } from '../../model/errors.js';
import type { DecodeCollector } from '../decoded.js';
import {
  emptyScope,
  jsonDouble,
  MAX_VALUE_DEPTH,
  RecordError,
  setAttribute,
  type OtlpEventIn,
  type OtlpGroup,
  type OtlpLinkIn,
  type OtlpLogIn,
  type OtlpNames,
  type OtlpScope,
  type OtlpSpanIn,
} from './shapes.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireError, WireReader } from './wire.js';

/** ResourceLogs.instrumentation_library_logs / ResourceSpans.instrumentation_library_spans: the pre-1.0 name of field 2. */
const LEGACY_SCOPE_FIELD = 1000;

// --- common/v1: AnyValue, ArrayValue, KeyValueList, KeyValue, InstrumentationScope; resource/v1: Resource ---

function readAnyValue(r: WireReader, depth: number): AttributeValue {
  if (depth > MAX_VALUE_DEPTH) throw new RecordError(`a value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  let value: AttributeValue = null;
  while (r.next()) {
    switch (r.field) {
      case 1:
        r.expect(WIRE_LEN, 'stringValue');
        value = r.string();
        break;
      case 2:
        r.expect(WIRE_VARINT, 'boolValue');
        value = r.bool();
        break;
      case 3:
        r.expect(WIRE_VARINT, 'intValue');
        value = r.int64();
        break;
      case 4:
        r.expect(WIRE_FIXED64, 'doubleValue');
        value = jsonDouble(r.double());
        break;
      case 5: {
        r.expect(WIRE_LEN, 'arrayValue');
        const array = r.message();
        const values: AttributeValue[] = [];
        while (array.next()) {
          if (array.field !== 1) array.skip();
          else {
            array.expect(WIRE_LEN, 'arrayValue.values');
            values.push(readAnyValue(array.message(), depth + 1));
          }
        }
        value = values;
        break;
      }
      case 6: {
        r.expect(WIRE_LEN, 'kvlistValue');
        const list = r.message();
        const map: Attributes = {};
        while (list.next()) {
          if (list.field !== 1) list.skip();
          else {
            list.expect(WIRE_LEN, 'kvlistValue.values');
            readKeyValue(list.message(), map, depth + 1);
          }
        }
        value = map;
        break;
      }
      case 7:
        r.expect(WIRE_LEN, 'bytesValue');
        value = r.bytes().toString('base64');
        break;
      default:
        r.skip();
    }
  }
  return value;
}

function readKeyValue(r: WireReader, into: Attributes, depth: number): void {
  let key = '';
  let value: AttributeValue = null;
  while (r.next()) {
    if (r.field === 1) {
      r.expect(WIRE_LEN, 'key');
      key = r.string();
    } else if (r.field === 2) {
      r.expect(WIRE_LEN, 'value');
      value = readAnyValue(r.message(), depth);
    } else r.skip();
  }
  setAttribute(into, key, value);
}

/** Reads one `repeated KeyValue attributes` element into `into`. */
function readAttribute(r: WireReader, into: Attributes): void {
  r.expect(WIRE_LEN, 'attributes');
  readKeyValue(r.message(), into, 1);
}

function readResource(r: WireReader, into: Attributes): void {
  while (r.next()) {
    if (r.field === 1) readAttribute(r, into);
    else r.skip();
  }
}

function readScope(r: WireReader, into: OtlpScope): void {
  while (r.next()) {
    if (r.field === 1) {
      r.expect(WIRE_LEN, 'scope.name');
      into.name = r.string();
    } else if (r.field === 2) {
      r.expect(WIRE_LEN, 'scope.version');
      into.version = r.string();
    } else if (r.field === 3) readAttribute(r, into.attributes);
    else r.skip();
  }
}

// --- logs/v1: LogRecord ---

export function readLogRecord(r: WireReader): OtlpLogIn {
  const log: OtlpLogIn = {
    timeNanos: undefined,
    observedNanos: undefined,
    severityNumber: 0,
    severityText: '',
    body: undefined,
    attributes: {},
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
    problems: [],
  };
  while (r.next()) {
    switch (r.field) {
      case 1:
        r.expect(WIRE_FIXED64, 'timeUnixNano');
        log.timeNanos = r.fixed64();
        break;
      case 2:
        r.expect(WIRE_VARINT, 'severityNumber');
        log.severityNumber = r.int32();
        break;
      case 3:
        r.expect(WIRE_LEN, 'severityText');
        log.severityText = r.string();
        break;
      case 5:
        r.expect(WIRE_LEN, 'body');
        log.body = readAnyValue(r.message(), 1);
        break;
      case 6:
        readAttribute(r, log.attributes);
        break;
      case 8:
        r.expect(WIRE_FIXED32, 'flags');
        log.flags = r.fixed32();
        break;
      case 9:
        r.expect(WIRE_LEN, 'traceId');
        log.traceId = r.hex();
        break;
      case 10:
        r.expect(WIRE_LEN, 'spanId');
        log.spanId = r.hex();
        break;
      case 11:
        r.expect(WIRE_FIXED64, 'observedTimeUnixNano');
        log.observedNanos = r.fixed64();
        break;
      case 12:
        r.expect(WIRE_LEN, 'eventName');
        log.eventName = r.string();
        break;
      default:
        r.skip();
    }
  }
  return log;
}

// --- trace/v1: Span, Span.Event, Span.Link, Status ---

export function readSpan(r: WireReader): OtlpSpanIn {
  const span: OtlpSpanIn = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startNanos: undefined,
    endNanos: undefined,
    attributes: {},
    events: [],
    links: [],
    statusCode: 0,
    statusMessage: '',
  };
  while (r.next()) {
    switch (r.field) {
      case 1:
        r.expect(WIRE_LEN, 'traceId');
        span.traceId = r.hex();
        break;
      case 2:
        r.expect(WIRE_LEN, 'spanId');
        span.spanId = r.hex();
        break;
      case 4:
        r.expect(WIRE_LEN, 'parentSpanId');
        span.parentSpanId = r.hex();
        break;
      case 5:
        r.expect(WIRE_LEN, 'name');
        span.name = r.string();
        break;
      case 6:
        r.expect(WIRE_VARINT, 'kind');
        span.kind = r.int32();
        break;
      case 7:
        r.expect(WIRE_FIXED64, 'startTimeUnixNano');
        span.startNanos = r.fixed64();
        break;
      case 8:
        r.expect(WIRE_FIXED64, 'endTimeUnixNano');
        span.endNanos = r.fixed64();
        break;
      case 9:
        readAttribute(r, span.attributes);
        break;
      case 11:
        r.expect(WIRE_LEN, 'events');
        span.events.push(readEvent(r.message()));
        break;
      case 13:
        r.expect(WIRE_LEN, 'links');
        span.links.push(readLink(r.message()));
        break;
      case 15:
        r.expect(WIRE_LEN, 'status');
        readStatus(r.message(), span);
        break;
      default:
        r.skip();
    }
  }
  return span;
}

function readEvent(r: WireReader): OtlpEventIn {
  const event: OtlpEventIn = { timeNanos: undefined, name: '', attributes: {} };
  while (r.next()) {
    if (r.field === 1) {
      r.expect(WIRE_FIXED64, 'events.timeUnixNano');
      event.timeNanos = r.fixed64();
    } else if (r.field === 2) {
      r.expect(WIRE_LEN, 'events.name');
      event.name = r.string();
    } else if (r.field === 3) readAttribute(r, event.attributes);
    else r.skip();
  }
  return event;
}

function readLink(r: WireReader): OtlpLinkIn {
  const link: OtlpLinkIn = { traceId: '', spanId: '' };
  while (r.next()) {
    if (r.field === 1) {
      r.expect(WIRE_LEN, 'links.traceId');
      link.traceId = r.hex();
    } else if (r.field === 2) {
      r.expect(WIRE_LEN, 'links.spanId');
      link.spanId = r.hex();
    } else r.skip();
  }
  return link;
}

function readStatus(r: WireReader, span: OtlpSpanIn): void {
  while (r.next()) {
    if (r.field === 2) {
      r.expect(WIRE_LEN, 'status.message');
      span.statusMessage = r.string();
    } else if (r.field === 3) {
      r.expect(WIRE_VARINT, 'status.code');
      span.statusCode = r.int32();
    } else r.skip();
  }
}

// --- the request: resource groups → scope groups → records ---

/** One ResourceX or ScopeX message, split into its header (resource / scope) and its children, unread. */
interface Container {
  headers: WireReader[];
  children: WireReader[];
}

/** Splits a container message; a framing error here is the body's, not one record's. */
function splitContainer(r: WireReader, childFields: readonly number[], childName: string): Container {
  const container: Container = { headers: [], children: [] };
  while (r.next()) {
    if (r.field === 1) {
      r.expect(WIRE_LEN, 'field 1');
      container.headers.push(r.message());
    } else if (childFields.includes(r.field)) {
      r.expect(WIRE_LEN, childName);
      container.children.push(r.message());
    } else r.skip();
  }
  return container;
}

function problemOf(error: unknown): string {
  if (error instanceof WireError || error instanceof RecordError) return error.message;
  throw error;
}

/**
 * Reads an Export*ServiceRequest. Framing errors in the request, a resource or a scope container throw
 * OTLP_BAD_PROTOBUF; a record whose own bytes are bad is rejected alone; a resource or scope whose header
 * (attributes, name) is bad rejects the records under it.
 */
export function readProtobufRequest<R>(
  body: Buffer,
  names: OtlpNames,
  readRecord: (r: WireReader) => R,
  out: DecodeCollector,
): OtlpGroup<R>[] {
  const groups: OtlpGroup<R>[] = [];
  let where = '';
  try {
    const resources: WireReader[] = [];
    const top = new WireReader(body);
    while (top.next()) {
      if (top.field !== 1) top.skip();
      else {
        where = `${names.resources}[${resources.length}]`;
        top.expect(WIRE_LEN, names.resources);
        resources.push(top.message());
      }
    }
    resources.forEach((slice, ri) => {
      where = `${names.resources}[${ri}]`;
      const resourceSplit = splitContainer(slice, [2, LEGACY_SCOPE_FIELD], names.scopes);
      const scopeSplits = resourceSplit.children.map((scopeSlice, si) => {
        where = `${names.resources}[${ri}].${names.scopes}[${si}]`;
        return splitContainer(scopeSlice, [2], names.records);
      });
      where = '';
      readResourceGroup(ri, resourceSplit, scopeSplits, names, readRecord, out, groups);
    });
  } catch (error) {
    const hint = body[0] === 0x7b ? ' (the body looks like JSON: send it as application/json)' : '';
    const at = where === '' ? '' : `${where}: `;
    throw new LogstitchError('OTLP_BAD_PROTOBUF', `cannot read the OTLP protobuf body: ${at}${problemOf(error)}${hint}`, {
      cause: error,
    });
  }
  return groups;
}

function readResourceGroup<R>(
  ri: number,
  resourceSplit: Container,
  scopeSplits: Container[],
  names: OtlpNames,
  readRecord: (r: WireReader) => R,
  out: DecodeCollector,
  groups: OtlpGroup<R>[],
): void {
  const resourcePath = `${names.resources}[${ri}]`;
  const resource: Attributes = {};
  try {
    for (const header of resourceSplit.headers) readResource(header, resource);
  } catch (error) {
    const count = scopeSplits.reduce((n, s) => n + s.children.length, 0);
    out.reject(resourcePath, `resource: ${problemOf(error)}`, count);
    return;
  }
  scopeSplits.forEach((split, si) => {
    const scopePath = `${resourcePath}.${names.scopes}[${si}]`;
    const scope = emptyScope();
    try {
      for (const header of split.headers) readScope(header, scope);
    } catch (error) {
      out.reject(scopePath, `scope: ${problemOf(error)}`, split.children.length);
      return;
    }
    const group: OtlpGroup<R> = { resourceIndex: ri, scopeIndex: si, resource, scope, records: [] };
    split.children.forEach((slice, index) => {
      try {
        group.records.push({ index, record: readRecord(slice) });
      } catch (error) {
        out.reject(`${scopePath}.${names.records}[${index}]`, problemOf(error));
      }
    });
    groups.push(group);
  });
}
