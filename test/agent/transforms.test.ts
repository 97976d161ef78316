// What the agent does to records on the way: multiline stack traces joined, span-end lines turned into
// spans by the indexer, redaction, service from the path, drop/keep filters, and the OTLP sink.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { startIndexer, type TestIndexer } from '../helpers/indexer.js';
import { allLogs, startTestAgent, tempDir, testConfig, waitFor } from './helpers.js';

let indexer: TestIndexer | undefined;
let agent: Agent | undefined;
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await agent?.stop(500);
  agent = undefined;
  await indexer?.dispose();
  indexer = undefined;
  for (const d of dirs.splice(0)) d.remove();
});

function dirsFor(name: string) {
  const logs = tempDir(name);
  const data = tempDir(`${name}-data`);
  dirs.push(logs, data);
  return { logs: logs.dir, data: data.dir };
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('transforms', () => {
  it('joins a Java stack trace under its log line into one record', async () => {
    indexer = await startIndexer();
    const { logs, data } = dirsFor('multiline');
    const trace = [
      '2024-03-10 12:00:01.123 ERROR [main] c.a.Checkout - payment failed',
      'java.lang.IllegalStateException: card declined',
      '\tat com.acme.Payment.charge(Payment.java:42)',
      '\tat com.acme.Checkout.run(Checkout.java:17)',
      'Caused by: java.io.IOException: connection reset',
      '\t... 2 more',
    ];
    writeFileSync(join(logs, 'java.log'), [
      '2024-03-10 12:00:00.000 INFO [main] c.a.Checkout - started',
      ...trace,
      '2024-03-10 12:00:02.000 INFO [main] c.a.Checkout - next request',
    ].join('\n') + '\n');
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')], multiline: true, partial_line_timeout: '200ms' }], sink: { url: indexer.url } }));
    await waitFor('three records', async () => (await allLogs(indexer!.store)).length === 3);
    const stored = await allLogs(indexer.store);
    const error = stored.find((l) => l.body.includes('payment failed'))!;
    expect(error.body).toContain('card declined');
    expect(error.body).toContain('Payment.java:42');
    expect(error.body).toContain('... 2 more');
    expect(error.severityNumber).toBeGreaterThanOrEqual(17);
    expect(agent.metrics.linesRead).toBe(8);
  });

  it('ships span-end lines so that the indexer derives their spans, and keeps trace aliases', async () => {
    indexer = await startIndexer();
    const { logs, data } = dirsFor('spans');
    const now = Date.now();
    writeFileSync(join(logs, 'svc.log'), [
      JSON.stringify({ level: 30, time: now, msg: 'checkout started', trace_id: TRACE, span_id: '00f067aa0ba902b7', trace_flags: '01', trace_alias: 'abc-123', service: 'checkout' }),
      JSON.stringify({ level: 30, time: now + 35, msg: 'server span POST /checkout 200 in 35.1 ms', trace_id: TRACE, span_id: 'a9c25ce414550e2c', trace_flags: '01', service: 'checkout',
        span_end: { name: 'POST /checkout', kind: 'server', start_us: now * 1000, duration_us: 35118, status: 'unset', parent_span_id: '00f067aa0ba902b7', http: { method: 'POST', route: '/checkout', status_code: 200 } } }),
    ].join('\n') + '\n');
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')] }], sink: { url: indexer.url } }));
    await waitFor('the trace stored', async () => ((await indexer!.store.trace(TRACE))?.spans.length ?? 0) === 1);
    const trace = (await indexer.store.trace('abc-123'))!;
    expect(trace.traceId).toBe(TRACE);
    expect(trace.logs).toHaveLength(2);
    expect(trace.spans[0]).toMatchObject({ name: 'POST /checkout', kind: 'server', duration: 35118, parentSpanId: '00f067aa0ba902b7', origin: 'span-end-line', service: 'checkout' });
    expect(trace.spans[0]!.attributes).toMatchObject({ 'http.method': 'POST', 'http.status_code': 200 });
  });

  it('redacts, names the service from the path, and applies level and body filters', async () => {
    indexer = await startIndexer();
    const { logs, data } = dirsFor('filters');
    mkdirSync(join(logs, 'payments'));
    writeFileSync(join(logs, 'payments', 'app.log'), [
      JSON.stringify({ level: 20, msg: 'debug noise' }),
      JSON.stringify({ level: 30, msg: 'GET /healthz 200' }),
      JSON.stringify({ level: 30, msg: 'login ok password=hunter2 card 4111 1111 1111 1111', user: { password: 'hunter2' } }),
      JSON.stringify({ level: 50, msg: 'charge failed' }),
    ].join('\n') + '\n');
    agent = await startTestAgent(testConfig({
      data_dir: data,
      sources: [{ include: [join(logs, '*', '*.log')], service_from_path: join(logs, '{service}', '*.log'), min_level: 'info', drop: ['healthz'], attributes: { env: 'test' } }],
      sink: { url: indexer.url },
    }));
    await waitFor('two records', async () => (await allLogs(indexer!.store)).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stored = await allLogs(indexer.store);
    expect(stored.map((l) => l.service)).toEqual(['payments', 'payments']);
    expect(stored[0]!.body).not.toContain('hunter2');
    expect(stored[0]!.body).not.toContain('4111 1111 1111 1111');
    expect(JSON.stringify(stored[0]!.attributes)).not.toContain('hunter2');
    expect(stored[0]!.attributes?.env).toBe('test');
    expect(stored[1]!.body).toBe('charge failed');
    expect(agent.metrics.recordsDropped).toEqual({ level: 1, drop: 1, keep: 0 });
  });

  it('feeds an OpenTelemetry collector over OTLP/HTTP JSON (the indexer\'s /v1/logs)', async () => {
    indexer = await startIndexer();
    const { logs, data } = dirsFor('otlp');
    writeFileSync(join(logs, 'svc.log'), [
      JSON.stringify({ level: 50, time: Date.now(), msg: 'otlp error line', trace_id: TRACE, span_id: '00f067aa0ba902b7', trace_flags: '01', service: 'inventory', order: 17 }),
      'a plain text line',
    ].join('\n') + '\n');
    agent = await startTestAgent(testConfig({ data_dir: data, sources: [{ include: [join(logs, '*.log')] }], sink: { type: 'otlp', url: indexer.url } }));
    await waitFor('two records', async () => (await allLogs(indexer!.store)).length === 2);
    const stored = await allLogs(indexer.store);
    const error = stored.find((l) => l.body === 'otlp error line')!;
    expect(error).toMatchObject({ traceId: TRACE, spanId: '00f067aa0ba902b7', service: 'inventory', host: 'test-host', severityNumber: 17 });
    expect(error.attributes).toMatchObject({ order: 17, 'log.file.path': join(logs, 'svc.log') });
    expect(stored.find((l) => l.body === 'a plain text line')?.host).toBe('test-host');
    // The indexer stores a batch before its reply reaches the agent, so the count follows shortly after.
    await waitFor('the batch acknowledged', async () => agent!.metrics.batchesSent >= 1);
  });
});
