// The receivers with real senders: a stock OpenTelemetry Node SDK (protobuf and JSON) and the zipkin client.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startIndexer, type TestIndexer } from '../helpers/indexer.js';

let indexer: TestIndexer;
beforeAll(async () => {
  indexer = await startIndexer();
});
afterAll(async () => {
  await indexer.dispose();
});

function runSdkChild(protocol: string): Promise<{ traceId: string; spanId: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./otel-sdk-child.mjs', import.meta.url))], {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: indexer.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_SERVICE_NAME: `payments-${protocol.replace('/', '-')}`,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_NODE_RESOURCE_DETECTORS: 'env',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as { traceId: string; spanId: string });
      else reject(new Error(`SDK child exited ${code}: ${err}`));
    });
  });
}

describe('OTLP/HTTP from a stock @opentelemetry/sdk-node', () => {
  it.each(['http/protobuf', 'http/json'])('%s: spans and logs come back through /api/traces/:id', async (protocol) => {
    const { traceId, spanId } = await runSdkChild(protocol);
    const reply = await getJson(`${indexer.url}/api/traces/${traceId}`);
    expect(reply.status).toBe(200);
    const service = `payments-${protocol.replace('/', '-')}`;
    const spans = reply.body.spans as Array<Record<string, unknown>>;
    expect(spans).toHaveLength(2);
    const root = spans.find((s) => s.spanId === spanId)!;
    const child = spans.find((s) => s.spanId !== spanId)!;
    expect(root).toMatchObject({ name: 'checkout', kind: 'internal', service, origin: 'otlp', status: 'unset' });
    expect(root.parentSpanId).toBeUndefined();
    expect(child).toMatchObject({ name: 'charge card', parentSpanId: spanId, status: 'error', service });
    expect(child.start as number).toBeGreaterThanOrEqual(root.start as number);
    const logs = reply.body.logs as Array<Record<string, unknown>>;
    expect(logs.map((l) => l.body)).toEqual(['checkout started', 'payment provider timed out']);
    expect(logs[0]).toMatchObject({ traceId, spanId, severityNumber: 9, service, attributes: expect.objectContaining({ cart: 3 }) });
    expect(logs[1]).toMatchObject({ severityNumber: 17, spanId: child.spanId });
  }, 40_000);
});

describe('Zipkin v2 from the zipkin client', () => {
  it('spans sent by zipkin + zipkin-transport-http come back', async () => {
    const zipkin = (await import('zipkin')) as unknown as typeof import('zipkin');
    const { HttpLogger } = (await import('zipkin-transport-http')) as unknown as { HttpLogger: new (o: object) => { logSpan(span: unknown): void } };
    const recorder = new zipkin.BatchRecorder({ logger: new HttpLogger({ endpoint: `${indexer.url}/api/v2/spans`, jsonEncoder: zipkin.jsonEncoder.JSON_V2, httpInterval: 50, fetchImplementation: fetch }) });
    const tracer = new zipkin.Tracer({ ctxImpl: new zipkin.ExplicitContext(), recorder, localServiceName: 'legacy-billing', traceId128Bit: true });
    let traceId = '';
    tracer.local('compute invoice', () => {
      traceId = tracer.id.traceId;
      tracer.recordBinary('invoice', 'INV-7');
    });
    let reply = await getJson(`${indexer.url}/api/traces/${traceId}`);
    for (let i = 0; i < 100 && reply.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reply = await getJson(`${indexer.url}/api/traces/${traceId}`);
    }
    expect(reply.status).toBe(200);
    expect(reply.body.spans).toEqual([expect.objectContaining({ name: 'compute invoice', service: 'legacy-billing', origin: 'zipkin', attributes: expect.objectContaining({ invoice: 'INV-7' }) })]);
  });
});
