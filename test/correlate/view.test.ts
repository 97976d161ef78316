// The trace view: every span and line of a trace in one JSON answer, lines under their spans, the time explained.
import { describe, expect, it } from 'vitest';
import { attachLogs, buildTraceView, type ServiceStats } from '../../src/correlate/index.js';
import type { LogRecord, Span } from '../../src/model/records.js';
import { Severity } from '../../src/model/severity.js';
import type { TraceResult } from '../../src/store/types.js';
import { at, checkoutStory, ms, TraceBuilder } from './build.js';

function storyWithLogs(): TraceBuilder {
  return checkoutStory('network')
    .line({ service: 'checkout', at: 1, span: 'checkout', body: 'checkout started' })
    .line({ service: 'inventory', at: 25, body: 'reserving items (no span ID: a legacy line)' })
    .line({ service: 'inventory', at: 75, span: 'inventory', body: 'stock checked' })
    .line({ service: 'shipping', at: 9500, span: 'shipping', body: 'asking the carrier', level: Severity.WARN })
    .line({ service: 'shipping', at: 9970, body: 'late cleanup, after shipping’s span ended' })
    .line({ service: 'warehouse-db', at: 40, body: 'slow query log' })
    .line({ at: 5000, body: 'a line with no service' })
    // nginx in front: its access-log line encloses everything, so its derived span becomes the root.
    .line({ service: 'nginx', at: 10_005, attributes: { duration_us: ms(10_010), 'http.method': 'POST', 'http.target': '/checkout', 'http.status_code': 200 } });
}

describe('buildTraceView', () => {
  it('answers with the trace’s spans, received and derived, its lines, critical path, gaps and summary', () => {
    const t = storyWithLogs();
    const view = buildTraceView({ ...t.build(), aliases: ['abc-123'] });
    expect(view.traceId).toBe(t.traceId);
    expect(view.aliases).toEqual(['abc-123']);
    expect(view.summary).toBe('9.0 s of 10.0 s: inventory → shipping, between the call leaving inventory and shipping receiving it');
    const nginx = view.spans.find((s) => s.origin === 'access-log')!;
    expect(view.rootSpanId).toBe(nginx.spanId);
    expect(view.spans.map((s) => [s.name, s.origin, s.derived, s.depth, s.orphan])).toEqual([
      ['POST /checkout', 'access-log', true, 0, false],
      ['POST /checkout', 'otlp', false, 1, true],
      ['POST inventory:8080/reserve', 'otlp', false, 2, false],
      ['POST /reserve', 'otlp', false, 3, false],
      ['SELECT stock', 'otlp', false, 4, false],
      ['warehouse-db (from its logs)', 'log-extent', true, 5, false],
      ['POST shipping:8080/quote', 'otlp', false, 4, false],
      ['POST /quote', 'otlp', false, 5, false],
      ['GET api.rates.example/v2/rates', 'otlp', false, 6, false],
    ]);
    expect(view.criticalPath.slice(0, 2)).toEqual([
      { spanId: nginx.spanId, start: at(-5), end: at(0) },
      { spanId: t.id('checkout'), start: at(0), end: at(10) },
    ]);
    expect(view.criticalPath.reduce((sum, p) => sum + p.end - p.start, 0)).toBe(ms(10_010));
    expect(view.gaps.map((g) => g.kind)).toContain('request');
    expect(view.spans.find((s) => s.name === 'POST shipping:8080/quote')!.criticalTime).toBe(ms(9010));
  });

  it('attaches each line: by span ID, by service and time, to the nearest span, to its derived span, or to the root', () => {
    const t = storyWithLogs();
    const view = buildTraceView(t.build());
    const where = Object.fromEntries(view.logs.map((l) => [l.body, [view.spans.find((s) => s.spanId === l.attachedSpanId)?.name, l.attachedBy]]));
    expect(where).toEqual({
      'checkout started': ['POST /checkout', 'span-id'],
      'reserving items (no span ID: a legacy line)': ['POST /reserve', 'time'],
      'stock checked': ['POST /reserve', 'span-id'],
      'asking the carrier': ['POST /quote', 'span-id'],
      'late cleanup, after shipping’s span ended': ['POST /quote', 'nearest'],
      'slow query log': ['warehouse-db (from its logs)', 'time'],
      'a line with no service': ['POST /checkout', 'root'],
      line: ['POST /checkout', 'source'],
    });
    expect(view.logs.find((l) => l.body === 'line')!.attachedSpanId).toBe(view.spans.find((s) => s.origin === 'access-log')!.spanId);
  });

  it('fills each service’s error rate and p95 around the trace from the figures passed in', () => {
    const t = storyWithLogs().line({ service: 'shipping', at: 9950, span: 'shipping', body: 'carrier said no', level: Severity.ERROR });
    const asked: [string, number, number][] = [];
    const stats = (service: string, from: number, to: number): ServiceStats | undefined => {
      asked.push([service, from, to]);
      return service === 'shipping' ? { requests: 200, errors: 3, errorRate: 0.015, p95: ms(850) } : undefined;
    };
    const view = buildTraceView(t.build(), { serviceStats: stats, statsWindowUs: 60_000_000 });
    expect(view.services.shipping).toEqual({
      spans: 2,
      logs: 3,
      errorLogs: 1,
      selfTime: ms(80),
      errorRate: 0.015,
      p95: ms(850),
      requests: 200,
      errors: 3,
      window: { from: view.start - 60_000_000, to: view.end + 60_000_000 },
    });
    expect(view.services.checkout).toMatchObject({ errorRate: null, p95: null, window: null, spans: 2 });
    expect(asked.map(([s]) => s).sort()).toEqual(['checkout', 'inventory', 'nginx', 'shipping', 'warehouse-db']);
  });

  it('is plain JSON: what the API sends is exactly what was built', () => {
    const view = buildTraceView(storyWithLogs().build());
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });

  it('takes the store’s TraceResult as it is, keeping each stored line’s ID', () => {
    const t = storyWithLogs();
    const built = t.build();
    const result: TraceResult = { traceId: built.traceId, aliases: [], logs: [...built.logs], spans: [...built.spans] };
    const view = buildTraceView(result);
    expect(view.logs.map((l) => l.id).sort()).toEqual(t.logs.map((l) => l.id).sort());
  });

  it('keeps lines in corrected time order when a skewed service’s lines move', () => {
    const t = new TraceBuilder()
      .span({ id: 'web', service: 'web', start: 0, end: 100 })
      .span({ id: 'call', service: 'web', kind: 'client', start: 10, end: 90, parent: 'web' })
      .span({ id: 'api', service: 'api', start: 3020, end: 3080, parent: 'call' })
      .line({ service: 'web', at: 95, span: 'web', body: 'web done' })
      .line({ service: 'api', at: 3050, span: 'api', body: 'api working' });
    const view = buildTraceView(t.build());
    expect(view.logs.map((l) => l.body)).toEqual(['api working', 'web done']);
    expect(view.skew.api).toBe(ms(-3000));
    expect(view.duration).toBe(ms(100));
  });

  it('answers for a trace of lines only, with no spans anywhere', () => {
    const t = new TraceBuilder().line({ service: 'cron', at: 0 }).line({ service: 'cron', at: 500, level: Severity.ERROR }).line({ service: 'mailer', at: 200 });
    const view = buildTraceView(t.build());
    expect(view.spans.map((s) => [s.service, s.origin, s.depth])).toEqual([
      ['cron', 'log-extent', 0],
      ['mailer', 'log-extent', 1],
    ]);
    expect(view.summary).toBe('500 ms of 500 ms: cron, in cron itself (cron (from its logs))');
    expect(view.logs.every((l) => l.attachedSpanId !== undefined)).toBe(true);
  });

  it('answers for an empty trace', () => {
    const view = buildTraceView({ traceId: 'a'.repeat(32), logs: [], spans: [] });
    expect(view).toMatchObject({ spans: [], logs: [], criticalPath: [], gaps: [], rootSpanId: null, duration: 0 });
  });
});

describe('attachLogs', () => {
  /** The obvious O(n·m) answer: the innermost (latest-starting, then shortest) span of the line's service open at its time. */
  function naive(logs: LogRecord[], spans: Span[]): (string | undefined)[] {
    return logs.map((l) => {
      let best: Span | undefined;
      for (const s of spans) {
        if (s.service !== l.service || s.start > l.time || s.start + s.duration < l.time) continue;
        if (best === undefined || s.start > best.start || (s.start === best.start && s.duration < best.duration)) best = s;
      }
      return best?.spanId;
    });
  }

  it('finds the same innermost open span as scanning every span, on 200 random traces', () => {
    let seed = 3;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 200; n++) {
      const t = new TraceBuilder(`attach-${n}`);
      for (let i = 0; i < 1 + rand() * 30; i++) {
        const start = Math.floor(rand() * 1000);
        t.span({ id: `s${i}`, service: `svc${i % 3}`, start, end: start + Math.floor(rand() * 400) });
      }
      for (let i = 0; i < 100; i++) t.line({ service: `svc${Math.floor(rand() * 3)}`, at: Math.floor(rand() * 1400) });
      const trace = t.build();
      const fast = attachLogs(trace.logs, [...trace.spans], undefined);
      const slow = naive([...trace.logs], [...trace.spans]);
      fast.by.forEach((by, i) => {
        if (by === 'time') expect(fast.spanId[i]).toBe(slow[i]);
        else expect(slow[i]).toBeUndefined();
      });
    }
  });
});
