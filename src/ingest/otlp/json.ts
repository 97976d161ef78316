// OTLP/JSON bodies read into the neutral shapes: lowerCamelCase keys (proto snake_case accepted too), hex IDs,
// int64 as strings or numbers, enums as integers (or their proto names).
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

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const snakeNames = new Map<string, string>();

/** `o.fooBar`, or `o.foo_bar` when the camelCase key is absent (proto field names are valid OTLP/JSON keys). */
function pick(o: JsonObject, camel: string): unknown {
  const value = o[camel];
  if (value !== undefined) return value;
  let snake = snakeNames.get(camel);
  if (snake === undefined) {
    snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeNames.set(camel, snake);
  }
  return snake === camel ? undefined : o[snake];
}

// --- scalars ---

function jsonString(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new RecordError(`${field} must be a string`);
  return value;
}

/** A trace or span ID: hex in OTLP/JSON, any case; '' when absent. */
function jsonId(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new RecordError(`${field} must be a hex string`);
  return value.toLowerCase();
}

const UINT64_RE = /^\d{1,20}$/;
const INT64_RE = /^-?\d{1,20}$/;

/** A fixed64 nanosecond time: a decimal string or a number; undefined when absent. */
function jsonNanos(value: unknown, field: string): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && UINT64_RE.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.trunc(value));
  throw new RecordError(`${field} must be nanoseconds since the epoch, as a decimal string or a number`);
}

function jsonInteger(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && INT64_RE.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new RecordError(`${field} must be an integer`);
  return n;
}

/** An enum: its number, or its proto name (`SPAN_KIND_SERVER`); unknown names read as 0 (unspecified). */
function jsonEnum(value: unknown, field: string, byName: Record<string, number>): number {
  if (typeof value === 'string' && !INT64_RE.test(value)) return byName[value] ?? 0;
  return jsonInteger(value, field);
}

// --- AnyValue and attributes ---

function jsonInt64(value: unknown): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && INT64_RE.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt.asIntN(64, BigInt(value)).toString();
  }
  throw new RecordError('intValue must be an integer or a decimal string');
}

function jsonDoubleValue(value: unknown): number | string {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return jsonDouble(Number(value));
  throw new RecordError('doubleValue must be a number');
}

function jsonAnyValue(value: unknown, depth: number): AttributeValue {
  if (depth > MAX_VALUE_DEPTH) throw new RecordError(`a value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new RecordError('a value must be an AnyValue object such as {"stringValue": "…"}');
  const s = pick(value, 'stringValue');
  if (s !== undefined) return jsonString(s, 'stringValue');
  const b = pick(value, 'boolValue');
  if (b !== undefined) {
    if (typeof b !== 'boolean') throw new RecordError('boolValue must be true or false');
    return b;
  }
  const i = pick(value, 'intValue');
  if (i !== undefined) return jsonInt64(i);
  const d = pick(value, 'doubleValue');
  if (d !== undefined) return jsonDoubleValue(d);
  const bytes = pick(value, 'bytesValue');
  if (bytes !== undefined) return jsonString(bytes, 'bytesValue');
  const array = pick(value, 'arrayValue');
  if (array !== undefined) {
    const values = isObject(array) ? (array.values ?? []) : undefined;
    if (!Array.isArray(values)) throw new RecordError('arrayValue must be {"values": [AnyValue, …]}');
    return values.map((v) => jsonAnyValue(v, depth + 1));
  }
  const kvlist = pick(value, 'kvlistValue');
  if (kvlist !== undefined) {
    const values = isObject(kvlist) ? (kvlist.values ?? []) : undefined;
    if (!Array.isArray(values)) throw new RecordError('kvlistValue must be {"values": [KeyValue, …]}');
    const map: Attributes = {};
    for (const kv of values) jsonKeyValue(kv, map, depth + 1);
    return map;
  }
  return null;
}

function jsonKeyValue(kv: unknown, into: Attributes, depth: number): void {
  if (!isObject(kv)) throw new RecordError('an attribute must be {"key": …, "value": AnyValue}');
  const key = kv.key;
  if (typeof key !== 'string') throw new RecordError('an attribute key must be a string');
  setAttribute(into, key, jsonAnyValue(kv.value, depth));
}

function jsonAttributes(list: unknown, into: Attributes): Attributes {
  if (list === undefined || list === null) return into;
  if (!Array.isArray(list)) throw new RecordError('attributes must be an array of {"key", "value"}');
  for (const kv of list) jsonKeyValue(kv, into, 1);
  return into;
}

// --- records ---

const SEVERITY_NAMES: Record<string, number> = Object.fromEntries(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level, i) =>
    ['', '2', '3', '4'].map((suffix, j) => [`SEVERITY_NUMBER_${level}${suffix}`, i * 4 + j + 1]),
  ),
);
const KIND_NAMES: Record<string, number> = {
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Runs `read`; if the field is malformed, notes why and returns `fallback` (log records keep going). */
function lenient<T>(problems: string[], fallback: T, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    problems.push(`${error.message}; ignored`);
    return fallback;
  }
}

export function jsonLogRecord(value: unknown): OtlpLogIn {
  if (!isObject(value)) throw new RecordError('a log record must be an object');
  const problems: string[] = [];
  const body = pick(value, 'body');
  return {
    timeNanos: lenient(problems, undefined, () => jsonNanos(pick(value, 'timeUnixNano'), 'timeUnixNano')),
    observedNanos: lenient(problems, undefined, () => jsonNanos(pick(value, 'observedTimeUnixNano'), 'observedTimeUnixNano')),
    severityNumber: jsonEnum(pick(value, 'severityNumber'), 'severityNumber', SEVERITY_NAMES),
    severityText: jsonString(pick(value, 'severityText'), 'severityText'),
    body: body === undefined || body === null ? undefined : jsonAnyValue(body, 1),
    attributes: jsonAttributes(pick(value, 'attributes'), {}),
    flags: lenient(problems, 0, () => jsonInteger(pick(value, 'flags'), 'flags')),
    traceId: lenient(problems, '', () => jsonId(pick(value, 'traceId'), 'traceId')),
    spanId: lenient(problems, '', () => jsonId(pick(value, 'spanId'), 'spanId')),
    eventName: jsonString(pick(value, 'eventName'), 'eventName'),
    problems,
  };
}

function jsonEvent(value: unknown): OtlpEventIn {
  if (!isObject(value)) throw new RecordError('events must hold objects');
  return {
    timeNanos: jsonNanos(pick(value, 'timeUnixNano'), 'events.timeUnixNano'),
    name: jsonString(value.name, 'events.name'),
    attributes: jsonAttributes(value.attributes, {}),
  };
}

function jsonLink(value: unknown): OtlpLinkIn {
  if (!isObject(value)) throw new RecordError('links must hold objects');
  return { traceId: jsonId(pick(value, 'traceId'), 'links.traceId'), spanId: jsonId(pick(value, 'spanId'), 'links.spanId') };
}

function jsonList<T>(value: unknown, field: string, read: (v: unknown) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RecordError(`${field} must be an array`);
  return value.map(read);
}

export function jsonSpan(value: unknown): OtlpSpanIn {
  if (!isObject(value)) throw new RecordError('a span must be an object');
  if (value.status !== undefined && value.status !== null && !isObject(value.status)) throw new RecordError('status must be an object');
  const status = isObject(value.status) ? value.status : undefined;
  return {
    traceId: jsonId(pick(value, 'traceId'), 'traceId'),
    spanId: jsonId(pick(value, 'spanId'), 'spanId'),
    parentSpanId: jsonId(pick(value, 'parentSpanId'), 'parentSpanId'),
    name: jsonString(value.name, 'name'),
    kind: jsonEnum(value.kind, 'kind', KIND_NAMES),
    startNanos: jsonNanos(pick(value, 'startTimeUnixNano'), 'startTimeUnixNano'),
    endNanos: jsonNanos(pick(value, 'endTimeUnixNano'), 'endTimeUnixNano'),
    attributes: jsonAttributes(value.attributes, {}),
    events: jsonList(value.events, 'events', jsonEvent),
    links: jsonList(value.links, 'links', jsonLink),
    statusCode: status ? jsonEnum(status.code, 'status.code', STATUS_NAMES) : 0,
    statusMessage: status ? jsonString(status.message, 'status.message') : '',
  };
}

// --- the request: resource groups → scope groups → records ---

function jsonScope(value: unknown): OtlpScope {
  const scope = emptyScope();
  if (value === undefined || value === null) return scope;
  if (!isObject(value)) throw new RecordError('must be an object');
  scope.name = jsonString(value.name, 'name');
  scope.version = jsonString(value.version, 'version');
  jsonAttributes(value.attributes, scope.attributes);
  return scope;
}

function problemOf(error: unknown): string {
  if (error instanceof RecordError) return error.message;
  throw error;
}

/** The pre-1.0 names of the scope containers, which some old exporters still send. */
const LEGACY_SCOPES: Record<string, string> = { scopeLogs: 'instrumentationLibraryLogs', scopeSpans: 'instrumentationLibrarySpans' };

function arrayLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/**
 * Reads an Export*ServiceRequest object. A body that is not such an object throws OTLP_BAD_JSON; a bad record
 * is rejected alone; a resource or scope whose own fields are bad rejects the records under it (one, when
 * they cannot even be counted).
 */
export function readJsonRequest<R>(root: unknown, names: OtlpNames, readRecord: (v: unknown) => R, out: DecodeCollector): OtlpGroup<R>[] {
  const request = `an OTLP/JSON export request: {"${names.resources}": [ … ]}`;
  if (!isObject(root)) throw new LogstitchError('OTLP_BAD_JSON', `the body is JSON but not an object: expected ${request}`);
  const resources = pick(root, names.resources) ?? [];
  if (!Array.isArray(resources)) throw new LogstitchError('OTLP_BAD_JSON', `${names.resources} is not an array: expected ${request}`);
  const groups: OtlpGroup<R>[] = [];
  resources.forEach((rg: unknown, ri) => {
    const resourcePath = `${names.resources}[${ri}]`;
    if (!isObject(rg)) return out.reject(resourcePath, 'must be an object');
    const scopes = pick(rg, names.scopes) ?? pick(rg, LEGACY_SCOPES[names.scopes] ?? names.scopes) ?? [];
    if (!Array.isArray(scopes)) return out.reject(resourcePath, `${names.scopes} must be an array`);
    const resource: Attributes = {};
    try {
      const header = rg.resource;
      if (header !== undefined && header !== null && !isObject(header)) throw new RecordError('must be an object');
      if (isObject(header)) jsonAttributes(header.attributes, resource);
    } catch (error) {
      const count = scopes.reduce((n: number, s: unknown) => n + (isObject(s) ? arrayLength(pick(s, names.records)) : 1), 0);
      return out.reject(resourcePath, `resource: ${problemOf(error)}`, count);
    }
    scopes.forEach((sg: unknown, si) => {
      const scopePath = `${resourcePath}.${names.scopes}[${si}]`;
      if (!isObject(sg)) return out.reject(scopePath, 'must be an object');
      const records = pick(sg, names.records) ?? [];
      if (!Array.isArray(records)) return out.reject(scopePath, `${names.records} must be an array`);
      let scope: OtlpScope;
      try {
        scope = jsonScope(sg.scope ?? pick(sg, 'instrumentationLibrary'));
      } catch (error) {
        return out.reject(scopePath, `scope: ${problemOf(error)}`, records.length);
      }
      const group: OtlpGroup<R> = { resourceIndex: ri, scopeIndex: si, resource, scope, records: [] };
      records.forEach((value: unknown, index) => {
        try {
          group.records.push({ index, record: readRecord(value) });
        } catch (error) {
          out.reject(`${scopePath}.${names.records}[${index}]`, problemOf(error));
        }
      });
      groups.push(group);
    });
  });
  return groups;
}
