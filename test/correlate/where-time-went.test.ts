// Gaps, self time and the one-sentence summary: the checkout story and its variants name the right hop.
import { describe, expect, it } from 'vitest';
import { analyzePath, criticalPath, humanDuration, peerName, summarize } from '../../src/correlate/index.js';
import { at, checkoutStory, ms, TraceBuilder } from './build.js';

function explain(t: TraceBuilder) {
  const analysis = analyzePath(criticalPath(t.spans), t.spans);
  return { analysis, summary: summarize(analysis) };
}

describe('where the time went', () => {
  it('names inventory → shipping when the 9 s sit between inventory’s call leaving and shipping receiving it', () => {
    const { analysis, summary } = explain(checkoutStory('network'));
    expect(summary).toBe('9.0 s of 10.0 s: inventory → shipping, between the call leaving inventory and shipping receiving it');
    const gap = analysis.gaps.find((g) => g.kind === 'request' && g.to === 'shipping')!;
    expect(gap).toMatchObject({ from: 'inventory', start: at(80), end: at(9080), duration: ms(9000) });
    expect(analysis.total).toBe(ms(10_000));
  });

  it('lists every gap on the way: the request and response legs, the database and the third-party API', () => {
    const { analysis } = explain(checkoutStory('network'));
    expect(analysis.gaps.map((g) => [g.kind, g.from, g.to, g.duration / 1000])).toEqual([
      ['request', 'checkout', 'inventory', 10],
      ['downstream', 'inventory', 'warehouse', 40],
      ['request', 'inventory', 'shipping', 9000],
      ['downstream', 'shipping', 'api.rates.example', 800],
      ['response', 'inventory', 'shipping', 10],
      ['response', 'checkout', 'inventory', 10],
    ]);
    expect(analysis.selfTime).toEqual({ checkout: ms(20), inventory: ms(30), shipping: ms(80) });
  });

  it('names shipping → the rates API when the delay is inside the third-party call', () => {
    const { summary } = explain(checkoutStory('third-party'));
    expect(summary).toBe('9.8 s of 10.0 s: shipping → api.rates.example, waiting on api.rates.example, which sent no spans or logs');
  });

  it('names the service itself, with its slowest span, when its own work dominates', () => {
    const t = new TraceBuilder()
      .span({ id: 'checkout', service: 'checkout', name: 'POST /checkout', start: 0, end: 10_000 })
      .span({ id: 'call', service: 'checkout', kind: 'client', start: 5, end: 9_995, parent: 'checkout' })
      .span({ id: 'shipping', service: 'shipping', name: 'GET /quote', start: 10, end: 9_990, parent: 'call' });
    expect(explain(t).summary).toBe('10.0 s of 10.0 s: shipping, in shipping itself (GET /quote)');
  });

  it('calls the time between two attempts inside one call a between-calls gap (a retry’s back-off)', () => {
    const t = new TraceBuilder()
      .span({ id: 'api', service: 'api', start: 0, end: 1000 })
      .span({ id: 'call', service: 'api', kind: 'client', start: 0, end: 1000, parent: 'api' })
      .span({ id: 'try1', service: 'payments', start: 10, end: 100, parent: 'call', status: 'error' })
      .span({ id: 'try2', service: 'payments', start: 900, end: 990, parent: 'call' });
    const { analysis, summary } = explain(t);
    expect(analysis.gaps.find((g) => g.kind === 'between-calls')).toMatchObject({ from: 'api', to: 'payments', duration: ms(800) });
    expect(summary).toBe('800 ms of 1.0 s: api → payments, between consecutive calls from api to payments');
  });

  it('adds up gaps of one kind between the same two services (three slow requests are one cause)', () => {
    const t = new TraceBuilder().span({ id: 'job', service: 'batch', kind: 'internal', start: 0, end: 1000 });
    for (let i = 0; i < 3; i++) {
      const s = i * 300;
      t.span({ id: `c${i}`, service: 'batch', kind: 'client', start: s, end: s + 250, parent: 'job' });
      t.span({ id: `s${i}`, service: 'search', start: s + 200, end: s + 240, parent: `c${i}` });
    }
    expect(explain(t).summary).toBe('600 ms of 1.0 s: batch → search, between the call leaving batch and search receiving it');
  });

  it('says the response leg when the callee finished long before the caller heard back', () => {
    const t = new TraceBuilder()
      .span({ id: 'a', service: 'web', start: 0, end: 2000 })
      .span({ id: 'call', service: 'web', kind: 'client', start: 10, end: 1990, parent: 'a' })
      .span({ id: 'b', service: 'auth', start: 20, end: 60, parent: 'call' });
    expect(explain(t).summary).toBe('1.9 s of 2.0 s: web → auth, between auth answering and web receiving the answer');
  });

  it('says there is nothing to explain for a trace without spans', () => {
    expect(summarize(analyzePath([], []))).toBe('No spans in this trace, so there is no critical path to explain.');
  });

  it('names what a client span called from its attributes, its URL or its name', () => {
    const base = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), kind: 'client' as const, start: 0, duration: 1, status: 'unset' as const };
    expect(peerName({ ...base, name: 'x', attributes: { 'peer.service': 'ledger' } })).toBe('ledger');
    expect(peerName({ ...base, name: 'x', attributes: { 'http.url': 'https://api.example.com:8443/v1/rates' } })).toBe('api.example.com:8443');
    expect(peerName({ ...base, name: 'GET api.example.com/v1/rates' })).toBe('api.example.com');
    expect(peerName({ ...base, name: 'SELECT orders' })).toBe('SELECT orders');
  });

  it('writes durations for people: µs, ms under a second, seconds with one decimal, minutes', () => {
    expect([0, 850, 4_200, 50_000, 999_000, 999_600, 8_900_000, 10_000_000, 125_000_000].map(humanDuration)).toEqual([
      '0 µs',
      '850 µs',
      '4.2 ms',
      '50 ms',
      '999 ms',
      '1.0 s',
      '8.9 s',
      '10.0 s',
      '2 min 5 s',
    ]);
  });
});
