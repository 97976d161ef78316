// Derived metrics over HTTP: error rate and latency per service (series and totals), Prometheus text,
// and trace-ID coverage — which services stamp trace IDs, where propagation breaks, which aliases are reused.
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { errorRateOf, renderPrometheus, rollupSeries, totalsByService, type TailSamplerStats } from '../../correlate/index.js';
import type { MinuteRollup } from '../../model/metrics.js';
import type { Span } from '../../model/records.js';
import type { Store } from '../../store/types.js';
import { HttpError } from '../errors.js';
import { timeParam } from '../params.js';
import { sendJson } from '../respond.js';

const MINUTE = 60_000_000;
const HOUR = 60 * MINUTE;
/** The series a chart draws: at most this many points unless a step is given. */
const TARGET_POINTS = 120;
const MAX_RANGE = 400 * 24 * HOUR;
const floorMinute = (us: number) => Math.floor(us / MINUTE) * MINUTE;
const floorHour = (us: number) => Math.floor(us / HOUR) * HOUR;
const ceilHour = (us: number) => Math.ceil(us / HOUR) * HOUR;

/** `30s`, `5m`, `1h`, `1d` or milliseconds → µs, rounded up to whole minutes (what rollups can answer). */
export function stepParam(params: URLSearchParams): number | undefined {
  const text = params.get('step');
  if (text === null || text === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (m === null) throw new HttpError(400, 'BAD_STEP', `step must be a duration such as 1m, 5m, 1h or milliseconds, not ${JSON.stringify(text)}`);
  const unit = { ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86_400e6 }[m[2] ?? 'ms']!;
  return Math.max(1, Math.ceil((Number(m[1]) * unit) / MINUTE)) * MINUTE;
}

function range(params: URLSearchParams, now: number, fallback: number): { from: number; to: number } {
  const to = timeParam(params, 'to') ?? now;
  const from = timeParam(params, 'from') ?? to - fallback;
  if (from >= to) throw new HttpError(400, 'BAD_TIME', 'from must be before to');
  if (to - from > MAX_RANGE) throw new HttpError(400, 'BAD_TIME', 'the range may span at most 400 days');
  return { from, to };
}

/** One service's counts and error rate per step, without histograms: the cheap series a chart draws. */
function countSeries(rows: readonly MinuteRollup[], from: number, to: number, step: number) {
  const n = Math.ceil((to - from) / step);
  const requests = new Float64Array(n);
  const errors = new Float64Array(n);
  const lines = new Float64Array(n);
  const errorLines = new Float64Array(n);
  for (const r of rows) {
    if (r.minute < from || r.minute >= to) continue;
    const i = Math.floor((r.minute - from) / step);
    requests[i]! += r.requests;
    errors[i]! += r.errors;
    lines[i]! += r.lines;
    errorLines[i]! += r.errorLines;
  }
  const points = new Array<{ time: number; requests: number; errors: number; errorRate: number }>(n);
  for (let i = 0; i < n; i++) {
    points[i] = { time: from + i * step, requests: requests[i]!, errors: errors[i]!, errorRate: errorRateOf(requests[i]!, errors[i]!, lines[i]!, errorLines[i]!) };
  }
  return points;
}

/** GET /api/metrics/errors?service=&from=&to=&step= — see README "Metrics". */
export async function errorMetrics(res: ServerResponse, store: Store, params: URLSearchParams, now: number, sampling?: TailSamplerStats): Promise<void> {
  const { from: rawFrom, to } = range(params, now, HOUR);
  const from = floorMinute(rawFrom);
  const step = stepParam(params) ?? Math.max(1, Math.ceil((to - from) / TARGET_POINTS / MINUTE)) * MINUTE;
  if ((to - from) / step > 10_000) throw new HttpError(400, 'BAD_STEP', `a step of ${step / MINUTE} min gives more than 10,000 points over this range: use a larger step`);
  const services = params.getAll('service').filter((s) => s !== '');
  const only = services.length > 0 ? { services } : {};
  // Points carry percentiles only when asked (percentiles=points): the chart needs counts, and reading
  // every minute's histogram is most of the cost of a long range.
  const pointPercentiles = params.get('percentiles') === 'points';
  const started = performance.now();
  // The totals' percentiles: from the minutes for short ranges, from whole hours (covering the range) for
  // long ones. Both reads are in flight at once.
  const [rows, latencyRows] = await Promise.all([
    store.rollups({ from, to, ...only, latency: pointPercentiles }),
    pointPercentiles ? undefined : to - from <= 6 * HOUR ? store.rollups({ from, to, ...only }) : store.rollups({ from: floorHour(from), to: ceilHour(to), ...only, resolution: 'hour' }),
  ]);
  res.setHeader('server-timing', `store;dur=${(performance.now() - started).toFixed(3)}`);
  const totals = totalsByService(rows);
  const latency = latencyRows === undefined ? totals : totalsByService(latencyRows);
  const byService = new Map<string, MinuteRollup[]>();
  for (const r of rows) {
    const list = byService.get(r.service);
    if (list === undefined) byService.set(r.service, [r]);
    else list.push(r);
  }
  const names = services.length > 0 ? services : [...totals.keys()];
  sendJson(res, 200, {
    from,
    to,
    step,
    series: names.map((service) => ({
      service,
      points: pointPercentiles
        ? rollupSeries(byService.get(service) ?? [], { from, to, step, service }).map(({ time, requests, errors, errorRate, p50, p95, p99 }) => ({ time, requests, errors, errorRate, p50, p95, p99 }))
        : countSeries(byService.get(service) ?? [], from, to, step),
    })),
    totals: names.map((service) => {
      const t = totals.get(service);
      const l = latency.get(service);
      return { service, requests: t?.requests ?? 0, errors: t?.errors ?? 0, lines: t?.lines ?? 0, errorLines: t?.errorLines ?? 0, errorRate: t?.errorRate ?? 0, p50: l?.p50 ?? null, p95: l?.p95 ?? null, p99: l?.p99 ?? null };
    }),
    // The figures above count everything received; this says how much of it tail sampling kept (since start).
    ...(sampling !== undefined ? { sampling: samplingSummary(sampling) } : {}),
  });
}

function samplingSummary(stats: TailSamplerStats) {
  return {
    enabled: stats.enabled,
    traces: stats.traces,
    spans: stats.spans,
    logs: stats.logs,
    services: Object.fromEntries(Object.entries(stats.services).map(([service, c]) => [service, { observed: c.spans.observed + c.logs.observed, kept: c.spans.kept + c.logs.kept }])),
  };
}

/** GET /metrics — Prometheus text: counters per service over the rollups still retained. */
export async function prometheusMetrics(res: ServerResponse, store: Store): Promise<void> {
  const text = renderPrometheus(await store.rollups({ from: 0, to: Number.MAX_SAFE_INTEGER, resolution: 'hour' }));
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** How close in time a server span must start after a client span to be taken for the call it made. */
const HOP_SLACK_US = 2_000_000;
const MAX_COVERAGE_SPANS = 200_000;

/** GET /api/coverage?from=&to= — see README "Coverage". */
export async function coverage(res: ServerResponse, store: Store, params: URLSearchParams, now: number): Promise<void> {
  const { from, to } = range(params, now, 24 * HOUR);
  const [rows, spans, ambiguousAliases] = await Promise.all([
    store.rollups({ from: floorMinute(from), to, latency: false }),
    store.spans({ from, to, limit: MAX_COVERAGE_SPANS }),
    store.ambiguousAliases(100),
  ]);
  const lines = new Map<string, { lines: number; linesWithTrace: number }>();
  for (const r of rows) {
    const c = lines.get(r.service) ?? { lines: 0, linesWithTrace: 0 };
    c.lines += r.lines;
    c.linesWithTrace += r.tracedLines;
    lines.set(r.service, c);
  }
  sendJson(res, 200, {
    from,
    to,
    services: [...lines].sort(([a], [b]) => a.localeCompare(b)).map(([service, c]) => ({ service, ...c, share: c.lines === 0 ? 0 : c.linesWithTrace / c.lines })),
    brokenHops: brokenHops(spans),
    ambiguousAliases,
    truncated: spans.length === MAX_COVERAGE_SPANS,
  });
}

/**
 * Calls whose callee started a trace of its own: a client span with no server span under it in its
 * trace, and a root server span of another service in another trace that began while the call was out.
 * That is what a hop that drops (or rewrites) the trace header looks like.
 */
export function brokenHops(spans: readonly Span[]): Array<{ from: string; to: string; count: number; example: { clientTraceId: string; serverTraceId: string } }> {
  const answered = new Set<string>();
  for (const s of spans) if (s.kind === 'server' && s.parentSpanId !== undefined) answered.add(`${s.traceId}/${s.parentSpanId}`);
  const roots = spans.filter((s) => s.kind === 'server' && s.parentSpanId === undefined).sort((a, b) => a.start - b.start);
  const hops = new Map<string, { from: string; to: string; count: number; example: { clientTraceId: string; serverTraceId: string } }>();
  const used = new Set<Span>();
  for (const client of spans) {
    if (client.kind !== 'client' || answered.has(`${client.traceId}/${client.spanId}`)) continue;
    const end = client.start + client.duration;
    // The first unclaimed root server span of another service and trace inside the call's time.
    let lo = 0;
    let hi = roots.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (roots[mid]!.start < client.start - HOP_SLACK_US) lo = mid + 1;
      else hi = mid;
    }
    const wanted = clientPath(client);
    for (let i = lo; i < roots.length && roots[i]!.start <= end + HOP_SLACK_US; i++) {
      const server = roots[i]!;
      if (used.has(server) || server.traceId === client.traceId || server.service === client.service || server.start + server.duration > end + HOP_SLACK_US) continue;
      // When both sides say which path was called, they must agree: an unrelated request that merely
      // began meanwhile (the front door's next request, say) is not the callee.
      const got = serverPath(server);
      if (wanted !== undefined && got !== undefined && wanted !== got) continue;
      used.add(server);
      const key = `${client.service ?? '?'}\u0000${server.service ?? '?'}`;
      const hop = hops.get(key) ?? { from: client.service ?? 'unknown', to: server.service ?? 'unknown', count: 0, example: { clientTraceId: client.traceId, serverTraceId: server.traceId } };
      hop.count++;
      hops.set(key, hop);
      break;
    }
  }
  return [...hops.values()].sort((a, b) => b.count - a.count);
}

/** The path a client span called (`http.url`, `http.target`), without the query. */
function clientPath(span: Span): string | undefined {
  const a = span.attributes ?? {};
  const url = a['http.url'] ?? a['url.full'];
  if (typeof url === 'string') {
    try {
      return new URL(url).pathname;
    } catch {
      // Not a URL: fall through to the target.
    }
  }
  const target = a['http.target'] ?? a['url.path'];
  return typeof target === 'string' ? target.split('?')[0] : undefined;
}

/** The path a server span served (`http.target`, `url.path`), without the query. */
function serverPath(span: Span): string | undefined {
  const a = span.attributes ?? {};
  const target = a['http.target'] ?? a['url.path'];
  return typeof target === 'string' ? target.split('?')[0] : undefined;
}
