// Log records emitted through the real OpenTelemetry logs SDK and serialized by its own OTLP serializers
// come out of decodeOtlpLogs with the same time, severity, body, trace context, service and attributes.
import { context, trace, TraceFlags, type HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { decodeOtlpLogs } from '../../src/ingest/otlp/index.js';
import type { Decoded } from '../../src/ingest/decoded.js';
import type { LogRecord } from '../../src/model/records.js';
import { nowMicros } from '../../src/model/time.js';

const T0 = 1_732_406_400;
const at = (ms: number, extraNs = 0): HrTime => [T0 + Math.floor(ms / 1000), (ms % 1000) * 1_000_000 + extraNs];
const micros = (t: HrTime): number => t[0] * 1_000_000 + Math.floor(t[1] / 1000);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const inSpan = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });

/** Emits the checkout service's log lines through the real SDK and returns the exported records. */
function emitCheckoutLogs(): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'web-1', 'service.version': '4.2.0' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('checkout-logs', '0.9.0');
  logger.emit({
    timestamp: at(1, 456_789),
    observedTimestamp: at(2),
    severityNumber: SeverityNumber.INFO,
    severityText: 'info',
    body: 'order placed',
    attributes: { 'order.id': 'A-17', items: 3, total: 41.5, gift: true, 'trace_alias': 'req-abc-123' },
    context: inSpan,
  });
  logger.emit({
    timestamp: at(3),
    severityNumber: SeverityNumber.ERROR2,
    severityText: 'ERROR',
    body: { message: 'payment failed', code: 402, retry: [1, 2] },
    attributes: { raw: new Uint8Array([0, 1, 2, 250]), nested: { a: { b: 'deep' } }, list: ['x', 7] },
    context: inSpan,
  });
  logger.emit({ timestamp: at(4), severityNumber: SeverityNumber.WARN, body: 42 });
  logger.emit({ timestamp: at(5), severityText: 'debug', body: 'no number given', eventName: 'cart.viewed' });
  return exporter.getFinishedLogRecords();
}

const records = emitCheckoutLogs();
const json = Buffer.from(JsonLogsSerializer.serializeRequest(records)!);
const protobuf = Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!);
const before = nowMicros();
const decoded: Record<'json' | 'protobuf', Decoded> = {
  json: decodeOtlpLogs(json, 'json'),
  protobuf: decodeOtlpLogs(protobuf, 'protobuf'),
};
const after = nowMicros();

describe.each(['json', 'protobuf'] as const)('OTLP logs from the real SDK, %s', (encoding) => {
  const out = decoded[encoding];
  const logs = out.logs;

  it('keeps every record and rejects none', () => {
    expect(out).toMatchObject({ rejected: 0, errors: [], spans: [] });
    expect(logs).toHaveLength(records.length);
  });

  it('gives back time, severity, body, trace context and service', () => {
    expect(logs[0]).toMatchObject({
      time: micros(at(1, 456_789)),
      severityNumber: 9,
      severityText: 'info',
      body: 'order placed',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
      service: 'checkout',
      host: 'web-1',
    });
    expect(logs[0]!.time).toBe(T0 * 1_000_000 + 1_456);
    expect(logs[0]!.observedTime).toBeGreaterThanOrEqual(before);
    expect(logs[0]!.observedTime).toBeLessThanOrEqual(after);
  });

  it('flattens resource, scope and record attributes, keeping their types', () => {
    const { 'service.name': _service, 'host.name': _host, ...resource } = records[0]!.resource.attributes;
    expect(resource).toEqual({ 'service.version': '4.2.0' });
    expect(logs[0]!.attributes).toEqual({
      'service.version': '4.2.0',
      'otel.scope.name': 'checkout-logs',
      'otel.scope.version': '0.9.0',
      'order.id': 'A-17',
      items: 3,
      total: 41.5,
      gift: true,
      trace_alias: 'req-abc-123',
    });
  });

  it('writes structured bodies as JSON and bytes as base64', () => {
    expect(logs[1]).toMatchObject({ severityNumber: 18, severityText: 'ERROR', traceId: TRACE_ID });
    expect(JSON.parse(logs[1]!.body)).toEqual({ message: 'payment failed', code: 402, retry: [1, 2] });
    expect(logs[1]!.attributes).toMatchObject({ raw: 'AAEC+g==', nested: { a: { b: 'deep' } }, list: ['x', 7] });
    expect(logs[2]).toMatchObject({ body: '42', severityNumber: 13 });
  });

  it('leaves out trace context a record does not have', () => {
    expect(logs[2]).not.toHaveProperty('traceId');
    expect(logs[2]).not.toHaveProperty('spanId');
    expect(logs[2]).not.toHaveProperty('traceFlags');
  });

  it('derives severity from the text when the number is unspecified, and keeps the event name', () => {
    expect(logs[3]).toMatchObject({ severityNumber: 5, severityText: 'debug', body: 'no number given' });
    expect(logs[3]!.attributes!['event.name']).toBe('cart.viewed');
  });

  it('links a trace_alias attribute to the record trace ID', () => {
    expect(out.aliases).toEqual([{ alias: 'req-abc-123', traceId: TRACE_ID }]);
  });
});

describe('OTLP logs, JSON and protobuf agree', () => {
  const strip = (logs: LogRecord[]) => logs.map(({ observedTime: _o, ...rest }) => rest);

  it('decodes both encodings of one export to the same records', () => {
    expect(strip(decoded.json.logs)).toEqual(strip(decoded.protobuf.logs));
  });
});

describe('OTLP logs, time fallbacks', () => {
  const request = () => JSON.parse(json.toString('utf8'));
  const first = (r: any) => r.resourceLogs[0].scopeLogs[0].logRecords[0];

  it('uses observedTimeUnixNano when timeUnixNano is absent or zero', () => {
    const r = request();
    delete first(r).timeUnixNano;
    r.resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano = '0';
    const out = decodeOtlpLogs(Buffer.from(JSON.stringify(r)), 'json');
    expect(out.logs[0]!.time).toBe(micros(at(2)));
    expect(out.logs[1]!.time).toBe(micros(records[1]!.hrTimeObserved));
  });

  it('uses the time of decoding when neither is there', () => {
    const r = request();
    delete first(r).timeUnixNano;
    delete first(r).observedTimeUnixNano;
    const start = nowMicros();
    const out = decodeOtlpLogs(Buffer.from(JSON.stringify(r)), 'json');
    expect(out.logs[0]!.time).toBeGreaterThanOrEqual(start);
    expect(out.logs[0]!.time).toBeLessThanOrEqual(nowMicros());
  });

  it('keeps a record whose time is malformed, says so, and falls back', () => {
    const r = request();
    first(r).timeUnixNano = 'yesterday';
    const out = decodeOtlpLogs(Buffer.from(JSON.stringify(r)), 'json');
    expect(out.rejected).toBe(0);
    expect(out.logs).toHaveLength(records.length);
    expect(out.logs[0]!.time).toBe(micros(at(2)));
    expect(out.errors).toEqual([expect.stringMatching(/^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]: timeUnixNano must be nanoseconds/)]);
  });
});
