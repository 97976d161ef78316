// With a user's OpenTelemetry SDK and its http instrumentation running, our stamps equal its span IDs.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedPino, serve, tick, type TestServer } from '../helpers/servers.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
// The instrumentation patches node:http when it is required; an ES module test never requires it.
createRequire(import.meta.url)('node:http');

const { wrapHandler } = await import('../../adapters/http/index.js');
const { startSpan } = await import('../../src/context/index.js');

let server: TestServer;
const seen: Array<{ otelTrace: string; otelSpan: string; innerOtelSpan: string; innerStamp: string }> = [];
const log = capturedPino('otel-svc');

beforeAll(async () => {
  server = await serve(
    wrapHandler(
      (_req, res) => {
        const sc = trace.getActiveSpan()!.spanContext();
        log.logger.info('inside the SDK server span');
        startSpan('load-cart', () => {
          log.logger.info('inside our child span');
          seen.push({
            otelTrace: sc.traceId,
            otelSpan: sc.spanId,
            innerOtelSpan: trace.getActiveSpan()!.spanContext().spanId,
            innerStamp: '',
          });
        });
        res.end('ok');
      },
      { service: 'otel-svc', logger: log.logger },
    ),
  );
});

afterAll(async () => {
  await server.close();
  await provider.shutdown();
});

describe('OpenTelemetry interop', () => {
  it('stamps the IDs of the SDK active span, and our child spans are SDK spans too', async () => {
    // fetch, because the SDK's http.request instrumentation would start a client span of its own.
    const res = await fetch(`${server.url}/cart`, { headers: { 'x-trace-id': 'legacy-77' } });
    await res.text();
    await tick(50);
    expect(res.status).toBe(200);
    const [first] = seen;
    expect(first).toBeDefined();
    const lines = log.json();
    const outer = lines.find((l) => l.msg === 'inside the SDK server span')!;
    const inner = lines.find((l) => l.msg === 'inside our child span')!;
    expect(outer.trace_id).toBe(first!.otelTrace);
    expect(outer.span_id).toBe(first!.otelSpan);
    expect(inner.trace_id).toBe(first!.otelTrace);
    expect(inner.span_id).toBe(first!.innerOtelSpan);
    expect(inner.span_id).not.toBe(first!.otelSpan);
    // The legacy ID the SDK ignored is kept as an alias of the SDK's trace.
    expect(outer.trace_alias).toBe('legacy-77');
    // A request with only a legacy ID starts a root in the SDK; our server span-end line says so too.
    expect((lines.find((l) => (l.span_end as { kind?: string } | undefined)?.kind === 'server')?.span_end as { parent_span_id?: string }).parent_span_id).toBeUndefined();
    // The SDK recorded both spans with the same IDs we logged.
    const exported = exporter.getFinishedSpans();
    const server_ = exported.find((s) => s.spanContext().spanId === first!.otelSpan);
    const child = exported.find((s) => s.name === 'load-cart');
    expect(server_?.kind).toBe(1);
    expect(child?.spanContext().spanId).toBe(first!.innerOtelSpan);
    expect(child?.parentSpanContext?.spanId).toBe(first!.otelSpan);
    // Our span-end line for the server span names the SDK's span.
    const end = lines.find((l) => (l.span_end as { kind?: string } | undefined)?.kind === 'server');
    expect(end?.span_id).toBe(first!.otelSpan);
    expect(res.headers.get('x-trace-id')).toBe(first!.otelTrace);
    // The child's span-end line, written after the SDK span ended, still names the child.
    const childEnd = lines.find((l) => (l.span_end as { name?: string } | undefined)?.name === 'load-cart');
    expect(childEnd).toMatchObject({ span_id: first!.innerOtelSpan, span_end: { parent_span_id: first!.otelSpan } });
  });
});
