// Spans recorded by the real OpenTelemetry SDK and serialized by its own OTLP serializers (JSON and protobuf)
// come out of decodeOtlpTraces as the same spans: IDs, µs times, names, kinds, statuses, service, attributes.
import { context, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeOtlpTraces } from '../../src/ingest/otlp/index.js';
import type { Decoded } from '../../src/ingest/decoded.js';
import type { Attributes, Span } from '../../src/model/records.js';

const T0 = 1_732_406_400; // seconds; every span below starts at a known nanosecond so µs can be checked exactly
const at = (ms: number, extraNs = 0): HrTime => [T0 + Math.floor(ms / 1000), (ms % 1000) * 1_000_000 + extraNs];
const micros = (t: HrTime): number => t[0] * 1_000_000 + Math.floor(t[1] / 1000);

/** Records the checkout story with the real SDK and returns the finished spans. */
function recordCheckout(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'web-1', 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('checkout-lib', '1.2.3');
  const root = tracer.startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    startTime: at(0, 123_789),
    attributes: { 'http.request.method': 'GET', 'http.route': '/checkout', 'http.response.status_code': 200, ratio: 0.25, cached: false, tags: ['a', 'b'] },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const pay = tracer.startSpan('POST payments', { kind: SpanKind.CLIENT, startTime: at(5, 1) }, inRoot);
  pay.addEvent('retry', { attempt: 2 }, at(7));
  const failure = new Error('card declined');
  failure.name = 'PaymentError';
  pay.recordException(failure, at(9));
  pay.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed' });
  pay.end(at(10, 999));
  const publish = tracer.startSpan('orders publish', { kind: SpanKind.PRODUCER, startTime: at(11) }, inRoot);
  publish.end(at(12));
  const consume = tracer.startSpan(
    'orders process',
    { kind: SpanKind.CONSUMER, startTime: at(13), links: [{ context: publish.spanContext() }] },
    inRoot,
  );
  consume.setStatus({ code: SpanStatusCode.OK });
  consume.end(at(20));
  const render = tracer.startSpan('render', { startTime: at(21) }, inRoot);
  render.end(at(21)); // zero duration
  root.end(at(25, 500));
  return exporter.getFinishedSpans();
}

const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS_NAMES = ['unset', 'ok', 'error'] as const;

/** What logstitch should store for a span the SDK recorded, worked out from the SDK's own object. */
function expectedSpan(rs: ReadableSpan): Span {
  const span: Span = {
    traceId: rs.spanContext().traceId,
    spanId: rs.spanContext().spanId,
    name: rs.name,
    kind: KIND_NAMES[rs.kind]!,
    start: micros(rs.startTime),
    duration: micros(rs.endTime) - micros(rs.startTime),
    status: STATUS_NAMES[rs.status.code]!,
    service: 'checkout',
    origin: 'otlp',
  };
  if (rs.parentSpanContext?.spanId) span.parentSpanId = rs.parentSpanContext.spanId;
  return span;
}

function expectedAttributes(rs: ReadableSpan): Attributes {
  const { 'service.name': _service, 'host.name': _host, ...resource } = rs.resource.attributes;
  return { ...(resource as Attributes), 'otel.scope.name': 'checkout-lib', 'otel.scope.version': '1.2.3', ...(rs.attributes as Attributes) };
}

const spans = recordCheckout();
const json = Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);
const protobuf = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
const decoded: Record<'json' | 'protobuf', Decoded> = {
  json: decodeOtlpTraces(json, 'json'),
  protobuf: decodeOtlpTraces(protobuf, 'protobuf'),
};

describe.each(['json', 'protobuf'] as const)('OTLP traces from the real SDK, %s', (encoding) => {
  const out = decoded[encoding];
  const byName = (name: string): Span => out.spans.find((s) => s.name === name)!;

  it('keeps every span and rejects none', () => {
    expect(out.rejected).toBe(0);
    expect(out.errors).toEqual([]);
    expect(out.logs).toEqual([]);
    expect(out.aliases).toEqual([]);
    expect(out.spans).toHaveLength(spans.length);
  });

  it('gives back what went in: IDs, µs times, names, kinds, statuses, parents, service', () => {
    for (const rs of spans) {
      const got = byName(rs.name);
      const { attributes, ...rest } = got;
      expect(rest).toEqual(expectedSpan(rs));
      expect(attributes).toMatchObject(expectedAttributes(rs));
    }
  });

  it('reads times to the microsecond and covers every kind', () => {
    expect(byName('GET /checkout')).toMatchObject({ start: T0 * 1_000_000 + 123, duration: 25_000 - 123, kind: 'server', status: 'unset' });
    expect(byName('POST payments')).toMatchObject({ start: T0 * 1_000_000 + 5_000, duration: 5_000, kind: 'client', status: 'error' });
    expect(byName('orders publish').kind).toBe('producer');
    expect(byName('orders process')).toMatchObject({ kind: 'consumer', status: 'ok' });
    expect(byName('render')).toMatchObject({ kind: 'internal', duration: 0 });
  });

  it('lifts the service and host out of the attributes and keeps typed values', () => {
    const root = byName('GET /checkout');
    expect(root.service).toBe('checkout');
    expect(root.attributes).not.toHaveProperty(['service.name']);
    expect(root.attributes).not.toHaveProperty(['host.name']);
    expect(root.attributes).toMatchObject({ 'http.response.status_code': 200, ratio: 0.25, cached: false, tags: ['a', 'b'], 'deployment.environment': 'test' });
  });

  it('keeps the error status message, the exception and the events compactly', () => {
    const attributes = byName('POST payments').attributes!;
    expect(attributes.error).toBe('payment failed');
    expect(attributes['exception.type']).toBe('PaymentError');
    expect(attributes['exception.message']).toBe('card declined');
    expect(String(attributes['exception.stacktrace'])).toContain('card declined');
    expect(attributes.events).toEqual([
      { name: 'retry', time: micros(at(7)), attributes: { attempt: 2 } },
      { name: 'exception', time: micros(at(9)), attributes: { 'exception.type': 'PaymentError', 'exception.message': 'card declined' } },
    ]);
  });

  it('keeps links to other spans', () => {
    const publish = byName('orders publish');
    expect(byName('orders process').attributes!.links).toEqual([{ traceId: publish.traceId, spanId: publish.spanId }]);
  });
});

describe('OTLP traces, JSON and protobuf agree', () => {
  it('decodes both encodings of one export to the same spans', () => {
    expect(decoded.json.spans).toEqual(decoded.protobuf.spans);
  });

  it('accepts proto snake_case keys, uppercase hex, numeric int64 and enum names in JSON', () => {
    const request = JSON.parse(json.toString('utf8'));
    const span = request.resourceSpans[0].scopeSpans[0].spans[0];
    const snake = {
      trace_id: span.traceId.toUpperCase(),
      span_id: span.spanId,
      name: span.name,
      kind: 'SPAN_KIND_SERVER',
      start_time_unix_nano: Number(span.startTimeUnixNano),
      end_time_unix_nano: span.endTimeUnixNano,
      status: { code: 'STATUS_CODE_ERROR' },
      attributes: [{ key: 'big', value: { int_value: '9007199254740993' } }],
    };
    const body = Buffer.from(JSON.stringify({ resource_spans: [{ scope_spans: [{ spans: [snake] }] }] }));
    const out = decodeOtlpTraces(body, 'json');
    expect(out.rejected).toBe(0);
    expect(out.spans[0]).toMatchObject({ traceId: span.traceId, spanId: span.spanId, kind: 'server', status: 'error' });
    expect(out.spans[0]!.attributes!.big).toBe('9007199254740993');
    // A float64 nanosecond count is exact only to ~256 ns; the µs start may differ by one at most.
    expect(Math.abs(out.spans[0]!.start - Number(BigInt(span.startTimeUnixNano) / 1000n))).toBeLessThanOrEqual(1);
  });
});
