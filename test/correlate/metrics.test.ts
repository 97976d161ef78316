// Derived metrics: exact counts and error rates from known batches, mergeable histograms, series, Prometheus text.
import { describe, expect, it } from 'vitest';
import {
  bucketUpperBound,
  CorrelateError,
  emptyHistogram,
  errorRate,
  escapeLabelValue,
  mergeHistograms,
  mergeRollups,
  MetricsRollup,
  MINUTE_US,
  quantile,
  recordValue,
  renderPrometheus,
  rollupBatch,
  rollupSeries,
  windowFigures,
  type MinuteRollup,
} from '../../src/correlate/index.js';
import type { LogRecord, Span } from '../../src/model/records.js';
import { Severity } from '../../src/model/severity.js';
import { hex } from './build.js';

const MINUTE = 28_333_333 * MINUTE_US; // a minute boundary in 2023
const traceOf = (i: number): string => hex(`t${i}`, 32);
const spanOf = (i: number): string => hex(`s${i}`, 16);

function serverSpan(i: number, service: string, startUs: number, durationUs: number, extra: Partial<Span> = {}): Span {
  return { traceId: traceOf(i), spanId: spanOf(i), name: 'GET /', kind: 'server', start: startUs, duration: durationUs, status: 'unset', service, origin: 'span-end-line', ...extra };
}

function line(service: string, time: number, extra: Partial<LogRecord> = {}): LogRecord {
  return { time, severityNumber: Severity.INFO, body: 'x', service, ...extra };
}

/**
 * checkout: 100 requests, of which 7 have status error, 3 answered 503, 2 logged an error line inside
 * (one by span ID, one by time only) → 12 failed. It also logs an error line outside any trace.
 * nginx: 50 access-log lines, 5 of them 502. legacy: 40 plain lines, 4 at error level.
 */
function knownBatch(): { logs: LogRecord[]; spans: Span[] } {
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  for (let i = 0; i < 100; i++) {
    const start = MINUTE + i * 100_000;
    const extra: Partial<Span> = i < 7 ? { status: 'error' } : i < 10 ? { attributes: { 'http.status_code': 503 } } : {};
    spans.push(serverSpan(i, 'checkout', start, 50_000, extra));
    logs.push(line('checkout', start + 10_000, { traceId: traceOf(i), spanId: spanOf(i) }));
  }
  logs.push(line('checkout', MINUTE + 20 * 100_000 + 5_000, { traceId: traceOf(20), spanId: spanOf(20), severityNumber: Severity.ERROR }));
  logs.push(line('checkout', MINUTE + 30 * 100_000 + 5_000, { traceId: traceOf(30), severityNumber: Severity.ERROR }));
  logs.push(line('checkout', MINUTE + 1000, { severityNumber: Severity.FATAL }));
  for (let i = 0; i < 50; i++) {
    const status = i < 5 ? 502 : 200;
    logs.push(line('nginx', MINUTE + 1_000_000 + i * 1000, { attributes: { duration_us: 2000 + i * 100, 'http.method': 'GET', 'http.target': '/', 'http.status_code': status } }));
  }
  for (let i = 0; i < 40; i++) logs.push(line('legacy', MINUTE + 2_000_000 + i, { severityNumber: i < 4 ? Severity.ERROR : Severity.INFO, traceId: traceOf(500 + i) }));
  return { logs, spans };
}

const byService = (rows: MinuteRollup[]) => Object.fromEntries(rows.map((r) => [r.service, r]));

describe('MetricsRollup', () => {
  it('counts known requests, failures and lines exactly, and error rates come out exact', () => {
    const rows = byService(rollupBatch(knownBatch()));
    expect(rows.checkout).toMatchObject({ minute: MINUTE, requests: 100, errors: 12, lines: 103, errorLines: 3 });
    expect(rows.nginx).toMatchObject({ requests: 50, errors: 5, lines: 50, errorLines: 0 });
    expect(rows.legacy).toMatchObject({ requests: 0, errors: 0, lines: 40, errorLines: 4 });
    expect(errorRate(rows.checkout!)).toBe(0.12);
    expect(errorRate(rows.nginx!)).toBe(0.1);
    expect(errorRate(rows.legacy!)).toBe(0.1);
    expect(rows.checkout!.latency.count).toBe(100);
  });

  it('counts a request seen as a span and as a pino-http line once', () => {
    const span = serverSpan(1, 'api', MINUTE, 12_000);
    const access = line('api', MINUTE + 12_000, { traceId: span.traceId, spanId: span.spanId, attributes: { responseTime: 12, req: { method: 'GET', url: '/' }, res: { statusCode: 500 } } });
    const rollup = new MetricsRollup();
    const first = rollup.rollupBatch({ spans: [span], logs: [] });
    const second = rollup.rollupBatch({ spans: [], logs: [access] });
    const total = mergeRollups(first, second);
    expect(total).toHaveLength(1);
    // Counted once; the line's 500 still makes the one request a failed one.
    expect(total[0]).toMatchObject({ requests: 1, errors: 1, lines: 1 });
  });

  it('fails a request from an error line that arrives in a later batch, in the request’s minute', () => {
    const rollup = new MetricsRollup();
    const span = serverSpan(1, 'api', MINUTE + 59_000_000, 1_500_000); // ends in the next minute
    const first = rollup.rollupBatch({ spans: [span], logs: [] });
    const late = rollup.rollupBatch({ spans: [], logs: [line('api', MINUTE + 59_200_000, { traceId: span.traceId, severityNumber: Severity.ERROR })] });
    expect(late).toEqual(
      expect.arrayContaining([expect.objectContaining({ minute: MINUTE, errors: 0, errorLines: 1, lines: 1 }), expect.objectContaining({ minute: MINUTE + MINUTE_US, errors: 1, requests: 0 })]),
    );
    const merged = byService(mergeRollups(first, late).filter((r) => r.minute === MINUTE + MINUTE_US));
    expect(merged.api).toMatchObject({ requests: 1, errors: 1 });
  });

  it('also fails a request when the error line came first', () => {
    const rollup = new MetricsRollup();
    const span = serverSpan(2, 'api', MINUTE, 500_000);
    rollup.rollupBatch({ spans: [], logs: [line('api', MINUTE + 100_000, { traceId: span.traceId, spanId: span.spanId, severityNumber: Severity.ERROR })] });
    expect(rollup.rollupBatch({ spans: [span], logs: [] })[0]).toMatchObject({ requests: 1, errors: 1 });
  });

  it('gives the same totals however the records are split into batches', () => {
    const { logs, spans } = knownBatch();
    const rollup = new MetricsRollup();
    const parts: MinuteRollup[][] = [];
    for (let i = 0; i < 10; i++) parts.push(rollup.rollupBatch({ logs: logs.filter((_, j) => j % 10 === i), spans: spans.filter((_, j) => j % 10 === (i + 3) % 10) }));
    const split = byService(mergeRollups(...parts));
    const whole = byService(rollupBatch({ logs, spans }));
    for (const s of ['checkout', 'nginx', 'legacy']) {
      expect(split[s]).toMatchObject({ requests: whole[s]!.requests, errors: whole[s]!.errors, lines: whole[s]!.lines, errorLines: whole[s]!.errorLines });
      expect(split[s]!.latency).toEqual(whole[s]!.latency);
    }
  });

  it('defines error rate as failed/requests capped at 1, else error lines/lines, else 0', () => {
    expect(errorRate({ requests: 4, errors: 1, lines: 100, errorLines: 90 })).toBe(0.25);
    expect(errorRate({ requests: 2, errors: 3, lines: 0, errorLines: 0 })).toBe(1);
    expect(errorRate({ requests: 0, errors: 0, lines: 8, errorLines: 2 })).toBe(0.25);
    expect(errorRate({ requests: 0, errors: 0, lines: 0, errorLines: 0 })).toBe(0);
  });
});

describe('latency histogram', () => {
  it('answers p50/p95/p99 within 5% of the exact value, on 20,000 log-spread durations', () => {
    let seed = 11;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = Array.from({ length: 20_000 }, () => Math.round(10 * 10 ** (rand() * 7)));
    const h = emptyHistogram();
    for (const v of values) recordValue(h, v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
      const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
      expect(Math.abs(quantile(h, q)! - exact) / exact).toBeLessThanOrEqual(0.05);
    }
  });

  it('merges across minutes and shards into exactly the histogram of all values', () => {
    const all = emptyHistogram();
    const parts = [emptyHistogram(), emptyHistogram(), emptyHistogram()];
    for (let i = 0; i < 3000; i++) {
      const v = (i * 7919) % 5_000_000;
      recordValue(all, v);
      recordValue(parts[i % 3]!, v);
    }
    expect(mergeHistograms(...parts)).toEqual(all);
    expect(quantile(emptyHistogram(), 0.5)).toBeUndefined();
  });
});

describe('rollupSeries and windowFigures', () => {
  const day = (): MinuteRollup[] => {
    const rows: MinuteRollup[] = [];
    for (let m = 0; m < 1440; m++) {
      for (const service of ['a', 'b']) {
        const latency = emptyHistogram();
        recordValue(latency, 1000 + m);
        rows.push({ service, minute: MINUTE + m * MINUTE_US, requests: 10, errors: m % 10 === 0 ? 1 : 0, lines: 20, errorLines: 0, tracedLines: 20, latency });
      }
    }
    return rows;
  };

  it('gives 24 h at 1-minute steps as 1,440 points, each with its error rate', () => {
    const points = rollupSeries(day(), { from: MINUTE, to: MINUTE + 1440 * MINUTE_US, step: MINUTE_US, service: 'a' });
    expect(points).toHaveLength(1440);
    expect(points[0]).toMatchObject({ time: MINUTE, requests: 10, errors: 1, errorRate: 0.1 });
    expect(points[1]).toMatchObject({ time: MINUTE + MINUTE_US, errors: 0, errorRate: 0 });
  });

  it('adds minutes up into larger steps and services up when none is named', () => {
    const points = rollupSeries(day(), { from: MINUTE, to: MINUTE + 1440 * MINUTE_US, step: 60 * MINUTE_US });
    expect(points).toHaveLength(24);
    expect(points[0]).toMatchObject({ requests: 1200, errors: 12, errorRate: 0.01 });
    expect(windowFigures(day(), 'b', MINUTE, MINUTE + 1440 * MINUTE_US)).toMatchObject({ requests: 14_400, errors: 144, errorRate: 0.01 });
  });

  it('refuses a step that is not whole minutes, or a range the wrong way round', () => {
    expect(() => rollupSeries([], { from: MINUTE, to: MINUTE + MINUTE_US, step: 30_000_000 })).toThrow(CorrelateError);
    expect(() => rollupSeries([], { from: MINUTE, to: MINUTE, step: MINUTE_US })).toThrow(/from before to/);
  });
});

describe('renderPrometheus', () => {
  it('writes counters and a cumulative histogram per service in the exposition format', () => {
    const text = renderPrometheus(rollupBatch(knownBatch()));
    const lines = text.trimEnd().split('\n');
    // Every line is a comment or `name{labels} value`.
    for (const l of lines) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-z_]+\{service="[^"]*"(,le="[^"]+")?\} [0-9.e+-]+)$/);
    expect(lines).toContain('logstitch_requests_total{service="checkout"} 100');
    expect(lines).toContain('logstitch_request_errors_total{service="checkout"} 12');
    expect(lines).toContain('logstitch_error_log_lines_total{service="legacy"} 4');
    expect(lines).toContain('# TYPE logstitch_request_duration_seconds histogram');
    const buckets = lines.filter((l) => l.startsWith('logstitch_request_duration_seconds_bucket{service="nginx"'));
    const counts = buckets.map((l) => Number(l.split(' ')[1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.at(-1)).toBe('logstitch_request_duration_seconds_bucket{service="nginx",le="+Inf"} 50');
    expect(lines).toContain('logstitch_request_duration_seconds_count{service="nginx"} 50');
    // nginx's 50 durations are 2.0–6.9 ms: all at or under the ~8.8 ms bound, none under ~4.4 ms… exactly as recorded.
    const le = (l: string): number => Number(/le="([^"]+)"/.exec(l)![1]);
    for (const l of buckets.slice(0, -1)) {
      const expected = Array.from({ length: 50 }, (_, i) => 2000 + i * 100).filter((v) => v <= le(l) * 1e6 * (1 + 1e-6)).length;
      expect(Number(l.split(' ')[1])).toBe(expected);
    }
    expect(bucketUpperBound(0)).toBe(1);
  });

  it('escapes backslashes, quotes and newlines in service names', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderPrometheus([{ service: 'we"ird\\svc\n', minute: MINUTE, requests: 1, errors: 0, lines: 0, errorLines: 0, tracedLines: 0, latency: emptyHistogram() }]);
    expect(text).toContain('logstitch_requests_total{service="we\\"ird\\\\svc\\n"} 1');
    expect(text.split('\n').every((l) => !l.includes('svc\n'))).toBe(true);
  });
});

describe('histogramProblem', () => {
  it('accepts a histogram read back intact and names what is wrong with a damaged one', async () => {
    const { histogramProblem } = await import('../../src/correlate/index.js');
    const h = emptyHistogram();
    for (const v of [10, 2000, 2000, 9e6]) recordValue(h, v);
    expect(histogramProblem(JSON.parse(JSON.stringify(h)))).toBeUndefined();
    expect(histogramProblem({ ...h, count: 5 })).toBe('the buckets do not add up to count');
    expect(histogramProblem({ ...h, buckets: { x: 1 } })).toMatch(/bucket x must be/);
    expect(histogramProblem({ ...h, sum: 'NaN' })).toBe('sum is not a number');
    expect(histogramProblem(null)).toBe('is not an object');
  });
});
