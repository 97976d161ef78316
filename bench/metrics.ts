// bench/metrics: error rate per service for 24 hours at 1-minute steps over N log lines (default 10
// million) — GET /api/metrics/errors on per-minute rollups derived at ingest, served by the real indexer
// in a process of its own — beside the same question asked of the raw lines (a GROUP BY over a SQLite
// table of them, what a store without rollups would run). Also reports what deriving the rollups costs
// per line at ingest.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { MetricsRollup } from '../src/correlate/index.js';
import type { LogRecord, Span } from '../src/model/records.js';
import { openStore } from '../src/store/index.js';
import { childExecArgv } from './_measure.js';

const MINUTE = 60_000_000;
const DAY = 24 * 60 * MINUTE;
const SERVICES = ['checkout', 'inventory', 'warehouse-db', 'shipping', 'payments', 'gateway', 'search', 'email'];
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The answer's bytes; the time to its last byte is the server's (parsing it is the client's own work). */
function getBytes(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`answered ${res.statusCode}`))));
    }).on('error', reject);
  });
}

/** p50, p99 and min of `rounds` calls after `warmup` calls (the steady state of a running indexer). */
async function timeQuery(fn: () => Promise<unknown> | unknown, rounds: number, warmup = 1): Promise<{ p50: number; p99: number; min: number }> {
  const ms: number[] = [];
  for (let i = 0; i < warmup; i++) await fn();
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)), min: round(ms[0]!) };
}

export async function main(args: string[]): Promise<void> {
  const lines = Number(process.env.BENCH_LINES ?? args[0] ?? 10_000_000);
  const work = mkdtempSync(join(tmpdir(), 'logstitch-bench-metrics-'));
  const end = Math.floor(Date.now() * 1000 / MINUTE) * MINUTE;
  const start = end - DAY;
  const store = await openStore({ dataDir: join(work, 'store') });
  const raw = new Database(join(work, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.exec('CREATE TABLE lines (time INTEGER NOT NULL, service TEXT NOT NULL, severity INTEGER NOT NULL)');
  raw.exec('CREATE INDEX lines_time ON lines (time)');
  const insertRaw = raw.prepare('INSERT INTO lines (time, service, severity) VALUES (?, ?, ?)');
  try {
    // Lines spread evenly over the day, 1 in 10 a request (a span), 2% of lines and 3% of requests failing.
    const rollup = new MetricsRollup();
    const batch = 10_000;
    let rollupNs = 0n;
    const pending: Array<Promise<unknown>> = [];
    const loadStart = Date.now();
    for (let b = 0; b < lines / batch; b++) {
      const logs: LogRecord[] = [];
      const spans: Span[] = [];
      for (let i = 0; i < batch; i++) {
        const n = b * batch + i;
        const time = start + Math.floor((n / lines) * DAY);
        const service = SERVICES[n % SERVICES.length]!;
        const traceId = (n * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(4);
        logs.push({ time, severityNumber: n % 50 === 0 ? 17 : 9, body: 'x', service, traceId });
        if (n % 10 === 0) spans.push({ traceId, spanId: (n >>> 0).toString(16).padStart(16, '0'), name: 'GET /', kind: 'server', start: time - 5000, duration: 1000 + (n % 997) * 100, status: n % 33 === 0 ? 'error' : 'ok', service, origin: 'otlp' });
      }
      const t = process.hrtime.bigint();
      const rows = rollup.rollupBatch({ logs, spans });
      rollupNs += process.hrtime.bigint() - t;
      pending.push(store.append({ logs: [], spans: [], aliases: [], rollups: rows }));
      if (pending.length >= 8) await pending.shift();
      raw.transaction(() => {
        for (const l of logs) insertRaw.run(l.time, l.service!, l.severityNumber);
      })();
      if (b % 100 === 0 && b > 0) process.stdout.write(`  ${(b * batch).toLocaleString()} lines\n`);
    }
    await Promise.all(pending);
    const nsPerLine = Number(rollupNs) / lines;
    process.stdout.write(`derived rollups for ${lines.toLocaleString()} lines over 24 h (${SERVICES.length} services) in ${((Date.now() - loadStart) / 1000).toFixed(0)} s; deriving costs ${nsPerLine.toFixed(0)} ns a line at ingest\n`);

    await store.close();
    const child = fork(fileURLToPath(new URL('./_indexer-child.js', import.meta.url)), ['sqlite', join(work, 'store')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: childExecArgv() });
    let rollups: { p50: number; p99: number; min: number };
    let parsed: { p50: number; p99: number; min: number };
    let first: number;
    try {
      const { url: base } = await new Promise<{ url: string }>((resolve) => child.once('message', (m) => resolve(m as { url: string })));
      const url = `${base}/api/metrics/errors?from=${start / 1000}&to=${end / 1000}&step=1m`;
      const started = process.hrtime.bigint();
      const answer = JSON.parse((await getBytes(url)).toString('utf8')) as { series: Array<{ points: unknown[] }> };
      first = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      if (answer.series.length !== SERVICES.length || answer.series[0]!.points.length !== 1440) throw new Error('the answer does not hold 1,440 points per service');
      // A few more before timing: the first answers of a fresh process run unoptimised code.
      rollups = await timeQuery(() => getBytes(url), 30, 5);
      parsed = await timeQuery(async () => JSON.parse((await getBytes(url)).toString('utf8')), 10);
    } finally {
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const load = loadavg()[0]!;
    process.stdout.write(`error rate per service, 24 h at 1-minute steps, over HTTP from rollups (to the last byte): p50 ${rollups.p50} ms, p99 ${rollups.p99} ms, min ${rollups.min} ms (the first answer of the fresh indexer: ${first} ms); with the client parsing the answer: p50 ${parsed.p50} ms; load average ${load.toFixed(2)}\n`);

    const groupBy = raw.prepare(`SELECT service, (time - ?) / ${MINUTE} AS minute, count(*) AS lines, sum(severity >= 17) AS errors FROM lines WHERE time >= ? AND time < ? GROUP BY service, minute`);
    const scan = await timeQuery(() => groupBy.all(start, start, end), 3);
    process.stdout.write(`the same from the raw lines (SQLite GROUP BY over ${lines.toLocaleString()} rows): p50 ${scan.p50} ms\n`);
    process.stdout.write(`${JSON.stringify({
      bench: 'metrics', lines, services: SERVICES.length, points_per_service: 1440,
      errors_24h_1m_p50_ms: rollups.p50, errors_24h_1m_p99_ms: rollups.p99, errors_24h_1m_min_ms: rollups.min, errors_24h_1m_first_ms: first, errors_24h_1m_parsed_p50_ms: parsed.p50,
      load_average: Math.round(load * 100) / 100, raw_group_by_p50_ms: scan.p50,
      speedup: Math.round(scan.p50 / rollups.p50), rollup_ns_per_line: Math.round(nsPerLine), target_ms: 50,
    })}\n`);
  } finally {
    await store.close();
    raw.close();
    rmSync(work, { recursive: true, force: true });
  }
}
