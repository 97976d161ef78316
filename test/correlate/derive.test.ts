// Spans derived from log lines: access-log lines with a duration, services seen only in their logs, and their parents.
import { describe, expect, it } from 'vitest';
import { buildSpanTree, deriveSpans, readAccessLog, SkewLearner } from '../../src/correlate/index.js';
import { Severity } from '../../src/model/severity.js';
import { at, ms, TraceBuilder } from './build.js';

function frontDoor(): TraceBuilder {
  return new TraceBuilder()
    .span({ id: 'checkout', service: 'checkout', name: 'POST /checkout', start: 0, end: 1000 })
    .span({ id: 'call', service: 'checkout', kind: 'client', name: 'GET quotes:80/quote', start: 100, end: 900, parent: 'checkout' });
}

describe('deriveSpans', () => {
  it('turns an nginx access-log line into a server span ending at the line, under the span its traceparent named', () => {
    const t = frontDoor().line({
      service: 'nginx',
      at: 850,
      span: 'call',
      attributes: { duration_us: 700_000, 'http.method': 'GET', 'http.target': '/quote?zip=1010', 'http.status_code': 200 },
    });
    const [span, ...rest] = deriveSpans(t.build());
    expect(rest).toEqual([]);
    expect(span).toMatchObject({
      name: 'GET /quote',
      kind: 'server',
      service: 'nginx',
      start: at(150),
      duration: ms(700),
      status: 'unset',
      parentSpanId: t.id('call'),
      parentBy: 'logged',
      origin: 'access-log',
      derived: true,
      attributes: { 'http.method': 'GET', 'http.target': '/quote', 'http.status_code': 200 },
    });
    expect(span!.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reads pino-http’s responseTime (ms) with req and res, and marks a 5xx as an error', () => {
    const t = frontDoor().line({
      service: 'quotes',
      at: 800,
      attributes: { responseTime: 12.5, req: { id: 1, method: 'GET', url: '/quote?zip=1010' }, res: { statusCode: 503 } },
    });
    const [span] = deriveSpans(t.build());
    expect(span).toMatchObject({ name: 'GET /quote', duration: 12_500, start: at(800) - 12_500, status: 'error', parentSpanId: t.id('call'), parentBy: 'open-client' });
  });

  it('does not derive a second span from a pino-http line written inside the server span it describes', () => {
    const t = frontDoor()
      .span({ id: 'quotes', service: 'quotes', start: 150, end: 850, parent: 'call', origin: 'span-end-line' })
      .line({ service: 'quotes', at: 850, span: 'quotes', attributes: { responseTime: 700, req: { method: 'GET', url: '/quote' }, res: { statusCode: 200 } } });
    expect(deriveSpans(t.build())).toEqual([]);
  });

  it('ignores lines that are not access-log lines, and access-log lines without a duration', () => {
    expect(readAccessLog({ time: 0, severityNumber: 9, body: 'x', attributes: { req: { method: 'GET' } } })).toBeUndefined();
    expect(readAccessLog({ time: 0, severityNumber: 9, body: 'x', attributes: { 'http.method': 'GET', 'http.status_code': 200 } })).toBeUndefined();
    expect(readAccessLog({ time: 0, severityNumber: 9, body: 'x', attributes: { duration_us: '1500', 'http.status_code': '404' } })).toEqual({ duration: 1500, statusCode: 404 });
  });

  it('gives a service seen only in its logs one span from its first line to its last, an error if any line was', () => {
    const t = frontDoor()
      .line({ service: 'legacy', at: 200, body: 'start' })
      .line({ service: 'legacy', at: 500, body: 'oops', level: Severity.ERROR })
      .line({ service: 'legacy', at: 700, body: 'done' })
      .line({ service: 'checkout', at: 50, span: 'checkout' });
    const spans = deriveSpans(t.build());
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ service: 'legacy', kind: 'server', origin: 'log-extent', derived: true, start: at(200), duration: ms(500), status: 'error', parentSpanId: t.id('call'), parentBy: 'open-client' });
  });

  it('prefers a logged parent: a log-only service whose lines carry its caller’s span ID', () => {
    const t = frontDoor()
      .span({ id: 'other-call', service: 'checkout', kind: 'client', start: 150, end: 950, parent: 'checkout' })
      .line({ service: 'legacy', at: 300, span: 'call' });
    expect(deriveSpans(t.build())[0]).toMatchObject({ parentSpanId: t.id('call'), parentBy: 'logged' });
  });

  it('picks the innermost open client span of another service, and a free one over one that already has its callee', () => {
    const t = new TraceBuilder()
      .span({ id: 'root', service: 'gw', start: 0, end: 1000 })
      .span({ id: 'outer', service: 'gw', kind: 'client', start: 10, end: 990, parent: 'root' })
      .span({ id: 'inner', service: 'gw', kind: 'client', start: 100, end: 600, parent: 'root' })
      .span({ id: 'busy', service: 'gw', kind: 'client', start: 150, end: 500, parent: 'root' })
      .span({ id: 'busy-callee', service: 'x', start: 160, end: 490, parent: 'busy' })
      .line({ service: 'legacy', at: 200 })
      .line({ service: 'legacy', at: 400 });
    expect(deriveSpans(t.build())[0]).toMatchObject({ parentSpanId: t.id('inner'), parentBy: 'open-client' });
  });

  it('falls back to the nearest free client span when clocks put the callee outside every caller', () => {
    const t = frontDoor().line({ service: 'legacy', at: 2150 }).line({ service: 'legacy', at: 2400 });
    expect(deriveSpans(t.build())[0]).toMatchObject({ parentSpanId: t.id('call'), parentBy: 'nearest-client' });
  });

  it('falls back to the root when no client span could have made the call', () => {
    const t = new TraceBuilder().span({ id: 'root', service: 'web', start: 0, end: 1000 }).line({ service: 'cron', at: 300 }).line({ service: 'cron', at: 400 });
    expect(deriveSpans(t.build())[0]).toMatchObject({ parentSpanId: t.id('root'), parentBy: 'root' });
  });

  it('makes an access-log span that encloses everything (the front door) the root', () => {
    const t = new TraceBuilder()
      .span({ id: 'checkout', service: 'checkout', start: 5, end: 95 })
      .line({ service: 'nginx', at: 100, attributes: { duration_us: 100_000, 'http.method': 'POST', 'http.target': '/checkout', 'http.status_code': 200 } });
    const trace = t.build();
    const derived = deriveSpans(trace);
    expect(derived[0]!.parentSpanId).toBeUndefined();
    const tree = buildSpanTree([...trace.spans, ...derived]);
    expect(tree.root?.service).toBe('nginx');
    expect(tree.parent.get(t.id('checkout'))).toBe(derived[0]!.spanId);
  });

  it('derives the same span IDs every time, and different ones for another trace', () => {
    const a = frontDoor().line({ service: 'legacy', at: 300 }).line({ service: 'nginx', at: 800, attributes: { duration_us: 5 } }).line({ service: 'nginx', at: 800, attributes: { duration_us: 5 } });
    const first = deriveSpans(a.build()).map((s) => s.spanId);
    expect(deriveSpans(a.build()).map((s) => s.spanId)).toEqual(first);
    expect(new Set(first).size).toBe(3);
    const b = new TraceBuilder('other').span({ id: 'checkout', service: 'checkout', start: 0, end: 1000 }).line({ service: 'legacy', at: 300 });
    expect(first).not.toContain(deriveSpans(b.build())[0]!.spanId);
  });

  it('reads a callee on a learned clock offset when deciding which call was open', () => {
    // legacy's clock runs 2 s ahead of checkout's; once learned, its lines fall inside the right call.
    const learner = new SkewLearner();
    for (let i = 0; i < 10; i++) {
      const k = new TraceBuilder(`learn-${i}`)
        .span({ id: 'c', service: 'checkout', kind: 'client', start: 0, end: 100 })
        .span({ id: 's', service: 'legacy', start: 2010, end: 2090, parent: 'c' });
      learner.observe(k.spans);
    }
    const t = new TraceBuilder()
      .span({ id: 'root', service: 'checkout', start: 0, end: 3000 })
      .span({ id: 'first', service: 'checkout', kind: 'client', start: 100, end: 900, parent: 'root' })
      .span({ id: 'second', service: 'checkout', kind: 'client', start: 1000, end: 2900, parent: 'root' })
      .line({ service: 'legacy', at: 2200 })
      .line({ service: 'legacy', at: 2800 });
    expect(deriveSpans(t.build()).at(0)).toMatchObject({ parentSpanId: t.id('second'), parentBy: 'open-client' });
    expect(deriveSpans(t.build(), { learner }).at(0)).toMatchObject({ parentSpanId: t.id('first'), parentBy: 'open-client' });
  });
});
