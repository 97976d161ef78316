// bench/correlate: the trace view of a 2,000-span, 20,000-line trace end to end — GET /api/traces/:id on
// the real indexer (a process of its own) over the SQLite store, target p50 ≤ 50 ms, beside the same view
// with every line (?logs=all) and the time to page every line in — and the view alone in process (CPU per
// phase) against the same view with O(n·m) log attachment; and metrics from rollups: ingest rate, and
// 24 h of 1-minute error rates for 10 services from rollup rows against computing them from raw lines.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  analyzePath,
  buildSpanTree,
  buildTraceView,
  criticalPath,
  deriveTrace,
  MetricsRollup,
  mergeRollups,
  MINUTE_US,
  minuteOf,
  rollupSeries,
  summarize,
  traceClockOffsets,
  type TraceInput,
  type TraceView,
} from '../src/correlate/index.js';
import type { LogRecord, Span } from '../src/model/records.js';
import { Severity } from '../src/model/severity.js';
import { VIEW_LOG_LIMIT } from '../src/server/correlation.js';
import { apiTraceView } from '../src/server/trace-view.js';
import { openStore } from '../src/store/index.js';
import type { StoredLog } from '../src/store/types.js';
import { childExecArgv } from './_measure.js';

const BASE = 1_700_000_000_000_000;
const hex = (seed: string, n: number): string => createHash('sha1').update(seed).digest('hex').slice(0, n);

function prng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** The benchmark's trace: its lines as an array. */
type BenchTrace = TraceInput<LogRecord & { id: string }> & { logs: Array<LogRecord & { id: string }> };

/**
 * A trace of `spanCount` spans (server spans calling other services through client spans, 20 services,
 * one of them 1.5 s ahead) and `lineCount` lines: most name their span, a third name only their service,
 * some are access-log lines, and one service appears in lines only.
 */
export function bigTrace(spanCount = 2000, lineCount = 20_000): BenchTrace {
  const rand = prng(42);
  const traceId = hex('big', 32);
  const spans: Span[] = [];
  const servers: Span[] = [];
  const root: Span = { traceId, spanId: hex('s0', 16), name: 'GET /', kind: 'server', start: BASE, duration: 10_000_000, status: 'unset', service: 'svc-0', origin: 'otlp' };
  spans.push(root);
  servers.push(root);
  while (spans.length < spanCount) {
    const parent = servers[Math.floor(rand() * servers.length)]!;
    const service = `svc-${1 + Math.floor(rand() * 19)}`;
    const skew = service === 'svc-7' ? 1_500_000 : 0;
    const start = parent.start + Math.floor(rand() * parent.duration * 0.8);
    const duration = Math.max(2, Math.floor((parent.start + parent.duration - start) * rand()));
    const client: Span = { traceId, spanId: hex(`c${spans.length}`, 16), parentSpanId: parent.spanId, name: `GET ${service}/x`, kind: 'client', start, duration, status: 'unset', service: parent.service!, origin: 'span-end-line' };
    const net = Math.floor(duration * 0.05);
    const server: Span = { traceId, spanId: hex(`s${spans.length}`, 16), parentSpanId: client.spanId, name: 'GET /x', kind: 'server', start: start + net + skew, duration: Math.max(1, duration - 2 * net), status: rand() < 0.01 ? 'error' : 'unset', service, origin: 'span-end-line' };
    spans.push(client, server);
    servers.push(server);
  }
  const logs: (LogRecord & { id: string })[] = [];
  for (let i = 0; i < lineCount; i++) {
    const id = String(i + 1);
    if (i % 100 === 0) {
      logs.push({ id, time: BASE + 5_000_000 + i, severityNumber: Severity.INFO, body: 'legacy worker line', traceId, service: 'legacy' });
      continue;
    }
    const s = servers[Math.floor(rand() * servers.length)]!;
    const time = s.start + Math.floor(rand() * s.duration);
    const log: LogRecord & { id: string } = { id, time, severityNumber: rand() < 0.02 ? Severity.ERROR : Severity.INFO, body: `work step ${i}`, traceId, service: s.service! };
    if (i % 3 !== 0) log.spanId = s.spanId;
    if (i % 500 === 1) log.attributes = { duration_us: 1000, 'http.method': 'GET', 'http.target': '/proxy', 'http.status_code': 200 };
    logs.push(log);
  }
  logs.sort((a, b) => a.time - b.time);
  spans.sort((a, b) => a.start - b.start);
  return { traceId, aliases: [], logs, spans };
}

/** The same view, attaching each line by scanning every span: the reference for the figure above. */
function naiveTraceView(trace: BenchTrace): unknown {
  const derivation = deriveTrace(trace);
  const all = [...trace.spans, ...derivation.spans];
  const tree = buildSpanTree(all);
  const offsets = traceClockOffsets(tree);
  const byId = new Map(all.map((s) => [s.spanId, s]));
  const logs = trace.logs.map((l) => {
    let attached = l.spanId !== undefined && byId.has(l.spanId) ? l.spanId : undefined;
    if (attached === undefined) {
      let best: Span | undefined;
      for (const s of all) {
        if (s.service !== l.service || s.start > l.time || s.start + s.duration < l.time) continue;
        if (best === undefined || s.start > best.start) best = s;
      }
      attached = best?.spanId ?? tree.root?.spanId;
    }
    const skew = offsets.get(l.service ?? 'unknown')?.us ?? 0;
    return { ...l, time: l.time + skew, rawTime: l.time, attachedSpanId: attached };
  });
  const spans = all.map((s) => ({ ...s, start: s.start + (offsets.get(s.service ?? 'unknown')?.us ?? 0), rawStart: s.start }));
  const path = criticalPath(spans);
  const analysis = analyzePath(path, spans);
  return { logs, spans, path, summary: summarize(analysis) };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function timeMs(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** CPU time (user + system) of one call: less disturbed than wall time when other processes share the cores. */
function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Alternating rounds of the two, so whatever slows the machine slows both. */
function alternate(a: () => unknown, b: () => unknown, rounds: number): { a: number[]; b: number[] } {
  for (let i = 0; i < 3; i++) {
    a();
    b();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ta.push(timeMs(a));
    tb.push(timeMs(b));
  }
  return { a: ta.sort((x, y) => x - y), b: tb.sort((x, y) => x - y) };
}

/** `count` access-log-style lines over 24 h for 10 services, 2% errors. */
function rawLines(count: number): LogRecord[] {
  const rand = prng(7);
  const lines: LogRecord[] = [];
  for (let i = 0; i < count; i++) {
    const status = rand() < 0.02 ? 503 : 200;
    lines.push({
      time: BASE + Math.floor((i / count) * 1440 * MINUTE_US),
      severityNumber: status === 503 ? Severity.ERROR : Severity.INFO,
      body: 'GET /x',
      service: `svc-${i % 10}`,
      attributes: { duration_us: 1000 + Math.floor(rand() * 100_000), 'http.method': 'GET', 'http.target': '/x', 'http.status_code': status },
    });
  }
  return lines;
}

/** One GET, timed to the answer's last byte (the client's own JSON parsing is not the server's time). */
function timedGet(url: string): Promise<{ ms: number; status: number; body: Buffer; timings: Record<string, number> }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const timings: Record<string, number> = {};
          for (const m of String(res.headers['server-timing'] ?? '').matchAll(/([\w-]+);dur=([\d.]+)/g)) timings[m[1]!] = Number(m[2]);
          resolve({ ms, status: res.statusCode ?? 0, body: Buffer.concat(chunks), timings });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

interface ViewAnswer {
  spans: Array<{ spanId: string; logCount: number }>;
  logs: Array<{ id: string; severityNumber: number; attachedSpanId?: string }>;
  logCount: number;
  logsOmitted: number;
  logsPerSpan?: number;
  truncated?: true;
}

/**
 * The answer holds every span, says how many lines it left out, and holds what it promises: every error
 * line, each span's first logsPerSpan lines, per-span counts that add up to all lines.
 */
function checkAnswer(answer: ViewAnswer, trace: BenchTrace): void {
  const fail = (what: string) => {
    throw new Error(`the trace view's answer is wrong: ${what}`);
  };
  if (answer.spans.length < trace.spans.length) fail(`${answer.spans.length} spans, ${trace.spans.length} stored`);
  if (answer.logCount !== trace.logs.length) fail(`logCount ${answer.logCount}, ${trace.logs.length} lines stored`);
  if (answer.logs.length + answer.logsOmitted !== answer.logCount) fail(`${answer.logs.length} lines + ${answer.logsOmitted} omitted ≠ ${answer.logCount}`);
  if (answer.logs.length > VIEW_LOG_LIMIT) fail(`${answer.logs.length} lines, more than the ${VIEW_LOG_LIMIT} promised`);
  if (answer.logsOmitted > 0 && answer.truncated !== true) fail('lines left out without truncated: true');
  if (answer.spans.reduce((n, s) => n + s.logCount, 0) !== answer.logCount) fail('per-span line counts do not add up to logCount');
  const errors = trace.logs.filter((l) => l.severityNumber >= 17).length;
  if (answer.logs.filter((l) => l.severityNumber >= 17).length !== Math.min(errors, VIEW_LOG_LIMIT)) fail('error lines missing');
  const shown = new Map<string, number>();
  for (const l of answer.logs) shown.set(l.attachedSpanId ?? '', (shown.get(l.attachedSpanId ?? '') ?? 0) + 1);
  for (const s of answer.spans) if ((shown.get(s.spanId) ?? 0) < Math.min(s.logCount, answer.logsPerSpan ?? Infinity)) fail(`span ${s.spanId} has fewer than its first ${answer.logsPerSpan} lines`);
}

/** Every line of the trace through GET /api/traces/:id/logs, 1,000 a page; checks each comes once. */
async function pageAll(url: string, traceId: string, expected: number): Promise<{ ms: number; pages: number }> {
  const started = process.hrtime.bigint();
  const ids = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  do {
    const got = await timedGet(`${url}/api/traces/${traceId}/logs?limit=1000${cursor === undefined ? '' : `&cursor=${cursor}`}`);
    if (got.status !== 200) throw new Error(`paging answered ${got.status}: ${got.body.toString('utf8').slice(0, 200)}`);
    const page = JSON.parse(got.body.toString('utf8')) as { logs: Array<{ id: string }>; nextCursor?: string; total: number };
    for (const l of page.logs) ids.add(l.id);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== undefined);
  if (ids.size !== expected) throw new Error(`paging brought ${ids.size} distinct lines of ${expected}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, pages };
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; undefined elsewhere): the
 * indexer's work per answer, which other processes on the machine do not inflate as they do wall time.
 */
function processCpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);

/**
 * The trace stored in a SQLite store (as the indexer would store it: lines in batches of 1,000 with their
 * rollups), served by the real indexer in a child process, asked for `rounds` times over HTTP: the view
 * (the default, bounded share of lines), the view with every line (?logs=all), and all lines paged.
 */
async function viewOverHttp(trace: BenchTrace, rounds: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'logstitch-bench-correlate-'));
  try {
    const store = await openStore({ dataDir });
    const logs = trace.logs.map(({ id: _id, ...log }) => log);
    const rollup = new MetricsRollup();
    for (let i = 0; i < logs.length; i += 1000) {
      const part = logs.slice(i, i + 1000);
      const spans = i === 0 ? [...trace.spans] : [];
      await store.append({ logs: part, spans, aliases: [], rollups: rollup.rollupBatch({ logs: part, spans }) });
    }
    await store.close();
    const child = fork(fileURLToPath(new URL('./_indexer-child.js', import.meta.url)), ['sqlite', dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: childExecArgv() });
    try {
      const { url } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
      const target = `${url}/api/traces/${trace.traceId}`;
      const first = await timedGet(target);
      if (first.status !== 200) throw new Error(`the trace view answered ${first.status}`);
      const answer = JSON.parse(first.body.toString('utf8')) as ViewAnswer;
      checkAnswer(answer, trace);
      // A few more before timing: the first answers of a fresh process run unoptimised code.
      for (let w = 0; w < 4; w++) await timedGet(target);
      const wall: number[] = [];
      const phases = new Map<string, number[]>();
      const cpuBefore = processCpuMs(child.pid);
      for (let r = 0; r < rounds; r++) {
        const got = await timedGet(target);
        wall.push(got.ms);
        for (const [name, ms] of Object.entries(got.timings)) phases.set(name, [...(phases.get(name) ?? []), ms]);
      }
      const cpuAfter = processCpuMs(child.pid);
      // Every line in one answer, as before the view was bounded: the comparison (fewer rounds, it is slow).
      const all: number[] = [];
      let allBytes = 0;
      const allRounds = Math.max(3, Math.ceil(rounds / 3));
      const allCpuBefore = processCpuMs(child.pid);
      for (let r = 0; r < allRounds; r++) {
        const got = await timedGet(`${target}?logs=all`);
        const whole = JSON.parse(got.body.toString('utf8')) as ViewAnswer;
        if (whole.logs.length !== trace.logs.length || whole.logsOmitted !== 0) throw new Error(`?logs=all answered ${whole.logs.length} lines`);
        all.push(got.ms);
        allBytes = got.body.length;
      }
      const allCpuAfter = processCpuMs(child.pid);
      const perAnswer = (before: number | undefined, after: number | undefined, n: number) => (before === undefined || after === undefined ? undefined : (after - before) / n);
      // Right after the view (whose lines the indexer keeps for paging), as a reader would page.
      await timedGet(target);
      const paged = await pageAll(url, trace.traceId, trace.logs.length);
      return {
        wall: wall.sort((a, b) => a - b),
        phases: Object.fromEntries([...phases].map(([name, ms]) => [name, Math.round(median(ms) * 10) / 10])),
        bytes: first.body.length,
        shown: answer.logs.length,
        firstMs: first.ms,
        allP50: median(all),
        allBytes,
        cpuPerView: perAnswer(cpuBefore, cpuAfter, rounds),
        cpuPerAllView: perAnswer(allCpuBefore, allCpuAfter, allRounds),
        paged,
      };
    } finally {
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** In process: CPU per phase of the bounded view (median over rounds), and of shaping and serialising the answer. */
function viewPhases(trace: BenchTrace, rounds: number): Record<string, number> {
  const runs: Record<string, number>[] = [];
  for (let r = 0; r < rounds + 3; r++) {
    const timings: Record<string, number> = {};
    const view = buildTraceView(trace, { logLimit: VIEW_LOG_LIMIT, timings });
    let answer: unknown;
    timings['api-shape'] = cpuMs(() => (answer = apiTraceView(view as TraceView<StoredLog>, { traceIds: [trace.traceId], links: [], limitReached: false })));
    timings.stringify = cpuMs(() => JSON.stringify(answer));
    if (r >= 3) runs.push(timings);
  }
  const out: Record<string, number> = {};
  for (const name of Object.keys(runs[0]!)) out[name] = Math.round(median(runs.map((t) => t[name]!)) * 100) / 100;
  return out;
}

export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 21);
  const trace = bigTrace();
  const served = await viewOverHttp(trace, rounds);
  const httpP50 = percentile(served.wall, 50);
  const serverP50 = served.phases.view;
  process.stdout.write(
    `GET /api/traces/:id (${served.shown.toLocaleString()} of ${trace.logs.length.toLocaleString()} lines, ${(served.bytes / 1e6).toFixed(2)} MB answer, indexer in its own process, to the last byte): p50 ${httpP50.toFixed(1)} ms, p90 ${percentile(served.wall, 90).toFixed(1)} ms, min ${served.wall[0]!.toFixed(1)} ms (target ≤ 50 ms at p50; the fresh indexer's first answer ${served.firstMs.toFixed(0)} ms); load average ${loadavg()[0]!.toFixed(2)}\n`,
  );
  process.stdout.write(`  Server-Timing p50 (ms): ${Object.entries(served.phases).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  process.stdout.write(`  the indexer's CPU per answer (user + system, all threads): ${served.cpuPerView?.toFixed(1) ?? 'n/a'} ms\n`);
  process.stdout.write(`GET /api/traces/:id?logs=all (every line, ${(served.allBytes / 1e6).toFixed(1)} MB): p50 ${served.allP50.toFixed(1)} ms; the indexer's CPU per answer ${served.cpuPerAllView?.toFixed(1) ?? 'n/a'} ms\n`);
  process.stdout.write(`every line paged through GET /api/traces/:id/logs (1,000 a page, ${served.paged.pages} pages, right after the view): ${served.paged.ms.toFixed(0)} ms in all (reported, not a target)\n`);
  const view = buildTraceView(trace);
  process.stdout.write(`trace: ${trace.spans.length} spans (+${view.spans.length - trace.spans.length} derived), ${trace.logs.length} lines; summary: ${view.summary}\n`);
  const { a: fast, b: naive } = alternate(() => buildTraceView(trace, { logLimit: VIEW_LOG_LIMIT }), () => naiveTraceView(trace), rounds);
  const viewP50 = percentile(fast, 50);
  const naiveP50 = percentile(naive, 50);
  process.stdout.write(`buildTraceView in process (no store, no HTTP; ${VIEW_LOG_LIMIT.toLocaleString()} lines as objects): p50 ${viewP50.toFixed(1)} ms, p90 ${percentile(fast, 90).toFixed(1)} ms\n`);
  const cpu = Array.from({ length: rounds }, () => cpuMs(() => buildTraceView(trace, { logLimit: VIEW_LOG_LIMIT }))).sort((x, y) => x - y);
  const cpuAll = Array.from({ length: rounds }, () => cpuMs(() => buildTraceView(trace))).sort((x, y) => x - y);
  const cpuP50 = percentile(cpu, 50);
  const cpuAllP50 = percentile(cpuAll, 50);
  process.stdout.write(`buildTraceView CPU time: p50 ${cpuP50.toFixed(1)} ms, min ${cpu[0]!.toFixed(1)} ms; with all ${trace.logs.length.toLocaleString()} lines as objects p50 ${cpuAllP50.toFixed(1)} ms\n`);
  const phases = viewPhases(trace, rounds);
  process.stdout.write(`  CPU per phase p50 (ms): ${Object.entries(phases).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  process.stdout.write(`same view with O(n·m) log attachment: p50 ${naiveP50.toFixed(1)} ms (${(naiveP50 / viewP50).toFixed(1)}× slower)\n`);

  // Metrics: rolling up 1M lines, then a day of 1-minute error rates for each of 10 services.
  const lineCount = Number(process.env.BENCH_ROLLUP_LINES ?? 1_000_000);
  const lines = rawLines(lineCount);
  const rollup = new MetricsRollup();
  const rows: ReturnType<MetricsRollup['rollupBatch']> = [];
  const ingestMs = timeMs(() => {
    for (let i = 0; i < lines.length; i += 1000) rows.push(...rollup.rollupBatch({ logs: lines.slice(i, i + 1000), spans: [] }));
  });
  const merged = mergeRollups(rows);
  const from = minuteOf(BASE);
  const to = from + 1440 * MINUTE_US;
  const series = (): void => {
    for (let s = 0; s < 10; s++) rollupSeries(merged, { from, to, step: MINUTE_US, service: `svc-${s}` });
  };
  const scan = (): void => {
    // The reference: the same figures from the raw lines, as a store without rollups would compute them.
    for (let s = 0; s < 10; s++) {
      const requests = new Float64Array(1440);
      const errors = new Float64Array(1440);
      const name = `svc-${s}`;
      for (const l of lines) {
        if (l.service !== name) continue;
        const m = Math.floor((l.time - from) / MINUTE_US);
        requests[m]!++;
        if ((l.attributes?.['http.status_code'] as number) >= 500) errors[m]!++;
      }
    }
  };
  const one = (): void => void rollupSeries(merged, { from, to, step: MINUTE_US, service: 'svc-3' });
  const { a: seriesTimes, b: scanTimes } = alternate(series, scan, 7);
  const { a: oneTimes } = alternate(one, () => undefined, 21);
  const seriesP50 = percentile(seriesTimes, 50);
  const oneP50 = percentile(oneTimes, 50);
  const scanP50 = percentile(scanTimes, 50);
  process.stdout.write(`rollup at ingest: ${Math.round(lineCount / (ingestMs / 1000)).toLocaleString()} lines/s into ${merged.length.toLocaleString()} minute rows\n`);
  process.stdout.write(`24 h × 1-minute error rates and p50/p95/p99 for one service from rollups: p50 ${oneP50.toFixed(1)} ms (target ≤ 50 ms)\n`);
  process.stdout.write(`the same for all 10 services: p50 ${seriesP50.toFixed(1)} ms; from ${lineCount.toLocaleString()} raw lines: ${scanP50.toFixed(0)} ms (×${10_000_000 / lineCount} for 10M ≈ ${((scanP50 * 10_000_000) / lineCount).toFixed(0)} ms)\n`);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'correlate',
      spans: trace.spans.length,
      lines: trace.logs.length,
      load_average: Math.round(loadavg()[0]! * 100) / 100,
      view_http_p50_ms: Math.round(httpP50 * 10) / 10,
      view_http_p90_ms: Math.round(percentile(served.wall, 90) * 10) / 10,
      view_http_min_ms: Math.round(served.wall[0]! * 10) / 10,
      view_http_first_ms: Math.round(served.firstMs),
      view_server_timing_p50_ms: serverP50 === undefined ? null : Math.round(serverP50 * 10) / 10,
      view_server_timing_p50: served.phases,
      view_indexer_cpu_ms: served.cpuPerView === undefined ? null : Math.round(served.cpuPerView * 10) / 10,
      view_answer_bytes: served.bytes,
      view_lines_in_answer: served.shown,
      view_all_lines_http_p50_ms: Math.round(served.allP50 * 10) / 10,
      view_all_lines_answer_bytes: served.allBytes,
      view_all_lines_indexer_cpu_ms: served.cpuPerAllView === undefined ? null : Math.round(served.cpuPerAllView * 10) / 10,
      page_all_lines_ms: Math.round(served.paged.ms),
      page_all_lines_pages: served.paged.pages,
      view_p50_ms: Math.round(viewP50 * 10) / 10,
      view_p90_ms: Math.round(percentile(fast, 90) * 10) / 10,
      view_cpu_p50_ms: Math.round(cpuP50 * 10) / 10,
      view_all_lines_cpu_p50_ms: Math.round(cpuAllP50 * 10) / 10,
      view_cpu_phases_p50_ms: phases,
      naive_view_p50_ms: Math.round(naiveP50 * 10) / 10,
      speedup_vs_naive: Math.round((naiveP50 / viewP50) * 10) / 10,
      rollup_lines_per_s: Math.round(lineCount / (ingestMs / 1000)),
      rollup_rows: merged.length,
      series_24h_one_service_p50_ms: Math.round(oneP50 * 10) / 10,
      series_24h_10_services_p50_ms: Math.round(seriesP50 * 10) / 10,
      raw_scan_ms: Math.round(scanP50),
      raw_scan_lines: lineCount,
      targets: { view_http_p50_ms: 50, view_p50_ms: 50, series_p50_ms: 50 },
    })}\n`,
  );
}
