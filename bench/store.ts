// bench/store: the SQLite store on its own — append rate for batches of 1,000 pino-style records (random
// trace IDs, ~200-byte messages from a realistic word mix), then, after loading BENCH_ROWS rows (default
// 1M; 10M for the issue's figures), trace lookups and full-text searches with a service filter.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LogRecord, Span } from '../src/model/records.js';
import type { SearchPlan } from '../src/model/search-plan.js';
import { SqliteStore } from '../src/store/index.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const APPEND_ROWS = Number(process.env.BENCH_APPEND_ROWS ?? 300_000);
const BATCH = 1000;
const IN_FLIGHT = 4;
const DIR = process.env.BENCH_DIR ?? tmpdir();
/** Which append variants to run (a substring of their names); `none` skips them. */
const VARIANTS = process.env.BENCH_VARIANTS ?? '';
/** `0` skips loading and querying. */
const QUERY = process.env.BENCH_QUERY !== '0';

// A seeded xorshift, and IDs from it: cheap enough not to be what is measured.
let seed = 0x2545f491;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (bytes: number): string => {
  let s = '';
  for (let i = 0; i < bytes; i++) s += HEX[(rnd() * 256) | 0];
  return s;
};

// Words with a Zipf-like mix: a few very common, a long tail, plus numbers and IDs as real lines have.
const WORDS = (
  'request completed handled started received sent the a to for from of in on with user order payment checkout cart ' +
  'inventory shipping invoice session token cache database query connection pool upstream downstream service client ' +
  'server timeout retry failed succeeded error warning slow fast latency ms status response body header json parse ' +
  'invalid missing field value limit exceeded rate queue message consumer producer partition offset commit rollback ' +
  'transaction lock acquired released http get post put delete socket closed opened reset refused dns lookup tls ' +
  'handshake certificate auth login logout password email notification job scheduled batch import export file read ' +
  'write disk network memory heap gc pause thread worker pool customer product address billing refund discount coupon ' +
  'tax currency price quantity sku warehouse carrier tracking label webhook callback signature verified rejected ' +
  'accepted pending processing shipped delivered cancelled expired renewed subscription plan trial quota usage'
).split(' ');
const SERVICES = ['checkout', 'cart', 'payment', 'inventory', 'shipping', 'auth', 'gateway', 'search', 'email', 'billing'];
const HOSTS = ['web-1', 'web-2', 'web-3', 'worker-1'];
const ROUTES = ['/api/orders', '/api/cart', '/api/pay', '/api/users', '/healthz', '/api/search'];

function word(): string {
  return WORDS[Math.floor(WORDS.length * rnd() ** 2.2)]!;
}

function message(): string {
  let s = '';
  while (s.length < 185) {
    const r = rnd();
    s += r < 0.06 ? `id=${(rnd() * 1e7) | 0} ` : r < 0.09 ? `${(rnd() * 2000) | 0}ms ` : r < 0.1 ? `${hex(4)} ` : `${word()} `;
  }
  return s.trimEnd();
}

/** A pino line as the parser turns it into a record. */
function record(time: number, traceId: string): LogRecord {
  const r = rnd();
  const level = r < 0.01 ? 50 : r < 0.04 ? 40 : r < 0.2 ? 20 : 30;
  return {
    time,
    observedTime: time + 350,
    severityNumber: level === 50 ? 17 : level === 40 ? 13 : level === 20 ? 5 : 9,
    severityText: level === 50 ? 'error' : level === 40 ? 'warn' : level === 20 ? 'debug' : 'info',
    body: message(),
    traceId,
    spanId: hex(8),
    traceFlags: 1,
    service: SERVICES[(rnd() * SERVICES.length) | 0]!,
    host: HOSTS[(rnd() * HOSTS.length) | 0]!,
    attributes: { pid: 4000 + ((rnd() * 8) | 0), req: { method: rnd() < 0.7 ? 'GET' : 'POST', url: `${ROUTES[(rnd() * ROUTES.length) | 0]}/${(rnd() * 1e5) | 0}` }, responseTime: (rnd() * 400) | 0 },
  };
}

let clock = Date.now() * 1000 - 3_600_000_000;
let rowNumber = 0;
/**
 * Batches come from a pool generated up front, refreshed per use with new times, trace and span IDs and a
 * unique number in each message (so the vocabulary keeps growing): making lines is not what is measured.
 */
const POOL = 64;
const pool: Array<{ logs: LogRecord[]; bodies: string[] }> = [];
function makeBatch(linesPerTrace: number, spansPerLine: number, sample?: string[]): { logs: LogRecord[]; spans: Span[] } {
  if (pool.length < POOL) {
    const logs = Array.from({ length: BATCH }, () => record(0, ''));
    pool.push({ logs, bodies: logs.map((l) => l.body) });
  }
  const { logs, bodies } = pool[rowNumber / BATCH % POOL]!;
  const spans: Span[] = [];
  let trace = '';
  for (let i = 0; i < BATCH; i++) {
    if (i % linesPerTrace === 0) trace = hex(16);
    clock += 10 + ((rnd() * 10) | 0);
    const log = logs[i]!;
    log.time = Math.floor(clock / 1000) * 1000;
    log.observedTime = log.time + 350;
    log.traceId = trace;
    log.spanId = hex(8);
    log.body = `${bodies[i]} ${rowNumber++}`;
    if (rnd() < spansPerLine) spans.push({ traceId: trace, spanId: log.spanId, name: 'GET /api/orders', kind: 'server', start: clock - 5000, duration: 5000, status: 'ok', service: log.service!, origin: 'span-end-line' });
  }
  if (sample !== undefined && rnd() < 0.05) sample.push(trace);
  return { logs, spans };
}

interface AppendFigures {
  rowsPerSec: number;
  mainThreadBusyPct: number;
  generatePct: number;
}

/** Appends `rows` rows with IN_FLIGHT appends outstanding, as concurrent HTTP requests would. */
async function appendRate(store: SqliteStore, rows: number, linesPerTrace: number, spansPerLine: number, sample?: string[], progress?: (rows: number, rowsPerSec: number) => void): Promise<AppendFigures> {
  let generating = 0;
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  let sent = 0;
  let mark = start;
  const lane = async () => {
    while (sent < rows) {
      sent += BATCH;
      if (progress !== undefined && sent % 1_000_000 === 0) {
        const now = performance.now();
        progress(sent, Math.round(1_000_000 / ((now - mark) / 1000)));
        mark = now;
      }
      const g = performance.now();
      const b = makeBatch(linesPerTrace, spansPerLine, sample);
      generating += performance.now() - g;
      await store.append({ logs: b.logs, spans: b.spans, aliases: [] });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const ms = performance.now() - start;
  const used = performance.eventLoopUtilization(elu);
  return { rowsPerSec: Math.round(sent / (ms / 1000)), mainThreadBusyPct: Math.round(((used.active - generating) / ms) * 100), generatePct: Math.round((generating / ms) * 100) };
}

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 1000) / 1000;
}

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) };
}

const term = (field: string, value: string) => ({ field, values: [value], match: 'exact' as const });
const plan = (...groups: ReturnType<typeof term>[]): SearchPlan => ({ all: groups.map((g) => [g]) as SearchPlan['all'], none: [] });

function fileBytes(dir: string): number {
  let total = 0;
  for (const f of ['logstitch.db', 'logstitch.db-wal']) {
    try {
      total += statSync(join(dir, f)).size;
    } catch {
      // absent
    }
  }
  return total;
}

export async function main(): Promise<void> {
  const figures: Record<string, unknown> = { bench: 'store', rows: ROWS, batch: BATCH, in_flight: IN_FLIGHT };
  const line = (text: string) => process.stdout.write(`${text}\n`);

  // Append rate, per threading and trace shape, each into a fresh database.
  const variants = [
    { name: 'worker, random trace per line', threads: 'worker', linesPerTrace: 1, spans: 0 },
    { name: 'worker, 8 lines per trace', threads: 'worker', linesPerTrace: 8, spans: 0 },
    { name: 'worker, random traces + 1 span per 10 lines', threads: 'worker', linesPerTrace: 1, spans: 0.1 },
    { name: 'inline, random trace per line', threads: 'inline', linesPerTrace: 1, spans: 0 },
  ] as const;
  for (const v of variants.filter((x) => x.name.includes(VARIANTS))) {
    const dir = mkdtempSync(join(DIR, 'logstitch-bench-'));
    const store = await SqliteStore.open({ dataDir: dir, threads: v.threads });
    await appendRate(store, 20_000, v.linesPerTrace, v.spans);
    const r = await appendRate(store, APPEND_ROWS, v.linesPerTrace, v.spans);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    line(`append ${v.name.padEnd(44)} ${String(r.rowsPerSec).padStart(8)} rows/s   main thread busy ${r.mainThreadBusyPct}% (+${r.generatePct}% generating)`);
    const key = `append_${v.threads}_${v.linesPerTrace === 1 ? 'random' : `${v.linesPerTrace}pertrace`}${v.spans > 0 ? '_spans' : ''}`;
    figures[`${key}_rows_per_sec`] = r.rowsPerSec;
    figures[`${key}_main_busy_pct`] = r.mainThreadBusyPct;
  }

  if (!QUERY) {
    line(JSON.stringify(figures));
    return;
  }
  // Load ROWS rows, then query.
  const dir = mkdtempSync(join(DIR, 'logstitch-bench-'));
  let rssPeak = 0;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 200);
  const store = await SqliteStore.open({ dataDir: dir });
  const traces: string[] = [];
  const loadStart = clock;
  const spans = Number(process.env.BENCH_LOAD_SPANS ?? 0.1);
  const load = await appendRate(store, ROWS, 4, spans, traces, (n, rate) => line(`  ${n / 1e6}M rows: ${rate} rows/s over the last million`));
  const loadEnd = clock;
  const wal = statSync(join(dir, 'logstitch.db-wal'), { throwIfNoEntry: false })?.size ?? 0;
  line(`loaded ${ROWS} rows at ${load.rowsPerSec} rows/s (4 lines per trace, ${spans} spans per line); ${Math.round(fileBytes(dir) / 1e6)} MB on disk, WAL ${Math.round(wal / 1e6)} MB`);
  figures.load_rows_per_sec = load.rowsPerSec;
  figures.disk_mb = Math.round(fileBytes(dir) / 1e6);
  figures.wal_mb = Math.round(wal / 1e6);

  const lookup = await timed(2000, (i) => store.trace(traces[(i * 7919) % traces.length]!));
  line(`trace lookup                 p50 ${lookup.p50} ms   p99 ${lookup.p99} ms`);
  figures.trace_lookup_p50_ms = lookup.p50;
  figures.trace_lookup_p99_ms = lookup.p99;

  // A row that exists: its unique number (the last token of its message) and its service.
  const probe = rowNumber - 12_345;
  const probeService = pool[Math.floor(probe / BATCH) % POOL]!.logs[probe % BATCH]!.service!;
  // A tenth of the loaded time, in the middle of it.
  const middle: SearchPlan = { all: [], none: [], from: loadStart + (loadEnd - loadStart) * 0.45, to: loadStart + (loadEnd - loadStart) * 0.55 };
  const queries: Array<[string, SearchPlan]> = [
    ['newest_page', plan()],
    ['fts_common_service', plan(term('msg', 'timeout'), term('service', 'payment'))],
    ['fts_two_rare_service', plan(term('msg', 'coupon'), term('msg', 'refund'), term('service', 'billing'))],
    ['fts_unique_service', plan(term('msg', String(probe)), term('service', probeService))],
    ['fts_unique', plan(term('msg', String(probe)))],
    ['service_level_error', plan(term('service', 'auth'), term('level', 'error'))],
    ['time_range', middle],
    ['time_range_service', { ...middle, all: [[term('service', 'email')]] } as SearchPlan],
    ['attr_service', plan(term('attr.req.method', 'POST'), term('service', 'cart'))],
  ];
  for (const [name, p] of queries) {
    const r = await timed(50, () => store.search(p, { limit: 100 }));
    const hits = (await store.search(p, { limit: 100 })).logs.length;
    line(`search ${name.padEnd(24)} p50 ${r.p50} ms   p99 ${r.p99} ms   (${hits} hits on page 1)`);
    figures[`search_${name}_p50_ms`] = r.p50;
    figures[`search_${name}_p99_ms`] = r.p99;
  }
  clearInterval(rssTimer);
  figures.rss_peak_mb = Math.round(rssPeak / 1e6);
  line(`peak RSS ${Math.round(rssPeak / 1e6)} MB (this process: generator, store, its worker threads)`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  line(JSON.stringify(figures));
}

/** For profiling scripts: a batch as the benchmark appends it. */
export const __makeBatch = makeBatch;
