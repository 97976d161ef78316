// Clock skew: offsets learned across many traces, robust to odd ones, applied so the waterfall nests.
import { describe, expect, it } from 'vitest';
import { applySkew, buildTraceView, CorrelateError, deriveSpans, fitWithin, robustOffset, SkewLearner, type TraceView } from '../../src/correlate/index.js';
import { BASE, checkoutStory, ms, TraceBuilder } from './build.js';

/** A seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/**
 * frontend calls backend; backend's clock reads `skewMs` ahead. Network legs take 1–30 ms each way,
 * the backend works 5–200 ms. `attributes` set host names when given.
 */
function callTrace(n: number, skewMs: number, rand: () => number, hosts?: { frontend: string; backend: string }): TraceBuilder {
  const t = new TraceBuilder(`call-${n}-${skewMs}-${hosts?.backend ?? ''}`);
  const start = n * 1000;
  const request = 1 + rand() * 29;
  const work = 5 + rand() * 195;
  const response = 1 + rand() * 29;
  const end = start + request + work + response + 10;
  const fe = hosts === undefined ? undefined : { 'host.name': hosts.frontend };
  const be = hosts === undefined ? undefined : { 'host.name': hosts.backend };
  t.span({ id: 'page', service: 'frontend', start, end, ...(fe ? { attributes: fe } : {}) })
    .span({ id: 'call', service: 'frontend', kind: 'client', start: start + 5, end: end - 5, parent: 'page', ...(fe ? { attributes: fe } : {}) })
    .span({ id: 'api', service: 'backend', start: start + 5 + request + skewMs, end: start + 5 + request + work + skewMs, parent: 'call', origin: 'span-end-line', ...(be ? { attributes: be } : {}) })
    .line({ service: 'backend', at: start + 5 + request + work / 2 + skewMs, span: 'api', body: 'working' })
    .line({ service: 'backend', at: start + 5 + request + work + skewMs + 1, body: 'after the span (no span ID)' });
  return t;
}

function expectNested(view: TraceView): void {
  const byId = new Map(view.spans.map((s) => [s.spanId, s]));
  for (const s of view.spans) {
    if (s.viewParentSpanId === null) continue;
    const p = byId.get(s.viewParentSpanId)!;
    expect(s.start, `${s.name} starts inside ${p.name}`).toBeGreaterThanOrEqual(p.start);
    expect(s.end, `${s.name} ends inside ${p.name}`).toBeLessThanOrEqual(p.end);
  }
}

describe('SkewLearner', () => {
  it('learns a 2 s offset within 50 ms from 50 traces with network jitter, and the waterfall then nests', () => {
    const rand = prng(1);
    const learner = new SkewLearner();
    for (let n = 0; n < 50; n++) learner.observe(callTrace(n, 2000, rand).spans);
    const learned = learner.relative('backend', 'frontend')!;
    expect(learned.samples).toBe(50);
    expect(Math.abs(learned.us - ms(-2000))).toBeLessThan(ms(50));

    const trace = callTrace(99, 2000, rand).build();
    const view = buildTraceView(trace, { learner });
    expect(view.skewSources.backend).toMatchObject({ source: 'learned', samples: 50 });
    expect(view.skew.backend).toBe(learned.us);
    expect(view.skew.frontend).toBe(0);
    expectNested(view);
    // The backend's lines moved with its span: the one written inside it is inside it on the page too.
    const api = view.spans.find((s) => s.service === 'backend')!;
    const inside = view.logs.find((l) => l.body === 'working')!;
    expect(inside.time).toBeGreaterThan(api.start);
    expect(inside.time).toBeLessThan(api.end);
    expect(inside.rawTime - inside.time).toBe(-learned.us);
  });

  it('does not let one wild trace (a clock stepped by a minute) move the offset', () => {
    const calm = new SkewLearner();
    const withWild = new SkewLearner();
    for (let n = 0; n < 50; n++) {
      const spans = callTrace(n, 2000, prng(n + 10)).spans;
      calm.observe(spans);
      withWild.observe(spans);
    }
    withWild.observe(callTrace(77, 62_000, prng(3)).spans);
    const a = calm.relative('backend', 'frontend')!;
    const b = withWild.relative('backend', 'frontend')!;
    expect(Math.abs(b.us - ms(-2000))).toBeLessThan(ms(50));
    expect(Math.abs(a.us - b.us)).toBeLessThan(ms(5));
    expect(b.samples).toBe(50);
  });

  it('still holds with a tenth of the traces wild in both directions', () => {
    const learner = new SkewLearner();
    const rand = prng(5);
    for (let n = 0; n < 45; n++) learner.observe(callTrace(n, 2000, rand).spans);
    for (let n = 45; n < 50; n++) learner.observe(callTrace(n, n % 2 === 0 ? -30_000 : 45_000, rand).spans);
    expect(Math.abs(learner.relative('backend', 'frontend')!.us - ms(-2000))).toBeLessThan(ms(50));
  });

  it('learns nothing where clocks agree: a slow network stays a gap instead of becoming an offset', () => {
    const learner = new SkewLearner();
    for (let n = 0; n < 30; n++) {
      learner.observe(checkoutStory('network').spans.map((s) => ({ ...s, traceId: `${n}`.padStart(32, 'a') })));
      learner.observe(callTrace(n, 0, prng(n)).spans);
    }
    expect(learner.relative('shipping', 'inventory')).toMatchObject({ us: 0 });
    const view = buildTraceView(checkoutStory('network').build(), { learner });
    expect(view.summary).toBe('9.0 s of 10.0 s: inventory → shipping, between the call leaving inventory and shipping receiving it');
  });

  it('counts a trace observed twice once', () => {
    const learner = new SkewLearner();
    const spans = callTrace(1, 2000, prng(1)).spans;
    expect(learner.observe(spans)).toBe(1);
    expect(learner.observe(spans)).toBe(0);
    expect(learner.relative('backend', 'frontend')!.samples).toBe(1);
  });

  it('learns from access-log lines too, whose parent is found by timing: a legacy nginx 2 s ahead', () => {
    const learner = new SkewLearner();
    const rand = prng(9);
    for (let n = 0; n < 40; n++) {
      const start = n * 1000;
      const request = 1 + rand() * 20;
      const work = 20 + rand() * 100;
      const t = new TraceBuilder(`nginx-${n}`)
        .span({ id: 'page', service: 'frontend', start, end: start + 200 })
        .span({ id: 'call', service: 'frontend', kind: 'client', start: start + 5, end: start + 5 + request + work + 20, parent: 'page' })
        .line({ service: 'nginx', at: start + 5 + request + work + 2000, attributes: { duration_us: ms(work), 'http.method': 'GET', 'http.target': '/' } });
      const trace = t.build();
      learner.observe([...trace.spans, ...deriveSpans(trace, { learner })]);
    }
    expect(Math.abs(learner.relative('nginx', 'frontend')!.us - ms(-2000))).toBeLessThan(ms(50));
  });

  it('learns per host when asked: one replica’s clock is off, the other’s is not', () => {
    const learner = new SkewLearner({ clockBy: 'host' });
    for (let n = 0; n < 40; n++) {
      const host = n % 2 === 0 ? 'api-1' : 'api-2';
      learner.observe(callTrace(n, host === 'api-2' ? 2000 : 0, prng(n), { frontend: 'web-1', backend: host }).spans);
    }
    expect(learner.relative('host:api-1', 'host:web-1')!.us).toBe(0);
    expect(Math.abs(learner.relative('host:api-2', 'host:web-1')!.us - ms(-2000))).toBeLessThan(ms(50));
  });

  it('chains offsets through services: a → b → c gives c’s offset against a', () => {
    const learner = new SkewLearner({ reference: 'a' });
    for (let n = 0; n < 20; n++) {
      const t = new TraceBuilder(`chain-${n}`)
        .span({ id: 'ac', service: 'a', kind: 'client', start: 0, end: 100 })
        .span({ id: 'b', service: 'b', start: 1010, end: 1090, parent: 'ac' })
        .span({ id: 'bc', service: 'b', kind: 'client', start: 1020, end: 1080, parent: 'b' })
        .span({ id: 'c', service: 'c', start: 1530 - 1000 + 300, end: 1570 - 1000 + 300, parent: 'bc' });
      learner.observe(t.spans);
    }
    expect(learner.reference()).toBe('a');
    expect(learner.offset('a')).toMatchObject({ us: 0 });
    expect(learner.offset('b')!.us).toBe(ms(-1000));
    expect(learner.offset('c')!.us).toBe(ms(-1000 + 200));
    expect(learner.offset('nobody')).toBeUndefined();
  });

  it('persists as plain JSON and comes back with the same offsets', () => {
    const learner = new SkewLearner();
    for (let n = 0; n < 30; n++) learner.observe(callTrace(n, 2000, prng(n)).spans);
    const state = JSON.parse(JSON.stringify(learner)) as unknown;
    const back = SkewLearner.fromJSON(state);
    expect(back.relative('backend', 'frontend')).toEqual(learner.relative('backend', 'frontend'));
    expect(back.toJSON()).toEqual(learner.toJSON());
  });

  it('keeps only the newest observations per pair, so a clock that drifts is followed', () => {
    const learner = new SkewLearner({ maxObservations: 20 });
    for (let n = 0; n < 40; n++) learner.observe(callTrace(n, n < 20 ? 2000 : 500, prng(n)).spans);
    expect(Math.abs(learner.relative('backend', 'frontend')!.us - ms(-500))).toBeLessThan(ms(50));
    expect(learner.toJSON().edges[0]!.observations).toHaveLength(20);
  });

  it('refuses persisted state it cannot use, saying what is wrong', () => {
    const bad: [unknown, string][] = [
      [null, 'it is not an object'],
      [{ version: 2, clockBy: 'service', edges: [] }, 'version 2 is not 1'],
      [{ version: 1, clockBy: 'pod', edges: [] }, 'clockBy must be'],
      [{ version: 1, clockBy: 'service', edges: {} }, 'edges must be an array'],
      [{ version: 1, clockBy: 'service', edges: [{ a: 'z', b: 'a', observations: [] }] }, 'edges[0] needs clock names a < b'],
      [{ version: 1, clockBy: 'service', edges: [{ a: 'a', b: 'b', observations: [[1, 'x']] }] }, 'edges[0].observations[0] must be [lo, hi]'],
    ];
    for (const [state, message] of bad) {
      let error: unknown;
      try {
        SkewLearner.fromJSON(state);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CorrelateError);
      expect((error as CorrelateError).code).toBe('SKEW_STATE_INVALID');
      expect((error as Error).message).toContain(message);
    }
  });
});

describe('per-trace correction (too few observations)', () => {
  it('fits a skewed child inside its parent Jaeger’s way, and says it did so from this trace alone', () => {
    const trace = callTrace(1, 2000, prng(2)).build();
    const view = buildTraceView(trace);
    expect(view.skewSources.backend!.source).toBe('trace');
    expect(Math.abs(view.skew.backend! - ms(-2000))).toBeLessThan(ms(30));
    expectNested(view);
  });

  it('falls back to the trace when the learner has fewer samples than asked for', () => {
    const learner = new SkewLearner();
    learner.observe(callTrace(1, 2000, prng(1)).spans);
    const view = buildTraceView(callTrace(2, 2000, prng(2)).build(), { learner, minSkewSamples: 5 });
    expect(view.skewSources.backend!.source).toBe('trace');
  });

  it('leaves a child that fits alone, and centres a shorter child, or starts a longer one with its parent', () => {
    expect(fitWithin(0, 100, 10, 90)).toBe(0);
    expect(fitWithin(0, 100, 2010, 2090)).toBe(-2000);
    expect(fitWithin(0, 100, 2000, 2060)).toBe(20 - 2000);
    expect(fitWithin(0, 100, 500, 700)).toBe(-500);
  });

  it('applySkew shifts the spans and lines of the corrected service and reports each offset', () => {
    const trace = callTrace(1, 2000, prng(3)).build();
    const result = applySkew(trace);
    expect(Object.keys(result.skew).sort()).toEqual(['backend', 'frontend']);
    expect(result.skew.frontend).toBe(0);
    const api = result.spans.find((s) => s.service === 'backend')!;
    expect(api.rawStart - api.start).toBe(-result.skew.backend!);
    for (const l of result.logs) expect(l.time - l.rawTime).toBe(l.service === 'backend' ? result.skew.backend : 0);
    expect(result.logs.every((l) => l.time > BASE)).toBe(true);
  });
});

describe('robustOffset', () => {
  it('is the middle of what all observations allow, or 0 when that includes 0, or undefined with none', () => {
    expect(robustOffset([])).toBeUndefined();
    expect(robustOffset([{ lo: -10, hi: 20 }])).toMatchObject({ us: 0, samples: 1 });
    expect(robustOffset([{ lo: 90, hi: 130 }, { lo: 100, hi: 120 }])).toMatchObject({ us: 110 });
  });
});

describe('learning from a view', () => {
  it('reads the raw starts of a view’s spans, so observing views does not learn the correction back as 0', () => {
    const direct = new SkewLearner();
    const fromViews = new SkewLearner();
    for (let n = 0; n < 20; n++) {
      const trace = callTrace(n, 2000, prng(n)).build();
      direct.observe(trace.spans);
      fromViews.observe(buildTraceView(trace, { learner: fromViews }).spans);
    }
    expect(fromViews.relative('backend', 'frontend')).toEqual(direct.relative('backend', 'frontend'));
  });
});
