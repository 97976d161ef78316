// The trace view as the API answers it (src/server/trace-view.ts): lines sent as the view built them, in
// the documented shape, and spans in waterfall order — what the UI and `logstitch trace` read.
import { describe, expect, it } from 'vitest';
import { buildTraceView } from '../../src/correlate/index.js';
import { apiTraceView, type ApiSpan } from '../../src/server/trace-view.js';
import { checkoutStory, TraceBuilder } from './build.js';

const LOG_KEYS = ['id', 'time', 'rawTime', 'observedTime', 'severityNumber', 'severityText', 'body', 'traceId', 'spanId', 'traceFlags', 'service', 'host', 'aliases', 'attributes', 'parseError', 'attachedBy', 'attachedSpanId'];

function api(t: TraceBuilder) {
  const view = buildTraceView(t.build());
  return { view, answer: JSON.parse(JSON.stringify(apiTraceView(view, { traceIds: [t.traceId], links: [], limitReached: false }))) as ReturnType<typeof apiTraceView> };
}

describe('the trace view API answer', () => {
  it('gives each line the documented keys in order, the offset applied as time − rawTime, and no key of the view’s own', () => {
    // shipping's clock runs 2 s ahead: its server span starts before inventory's call to it.
    const t = new TraceBuilder('shape')
      .span({ id: 'root', service: 'inventory', start: 0, end: 1000 })
      .span({ id: 'call', service: 'inventory', kind: 'client', parent: 'root', start: 100, end: 900 })
      .span({ id: 'ship', service: 'shipping', parent: 'call', start: -1850, end: -1150 })
      .line({ service: 'inventory', at: 50, span: 'root', body: 'reserving' })
      .line({ service: 'shipping', at: -1500, span: 'ship', body: 'quoting', attributes: { carrier: 'ups' } })
      .line({ service: 'shipping', at: -1400, body: 'no span ID' });
    const { view, answer } = api(t);
    const shift = view.skew.shipping!;
    expect(shift).toBeGreaterThan(1_500_000);
    for (const log of answer.logs) {
      const keys = Object.keys(log);
      expect(keys.every((k) => LOG_KEYS.includes(k))).toBe(true);
      expect(keys).toEqual(LOG_KEYS.filter((k) => keys.includes(k)));
      expect(log.time - log.rawTime).toBe(log.service === 'shipping' ? shift : 0);
    }
    const quoting = answer.logs.find((l) => l.body === 'quoting')!;
    expect(quoting).toMatchObject({ attachedBy: 'span-id', attachedSpanId: t.id('ship'), attributes: { carrier: 'ups' } });
    expect(answer.logs.find((l) => l.body === 'no span ID')).toMatchObject({ attachedBy: 'time', attachedSpanId: t.id('ship') });
  });

  it('leaves attachedSpanId out, not null, for a line with no span to sit under', () => {
    const { answer } = api(new TraceBuilder('empty').line({ at: 0, body: 'no service, no spans' }));
    expect(answer.spans).toEqual([]);
    expect(Object.keys(answer.logs[0]!)).not.toContain('attachedSpanId');
    expect(answer.logs[0]!.attachedBy).toBe('root');
  });

  it('orders spans depth first, each right under its parent, siblings by start and equal starts as given', () => {
    const t = checkoutStory('network')
      // Two more children of checkout starting together, and one starting before them.
      .span({ id: 'twin-a', service: 'checkout', kind: 'internal', parent: 'checkout', start: 9990, end: 9995 })
      .span({ id: 'twin-b', service: 'checkout', kind: 'internal', parent: 'checkout', start: 9990, end: 9999 })
      .span({ id: 'early', service: 'checkout', kind: 'internal', parent: 'checkout', start: 1, end: 2 });
    const { answer } = api(t);
    const spans: ApiSpan[] = answer.spans;
    const index = new Map(spans.map((s, i) => [s.spanId, i]));
    for (const [i, s] of spans.entries()) {
      if (s.parentSpanId === undefined || !index.has(s.parentSpanId)) continue;
      const parent = index.get(s.parentSpanId)!;
      expect(parent).toBeLessThan(i);
      // Everything between the parent and this span is the parent's subtree (depth first).
      for (let k = parent + 1; k < i; k++) expect(spans[k]!.depth).toBeGreaterThan(spans[parent]!.depth);
    }
    const children = spans.filter((s) => s.parentSpanId === t.id('checkout')).map((s) => s.name);
    expect(children.indexOf('early')).toBe(0);
    expect(children.indexOf('twin-a')).toBe(children.indexOf('twin-b') - 1);
    const starts = spans.filter((s) => s.parentSpanId === t.id('checkout')).map((s) => s.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('marks what was left out: lines it did not carry (truncated, with counts), or records past the store’s limits (limitReached too)', () => {
    const t = new TraceBuilder('left out').span({ id: 'root', service: 'api', start: 0, end: 100 });
    for (let i = 0; i < 5; i++) t.line({ service: 'api', span: 'root', at: i, body: `line ${i}` });
    const whole = apiTraceView(buildTraceView(t.build(), { logLimit: 5 }), { traceIds: [t.traceId], links: [], limitReached: false });
    expect(whole).toMatchObject({ logCount: 5, logsOmitted: 0 });
    expect(Object.keys(whole)).not.toContain('truncated');
    expect(Object.keys(whole)).not.toContain('logsPerSpan');
    const cut = apiTraceView(buildTraceView(t.build(), { logLimit: 2 }), { traceIds: [t.traceId], links: [], limitReached: false });
    expect(cut).toMatchObject({ truncated: true, logCount: 5, logsOmitted: 3, logsPerSpan: 2 });
    expect(cut.spans[0]!.logCount).toBe(5);
    expect(Object.keys(cut)).not.toContain('limitReached');
    const capped = apiTraceView(buildTraceView(t.build(), { logLimit: 5 }), { traceIds: [t.traceId], links: [], limitReached: true });
    expect(capped).toMatchObject({ truncated: true, limitReached: true, logsOmitted: 0 });
  });
});
