// The correlation engine through the indexer's API: traces stitched through aliases, clock offsets learned
// across traces, error rates derived at ingest, coverage, and Prometheus text.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { traceIdFromLegacy } from '../../src/model/ids.js';
import { getJson, postNdjson, startIndexer, type TestIndexer } from '../helpers/indexer.js';

let indexer: TestIndexer | undefined;
afterEach(async () => {
  await indexer?.dispose();
  indexer = undefined;
});

const hex = (seed: string, chars: number) => createHash('sha256').update(seed).digest('hex').slice(0, chars);
const MS = 1000;
const SEC = 1_000_000;
/** A minute boundary a little in the past, µs. */
const BASE = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60 * SEC;

interface SpanLine {
  trace: string;
  span: string;
  parent?: string;
  service: string;
  name: string;
  kind: 'server' | 'client';
  start: number;
  duration: number;
  status?: 'ok' | 'error';
  http?: Record<string, string | number>;
}

/** A span-end line as our http adapter writes it. */
function spanEnd(s: SpanLine): string {
  return JSON.stringify({
    level: s.status === 'error' ? 50 : 30,
    time: Math.round((s.start + s.duration) / 1000),
    service: s.service,
    trace_id: s.trace,
    span_id: s.span,
    msg: `${s.kind} span ${s.name}`,
    span_end: { name: s.name, kind: s.kind, start_us: s.start, duration_us: s.duration, status: s.status ?? 'ok', ...(s.parent !== undefined ? { parent_span_id: s.parent } : {}), ...(s.http !== undefined ? { http: s.http } : {}) },
  });
}

/** A marked record, as the agent ships a parsed legacy line. */
function marked(fields: Record<string, unknown>): string {
  return JSON.stringify({ '@logstitch': 1, severityNumber: 9, ...fields });
}

describe('stitching through aliases', () => {
  it('shows the lines of a service that logs only X-Request-ID, and an access log keyed by $request_id, in the trace', async () => {
    indexer = await startIndexer();
    const trace = hex('stitch', 32);
    const legacy = traceIdFromLegacy('abc-123')!.traceId;
    await postNdjson(indexer.url, [
      JSON.stringify({ level: 30, time: (BASE + 1 * MS) / 1000, service: 'checkout', trace_id: trace, span_id: hex('s1', 16), trace_alias: 'abc-123', msg: 'calling inventory with X-Request-ID abc-123' }),
      spanEnd({ trace, span: hex('s1', 16), service: 'checkout', name: 'POST /checkout', kind: 'server', start: BASE, duration: 900 * MS }),
    ]);
    // What the agent sends for `2026-11-24 10:00:00 INFO request_id=abc-123 stock reserved` and for an nginx line.
    await postNdjson(indexer.url, [
      marked({ time: BASE + 300 * MS, body: 'request_id=abc-123 stock reserved', service: 'inventory', traceId: legacy, aliases: ['abc-123'] }),
      marked({ time: BASE + 800 * MS, body: 'GET /stock HTTP/1.1 200', service: 'nginx', traceId: legacy, aliases: ['abc-123'], attributes: { 'http.method': 'GET', 'http.target': '/stock', 'http.status_code': 200, duration_us: 600 * MS } }),
    ]);
    for (const id of [trace, 'abc-123', legacy]) {
      const reply = await getJson(`${indexer.url}/api/traces/${id}`);
      expect(reply.status).toBe(200);
      const view = reply.body as any;
      expect(view.traceId).toBe(id === trace ? trace : view.traceId);
      expect([...view.traceIds].sort()).toEqual([trace, legacy].sort());
      expect(view.logs.map((l: any) => l.body)).toEqual(expect.arrayContaining(['request_id=abc-123 stock reserved', 'GET /stock HTTP/1.1 200', 'calling inventory with X-Request-ID abc-123']));
      const stitch = view.stitches.find((s: any) => s.alias === 'abc-123' && s.traceId === trace);
      expect(stitch.joinedBy).toMatchObject({ service: 'checkout', body: 'calling inventory with X-Request-ID abc-123' });
      // The access-log line became a derived span of nginx; inventory, with lines only, a log-extent span.
      expect(view.spans).toEqual(expect.arrayContaining([
        expect.objectContaining({ service: 'nginx', origin: 'access-log', derived: true, duration: 600 * MS }),
        expect.objectContaining({ service: 'inventory', origin: 'log-extent', derived: true }),
        expect.objectContaining({ service: 'checkout', origin: 'span-end-line', derived: true }),
      ]));
    }
  });

  it('answers 404 naming the ID for an unknown trace or alias', async () => {
    indexer = await startIndexer();
    const reply = await getJson(`${indexer.url}/api/traces/nobody-knows-me`);
    expect(reply.status).toBe(404);
    expect(reply.body.error).toContain('nobody-knows-me');
  });
});

describe('clock skew', () => {
  /** checkout (true clock) calls shipping, whose clock runs 2 s ahead; the network takes 20–80 ms each way. */
  function skewedTrace(i: number): string[] {
    const trace = hex(`skew-${i}`, 32);
    const [root, call, served] = [hex(`r${i}`, 16), hex(`c${i}`, 16), hex(`s${i}`, 16)];
    const t = BASE + i * SEC;
    const out = 20 * MS + ((i * 7919) % 60) * MS;
    const back = 20 * MS + ((i * 104729) % 60) * MS;
    const work = 300 * MS;
    const ahead = 2 * SEC;
    return [
      spanEnd({ trace, span: root, service: 'checkout', name: 'POST /checkout', kind: 'server', start: t, duration: out + work + back + 100 * MS }),
      spanEnd({ trace, span: call, parent: root, service: 'checkout', name: 'POST shipping', kind: 'client', start: t + 50 * MS, duration: out + work + back }),
      spanEnd({ trace, span: served, parent: call, service: 'shipping', name: 'POST /quote', kind: 'server', start: t + 50 * MS + out + ahead, duration: work }),
      JSON.stringify({ level: 30, time: (t + 50 * MS + out + ahead + 10 * MS) / 1000, service: 'shipping', trace_id: trace, span_id: served, msg: 'quote computed' }),
    ];
  }

  it('learns a service clock 2 s ahead across traces and nests its spans and lines inside their callers', async () => {
    indexer = await startIndexer();
    await postNdjson(indexer.url, Array.from({ length: 40 }, (_, i) => skewedTrace(i)).flat());
    for (let i = 0; i < 30; i++) expect((await getJson(`${indexer.url}/api/traces/${hex(`skew-${i}`, 32)}`)).status).toBe(200);
    const view = (await getJson(`${indexer.url}/api/traces/${hex('skew-35', 32)}`)).body as any;
    const offset = view.skew.find((s: any) => s.service === 'shipping');
    expect(offset.source).toBe('learned');
    expect(Math.abs(offset.offsetUs + 2 * SEC)).toBeLessThan(50 * MS);
    const call = view.spans.find((s: any) => s.kind === 'client');
    const served = view.spans.find((s: any) => s.service === 'shipping');
    expect(served.start).toBeGreaterThanOrEqual(call.start);
    expect(served.start + served.duration).toBeLessThanOrEqual(call.start + call.duration);
    expect(served.rawStart - served.start).toBe(-offset.offsetUs);
    const line = view.logs.find((l: any) => l.body === 'quote computed');
    expect(line.time).toBeGreaterThan(served.start);
    expect(line.rawTime - line.time).toBe(-offset.offsetUs);
  });
});

describe('error rates', () => {
  it('are exact per service from known counts: failed requests for services with spans, error lines for the rest', async () => {
    indexer = await startIndexer();
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) {
      lines.push(spanEnd({ trace: hex(`e${i}`, 32), span: hex(`es${i}`, 16), service: 'payments', name: 'POST /pay', kind: 'server', start: BASE + i * 100 * MS, duration: (i + 1) * MS, status: i % 100 < 7 ? 'error' : 'ok' }));
    }
    for (let i = 0; i < 50; i++) lines.push(JSON.stringify({ level: i < 5 ? 50 : 30, time: (BASE + i * MS) / 1000, service: 'batch-job', msg: `step ${i}` }));
    const ack = await postNdjson(indexer.url, lines);
    expect(ack.body.accepted).toBe(150);
    // A retried batch counts once; so does a request sent again in another batch.
    const more = Array.from({ length: 10 }, (_, k) => spanEnd({ trace: hex(`e${100 + k}`, 32), span: hex(`es${100 + k}`, 16), service: 'payments', name: 'POST /pay', kind: 'server', start: BASE + (100 + k) * 100 * MS, duration: (101 + k) * MS }));
    await postNdjson(indexer.url, more, { 'x-logstitch-batch-id': 'retry-1' });
    expect((await postNdjson(indexer.url, more, { 'x-logstitch-batch-id': 'retry-1' })).body.duplicate).toBe(true);
    await postNdjson(indexer.url, lines.slice(0, 10));
    const from = new Date(BASE / 1000 - 60_000).toISOString();
    const to = new Date(BASE / 1000 + 30 * 60_000).toISOString();
    const reply = await getJson(`${indexer.url}/api/metrics/errors?from=${from}&to=${to}&step=5m`);
    expect(reply.status).toBe(200);
    const totals = Object.fromEntries((reply.body.totals as any[]).map((t) => [t.service, t]));
    expect(totals.payments).toMatchObject({ requests: 110, errors: 7 });
    expect(totals.payments.errorRate).toBeCloseTo(7 / 110, 10);
    expect(totals['batch-job']).toMatchObject({ requests: 0, lines: 50, errorLines: 5, errorRate: 0.1 });
    // Durations 1..110 ms: p50 and p99 within the histogram's 5% of the true values.
    expect(Math.abs(totals.payments.p50 - 55 * MS) / (55 * MS)).toBeLessThan(0.06);
    expect(Math.abs(totals.payments.p99 - 109 * MS) / (109 * MS)).toBeLessThan(0.06);
    const series = (reply.body.series as any[]).find((s) => s.service === 'payments');
    expect(series.points.reduce((n: number, p: any) => n + p.requests, 0)).toBe(110);
    expect(reply.body.step).toBe(5 * 60 * SEC);

    const one = await getJson(`${indexer.url}/api/metrics/errors?service=batch-job&from=${from}&to=${to}`);
    expect((one.body.totals as any[]).map((t) => t.service)).toEqual(['batch-job']);
    expect((await getJson(`${indexer.url}/api/metrics/errors?step=often`)).status).toBe(400);
    expect((await getJson(`${indexer.url}/api/metrics/errors?from=${to}&to=${from}`)).status).toBe(400);

    const prom = await fetch(`${indexer.url}/metrics`);
    expect(prom.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await prom.text();
    expect(text).toContain('logstitch_requests_total{service="payments"} 110');
    expect(text).toContain('logstitch_request_errors_total{service="payments"} 7');
    expect(text).toContain('logstitch_error_log_lines_total{service="batch-job"} 5');
  });
});

describe('coverage', () => {
  it('reports the share of lines with a trace ID, a hop that starts a new trace, and an alias two traces claim', async () => {
    indexer = await startIndexer();
    const [t1, t2] = [hex('cov1', 32), hex('cov2', 32)];
    await postNdjson(indexer.url, [
      JSON.stringify({ level: 30, time: BASE / 1000, service: 'gateway', trace_id: t1, msg: 'in', trace_alias: 'order-7' }),
      JSON.stringify({ level: 30, time: BASE / 1000 + 1, service: 'gateway', msg: 'no trace here' }),
      JSON.stringify({ level: 30, time: BASE / 1000 + 2, service: 'legacy', trace_id: t2, msg: 'reused id', trace_alias: 'order-7' }),
      // gateway calls legacy, which drops the header and starts trace t2.
      spanEnd({ trace: t1, span: hex('g', 16), service: 'gateway', name: 'GET /', kind: 'server', start: BASE, duration: 500 * MS }),
      spanEnd({ trace: t1, span: hex('gc', 16), parent: hex('g', 16), service: 'gateway', name: 'GET legacy', kind: 'client', start: BASE + 10 * MS, duration: 400 * MS, http: { method: 'GET', url: 'http://legacy.internal/old?id=3' } }),
      // A request of another service that merely began meanwhile, on another path, is not the callee.
      spanEnd({ trace: hex('cov3', 32), span: hex('o', 16), service: 'orders', name: 'POST /orders', kind: 'server', start: BASE + 20 * MS, duration: 100 * MS, http: { method: 'POST', target: '/orders' } }),
      spanEnd({ trace: t2, span: hex('l', 16), service: 'legacy', name: 'GET /old', kind: 'server', start: BASE + 30 * MS, duration: 300 * MS, http: { method: 'GET', target: '/old?id=3' } }),
    ]);
    const reply = await getJson(`${indexer.url}/api/coverage?from=${BASE / 1000 - 60_000}&to=${BASE / 1000 + 600_000}`);
    expect(reply.status).toBe(200);
    const services = Object.fromEntries((reply.body.services as any[]).map((s) => [s.service, s]));
    expect(services.gateway).toMatchObject({ lines: 4, linesWithTrace: 3 });
    expect(services.gateway.share).toBeCloseTo(0.75);
    expect(reply.body.brokenHops).toEqual([{ from: 'gateway', to: 'legacy', count: 1, example: { clientTraceId: t1, serverTraceId: t2 } }]);
    expect(reply.body.ambiguousAliases).toEqual([{ alias: 'order-7', traceIds: [t1, t2].sort() }]);
  });
});

describe('tail sampling', () => {
  /** 100 checkouts, 7 failing, each a server span and a log line. */
  function checkouts(): string[] {
    const out: string[] = [];
    for (let i = 0; i < 100; i++) {
      const trace = hex(`tail-${i}`, 32);
      const failed = i % 100 < 7;
      out.push(spanEnd({ trace, span: hex(`ts${i}`, 16), service: 'checkout', name: 'POST /checkout', kind: 'server', start: BASE + i * 10 * MS, duration: 20 * MS, status: failed ? 'error' : 'ok' }));
      out.push(JSON.stringify({ level: failed ? 50 : 30, time: (BASE + i * 10 * MS + 5 * MS) / 1000, service: 'checkout', trace_id: trace, span_id: hex(`ts${i}`, 16), msg: failed ? 'card declined' : 'paid' }));
    }
    return out;
  }
  const range = () => `from=${BASE / 1000 - 60_000}&to=${BASE / 1000 + 600_000}`;

  it.each([false, true])('keeps error rates exact with sampling %s, and keeps whole traces when on', async (enabled) => {
    indexer = await startIndexer({ tailSampling: { enabled, decisionWaitMs: 100, policies: [{ type: 'error' }] } });
    expect((await postNdjson(indexer.url, checkouts())).status).toBe(200);
    // The sampler decides traces quiet for 100 ms and stores them within a second.
    const deadline = Date.now() + 10_000;
    while (enabled && (await getJson(`${indexer.url}/api/traces/${hex('tail-6', 32)}`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const metrics = await getJson(`${indexer.url}/api/metrics/errors?${range()}`);
    const checkout = (metrics.body.totals as any[]).find((t) => t.service === 'checkout');
    // Lines: each checkout's span-end line and its own line (a failed one's span-end line is error-level too).
    expect(checkout).toMatchObject({ requests: 100, errors: 7, errorRate: 0.07, lines: 200, errorLines: 14 });
    const sampling = metrics.body.sampling as any;
    expect(sampling.enabled).toBe(enabled);
    expect(sampling.spans.observed).toBe(100);
    const failing = await getJson(`${indexer.url}/api/traces/${hex('tail-3', 32)}`);
    expect(failing.status).toBe(200);
    expect((failing.body.logs as any[]).map((l) => l.body)).toContain('card declined');
    const fine = await getJson(`${indexer.url}/api/traces/${hex('tail-50', 32)}`);
    if (enabled) {
      expect(fine.status).toBe(404);
      expect(sampling.traces).toMatchObject({ observed: 100, kept: 7, dropped: 93 });
      expect(sampling.logs).toMatchObject({ observed: 200, kept: 14 });
    } else {
      expect(fine.status).toBe(200);
      expect(sampling.spans.kept).toBe(100);
    }
  });

  it('stores the traces it still holds when the indexer stops', async () => {
    indexer = await startIndexer({ tailSampling: { enabled: true, decisionWaitMs: 60_000, policies: [{ type: 'always' }] } });
    await postNdjson(indexer.url, checkouts().slice(0, 4));
    const store = indexer.store;
    await indexer.close();
    const { SqliteStore } = await import('../../src/store/index.js');
    const reopened = await SqliteStore.open({ dataDir: indexer.dataDir });
    try {
      const stats = await reopened.stats();
      expect([stats.logs, stats.spans]).toEqual([4, 2]);
    } finally {
      await reopened.close();
    }
    void store;
  });
});
