// How records become request bodies: logstitch's NDJSON of marked lines for `POST /ingest`, or
// OTLP/HTTP JSON for `POST /v1/logs` (an OpenTelemetry Collector, or the indexer's OTLP receiver).
import type { AttributeValue, LogRecord, Span } from '../model/records.js';
import { markedLine } from './marked.js';

export interface Encoder {
  /** The path appended to the sink URL. */
  path: string;
  contentType: string;
  /** One record's text, and the group it must be sent under ('' when there are no groups). */
  record(log: LogRecord, span: Span | undefined): { text: string; group: string };
  /** Whether `body` needs each record's place and group. */
  grouped: boolean;
  /** The request body for a batch: `records` holds one record per line; `offsets` says where each starts. */
  body(records: Buffer, offsets: number[] | undefined, groups: string[]): Buffer;
}

export const nativeEncoder: Encoder = {
  path: '/ingest',
  contentType: 'application/x-ndjson',
  record: (log, span) => ({ text: markedLine(log, span), group: '' }),
  grouped: false,
  // The records are NDJSON already.
  body: (records) => records,
};

function anyValue(value: AttributeValue): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (value === null) return {};
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: keyValues(value) } };
}

function keyValues(attributes: Record<string, AttributeValue>): unknown[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

const SEPARATOR = '\u0000';

/** OTLP's JSON encoding: IDs as hex, 64-bit integers as strings, times in ns. */
export const otlpEncoder: Encoder = {
  path: '/v1/logs',
  contentType: 'application/json',
  record(log) {
    const attributes: Record<string, AttributeValue> = { ...log.attributes };
    if (log.aliases !== undefined && log.aliases.length > 0) attributes.trace_alias = log.aliases[0]!;
    if (log.parseError !== undefined) attributes['logstitch.parse_error'] = log.parseError;
    const record: Record<string, unknown> = {
      timeUnixNano: `${log.time}000`,
      severityNumber: log.severityNumber,
      body: { stringValue: log.body },
      attributes: keyValues(attributes),
    };
    if (log.observedTime !== undefined) record.observedTimeUnixNano = `${log.observedTime}000`;
    if (log.severityText !== undefined) record.severityText = log.severityText;
    if (log.traceId !== undefined) {
      record.traceId = log.traceId;
      if (log.spanId !== undefined) record.spanId = log.spanId;
      record.flags = log.traceFlags ?? 0;
    }
    return { text: JSON.stringify(record), group: `${log.service ?? ''}${SEPARATOR}${log.host ?? ''}` };
  },
  grouped: true,
  body(records, offsets, groups) {
    const byGroup = new Map<string, string[]>();
    (offsets ?? []).forEach((start, i) => {
      const end = offsets![i + 1] ?? records.length;
      // Each record ends with its newline.
      const text = records.toString('utf8', start, end - 1);
      const group = groups[i] ?? SEPARATOR;
      let list = byGroup.get(group);
      if (list === undefined) byGroup.set(group, (list = []));
      list.push(text);
    });
    const resourceLogs = [...byGroup].map(([group, records]) => {
      const [service, host] = group.split(SEPARATOR);
      const resource: Array<{ key: string; value: unknown }> = [];
      if (service) resource.push({ key: 'service.name', value: { stringValue: service } });
      if (host) resource.push({ key: 'host.name', value: { stringValue: host } });
      const scope = '{"scope":{"name":"logstitch-agent"},"logRecords":[';
      return `{"resource":{"attributes":${JSON.stringify(resource)}},"scopeLogs":[${scope}${records.join(',')}]}]}`;
    });
    return Buffer.from(`{"resourceLogs":[${resourceLogs.join(',')}]}`);
  },
};
