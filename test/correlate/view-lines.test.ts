// The trace view's lines when a trace has more than one answer may carry: which ones it carries, the counts
// that say what was left out, and pages that bring back every line, once, in time order.
import { describe, expect, it } from 'vitest';
import { analyzeTrace, buildTraceView, CorrelateError, type InputLog, type TraceLines, type ViewLog } from '../../src/correlate/index.js';
import { Severity } from '../../src/model/severity.js';
import { TraceBuilder } from './build.js';

function prng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/**
 * 30 spans over 5 services, one of them (`svc4`) with a clock 3 s ahead, and `lines` lines: most name their
 * span, some only their service, 3% errors, many sharing a millisecond.
 */
function busyTrace(lines: number, seed = 1): TraceBuilder {
  const rand = prng(seed);
  const t = new TraceBuilder(`busy ${seed}`).span({ id: 's0', service: 'svc0', start: 0, end: 10_000 });
  for (let i = 1; i < 30; i++) {
    const service = `svc${i % 5}`;
    const skew = service === 'svc4' ? 3000 : 0;
    const start = Math.floor(rand() * 8000);
    t.span({ id: `c${i}`, service: 'svc0', kind: 'client', parent: 's0', start, end: start + 1000 });
    t.span({ id: `s${i}`, service, parent: `c${i}`, start: start + 10 + skew, end: start + 990 + skew });
  }
  for (let i = 0; i < lines; i++) {
    const k = 1 + Math.floor(rand() * 29);
    const service = `svc${k % 5}`;
    const skew = service === 'svc4' ? 3000 : 0;
    t.line({
      service,
      at: Math.floor(Math.floor(rand() * 8000) / 10) * 10 + skew + 10,
      ...(i % 4 !== 0 ? { span: `s${k}` } : {}),
      level: rand() < 0.03 ? Severity.ERROR : Severity.INFO,
      body: `line ${i}`,
    });
  }
  return t;
}

/** Every page of the lines (of one span, or all), `limit` at a time, concatenated. */
function pageThrough<L extends InputLog>(lines: TraceLines<L>, limit: number, spanId?: string): { logs: ViewLog<L>[]; pages: number } {
  const logs: ViewLog<L>[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = lines.page({ limit, ...(spanId !== undefined ? { spanId } : {}), ...(cursor !== undefined ? { cursor } : {}) });
    expect(page.logs.length).toBeLessThanOrEqual(limit);
    logs.push(...page.logs);
    cursor = page.nextCursor;
    pages++;
    expect(pages).toBeLessThan(10_000);
  } while (cursor !== undefined);
  return { logs, pages };
}

describe('the lines a trace view carries', () => {
  it('carries a trace within the limit whole, and says nothing was left out', () => {
    const view = buildTraceView(busyTrace(300).build(), { logLimit: 2000 });
    expect(view.logs).toHaveLength(300);
    expect(view).toMatchObject({ logCount: 300, logsOmitted: 0 });
    expect(view.logsPerSpan).toBeUndefined();
    expect(view.spans.reduce((n, s) => n + s.logCount, 0)).toBe(300);
  });

  it('past the limit: every error line, each span’s first lines, the same lines as the whole view, and counts of the rest', () => {
    const trace = busyTrace(3000).build();
    const whole = buildTraceView(trace);
    const view = buildTraceView(trace, { logLimit: 500 });
    expect(view.logCount).toBe(3000);
    expect(view.logs.length).toBeLessThanOrEqual(500);
    expect(view.logs.length + view.logsOmitted).toBe(3000);
    // Spans, critical path and summary do not depend on how many lines are carried.
    expect(view.spans).toEqual(whole.spans);
    expect(view.summary).toBe(whole.summary);
    expect(view.services).toEqual(whole.services);

    // Whole: in corrected time order, lines of one time in the store's order; the skewed clock's lines moved.
    const inputOrder = new Map(trace.logs.map((l, i) => [l.id, i]));
    for (let i = 1; i < whole.logs.length; i++) {
      const [a, b] = [whole.logs[i - 1]!, whole.logs[i]!];
      expect(a.time < b.time || (a.time === b.time && inputOrder.get(a.id)! < inputOrder.get(b.id)!)).toBe(true);
    }
    expect(whole.logs.some((l) => l.time !== l.rawTime)).toBe(true);

    // What is carried: the whole view's lines in the same order and shape, every error line, and of each
    // span its first perSpan lines or perSpan + 1 (the room left over), with nothing missing before them.
    const perSpan = view.logsPerSpan!;
    expect(perSpan).toBeGreaterThan(0);
    const byId = new Map(whole.logs.map((l, i) => [l.id, i]));
    const places = view.logs.map((l) => byId.get(l.id)!);
    expect(places.every((p, i) => i === 0 || p > places[i - 1]!)).toBe(true);
    expect(view.logs).toEqual(places.map((p) => whole.logs[p]!));
    const carried = new Set(view.logs.map((l) => l.id));
    const errors = whole.logs.filter((l) => l.severityNumber >= Severity.ERROR);
    expect(errors.every((l) => carried.has(l.id))).toBe(true);
    let bonus = 0;
    for (const s of whole.spans) {
      const under = whole.logs.filter((l) => l.attachedSpanId === s.spanId);
      const head = under.findIndex((l) => !carried.has(l.id));
      const prefix = head === -1 ? under.length : head;
      expect(prefix).toBeGreaterThanOrEqual(Math.min(under.length, perSpan));
      expect(prefix).toBeLessThanOrEqual(Math.max(perSpan + 1, under.filter((l) => l.severityNumber >= Severity.ERROR).length + perSpan + 1));
      // Past the first lines, only error lines.
      expect(under.slice(prefix).filter((l) => carried.has(l.id)).every((l) => l.severityNumber >= Severity.ERROR)).toBe(true);
      if (under.slice(0, prefix).filter((l) => l.severityNumber < Severity.ERROR).length > perSpan) bonus++;
    }
    expect(bonus).toBeGreaterThan(0);
    // As many per span as fit: one more each would not.
    const cost = (q: number) => whole.spans.reduce((n, s) => n + Math.min(s.logCount, q), 0);
    expect(errors.length + cost(perSpan)).toBeLessThanOrEqual(500);
    expect(errors.length + cost(perSpan + 1)).toBeGreaterThan(500);
    for (const s of view.spans) expect(s.logCount).toBe(whole.logs.filter((l) => l.attachedSpanId === s.spanId).length);
  });

  it('gives the earliest spans their first line when there are more spans with lines than room', () => {
    const t = new TraceBuilder('wide').span({ id: 'root', service: 'api', start: 0, end: 1000 });
    for (let i = 0; i < 20; i++) {
      t.span({ id: `s${i}`, service: 'api', parent: 'root', start: 10 + i * 40, end: 40 + i * 40 });
      for (let j = 0; j < 3; j++) t.line({ service: 'api', span: `s${i}`, at: 11 + i * 40 + j, body: `s${i} line ${j}` });
    }
    const view = buildTraceView(t.build(), { logLimit: 8 });
    expect(view.logs.map((l) => l.body)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `s${i} line 0`));
    expect(view).toMatchObject({ logCount: 60, logsOmitted: 52, logsPerSpan: 0 });
  });

  it('carries the earliest error lines when there are more of them than the limit, and no others', () => {
    const t = new TraceBuilder('errors').span({ id: 'root', service: 'api', start: 0, end: 1000 });
    for (let i = 0; i < 100; i++) t.line({ service: 'api', span: 'root', at: 1 + i * 5, level: i % 2 === 0 ? Severity.ERROR : Severity.INFO, body: `line ${i}` });
    const view = buildTraceView(t.build(), { logLimit: 10 });
    expect(view.logs.map((l) => l.body)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => `line ${i}`));
    expect(view).toMatchObject({ logCount: 100, logsOmitted: 90, logsPerSpan: 0 });
  });
});

describe('pages of a trace’s lines', () => {
  it('bring every line once, in the whole view’s order, for the trace and for each span', () => {
    const trace = busyTrace(1000, 2).build();
    const { view, lines } = analyzeTrace(trace, { logLimit: 100 });
    const whole = buildTraceView(trace).logs;
    const all = pageThrough(lines, 37);
    expect(all.logs).toEqual(whole);
    expect(all.pages).toBe(Math.ceil(1000 / 37));
    for (const s of view.spans) {
      const under = pageThrough(lines, 7, s.spanId);
      expect(under.logs).toEqual(whole.filter((l) => l.attachedSpanId === s.spanId));
      expect(lines.page({ spanId: s.spanId, limit: 1 }).total).toBe(s.logCount);
    }
  });

  it('get through hundreds of lines logged in the same microsecond, with IDs and without', () => {
    const t = new TraceBuilder('ties').span({ id: 'root', service: 'api', start: 0, end: 10 });
    for (let i = 0; i < 250; i++) t.line({ service: 'api', span: 'root', at: 5, body: `tied ${i}` });
    const trace = t.build();
    const withIds = pageThrough(analyzeTrace(trace).lines, 10);
    expect(withIds.logs.map((l) => l.body)).toEqual(trace.logs.map((l) => l.body));
    const anonymous = { ...trace, logs: trace.logs.map(({ id: _id, ...l }) => l) };
    const without = pageThrough(analyzeTrace(anonymous).lines, 10);
    expect(without.logs.map((l) => l.body)).toEqual(trace.logs.map((l) => l.body));
  });

  it('continue after their line when the view was rebuilt with new lines meanwhile: none skipped, none repeated', () => {
    const t = new TraceBuilder('growing').span({ id: 'root', service: 'api', start: 0, end: 1000 });
    for (let i = 0; i < 20; i++) t.line({ service: 'api', span: 'root', at: 10 * i, body: `old ${i}` });
    const first = analyzeTrace(t.build()).lines.page({ limit: 8 });
    // Lines arrive: one before the cursor (it was not there for page one), one tied with the cursor's line, one after.
    t.line({ service: 'api', span: 'root', at: 5, body: 'new early' }).line({ service: 'api', span: 'root', at: 70, body: 'new tied' }).line({ service: 'api', span: 'root', at: 500, body: 'new late' });
    const rebuilt = analyzeTrace(t.build()).lines;
    const rest = rebuilt.page({ limit: 100, cursor: first.nextCursor! });
    const bodies = [...first.logs, ...rest.logs].map((l) => l.body);
    expect(new Set(bodies).size).toBe(bodies.length);
    for (let i = 0; i < 20; i++) expect(bodies).toContain(`old ${i}`);
    expect(bodies).toContain('new tied');
    expect(bodies).toContain('new late');
  });

  it('refuse a cursor they did not give out, and a span that is not in the trace, saying what to pass', () => {
    const { lines } = analyzeTrace(busyTrace(50).build());
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error as CorrelateError;
      }
      throw new Error('not refused');
    };
    for (const cursor of ['nonsense!', Buffer.from('12/x/3').toString('base64url')]) {
      const error = refused(() => lines.page({ limit: 10, cursor }));
      expect(error).toBeInstanceOf(CorrelateError);
      expect(error.code).toBe('CURSOR_INVALID');
      expect(error.message).toMatch(/nextCursor/);
    }
    const error = refused(() => lines.page({ limit: 10, spanId: '0000000000000000' }));
    expect(error.code).toBe('SPAN_NOT_IN_TRACE');
    expect(error.message).toContain('0000000000000000');
  });
});
